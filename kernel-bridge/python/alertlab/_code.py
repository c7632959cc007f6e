"""Reading code for shipping (see :mod:`alertlab._ship`): the source of a function, lambda or
class, the global names its code loads, what its definition evaluates, and plain constants
rebuilt as source."""

from __future__ import annotations

import ast
import dis
import inspect
import linecache
import math
import os
import sys
import textwrap
import types
from collections.abc import Iterator

import numpy as np

from .errors import ShipError

#: The largest value carried as source (its ``repr``), in bytes.
MAX_VALUE_BYTES = 1_000_000


class TooBigError(Exception):
    """A value past MAX_VALUE_BYTES."""


def literal(value: object, depth: int = 0) -> str | None:
    """Python source that rebuilds ``value``, or None when it is not a plain constant. Raises
    TooBigError past :data:`MAX_VALUE_BYTES` (checked before building the text where it can be)."""
    if depth > 20:
        return None
    sized = isinstance(value, str | bytes | tuple | list | set | frozenset | dict)
    if sized and len(value) > MAX_VALUE_BYTES:  # type: ignore[arg-type]
        raise TooBigError
    astropy = _astropy_literal(value, depth)
    if astropy is not None:
        return astropy
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        if value.dtype.kind not in "biufc":
            return None
        return f"__import__('numpy').{type(value).__name__}({literal(value.item())})"
    # exact types: a subclass (IntEnum member, namedtuple, OrderedDict, defaultdict...) would
    # travel as its base class with its behaviour lost, or as a repr that is not source
    kind = type(value)
    if value is None or kind in (bool, int, str, bytes) or value is Ellipsis:
        return repr(value)
    if isinstance(value, float) and kind is float:
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if isinstance(value, complex) and kind is complex:
        return f"complex({literal(value.real)}, {literal(value.imag)})"
    if isinstance(value, tuple | list | set | frozenset) and kind in (tuple, list, set, frozenset):
        items = [literal(v, depth + 1) for v in value]
        if any(i is None for i in items):
            return None
        body = ", ".join(i for i in items if i is not None)
        if isinstance(value, tuple):
            return f"({body},)" if len(items) == 1 else f"({body})"
        if isinstance(value, list):
            return f"[{body}]"
        return f"{type(value).__name__}([{body}])"
    if isinstance(value, dict) and kind is dict:
        pairs = [(literal(k, depth + 1), literal(v, depth + 1)) for k, v in value.items()]
        if any(k is None or v is None for k, v in pairs):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufcUS":
        if value.nbytes > MAX_VALUE_BYTES:
            raise TooBigError
        listed = literal(value.tolist(), depth + 1)
        return f"__import__('numpy').array({listed}, dtype={value.dtype.str!r})"
    return None


def _astropy_literal(value: object, depth: int) -> str | None:
    """An astropy Quantity or Angle (value and unit) or a unit, as source; None for the rest.
    astropy is imported only when the value comes from it (so it is already loaded)."""
    kind = type(value)
    if not kind.__module__.startswith("astropy."):
        return None
    import astropy.units as u

    if isinstance(value, u.UnitBase):
        return f"__import__('astropy.units', fromlist=['Unit']).Unit({value.to_string()!r})"
    if not isinstance(value, u.Quantity):
        return None
    number = literal(value.value.item() if value.ndim == 0 else value.value, depth + 1)
    if number is None:
        return None
    where = f"__import__({kind.__module__!r}, fromlist=[{kind.__name__!r}])"
    return f"{where}.{kind.__name__}({number}, {value.unit.to_string()!r})"


def code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from code_objects(const)


def global_names(code: types.CodeType) -> list[str]:
    """Global names loaded by ``code`` and the functions, lambdas and comprehensions inside it."""
    names: list[str] = []
    for c in code_objects(code):
        for ins in dis.get_instructions(c):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval not in names:
                names.append(str(ins.argval))
    return names


def definition_names(node: ast.AST) -> list[str]:
    """Names a ``def``/``class`` statement evaluates when it runs: decorators, defaults, bases."""
    parts: list[ast.AST] = []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        parts += [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        parts += node.decorator_list
    if isinstance(node, ast.ClassDef):
        parts += [*node.bases, *(k.value for k in node.keywords)]
    return [name for part in parts for name in _loaded_names(part)]


def class_body_names(node: ast.AST) -> list[str]:
    """Names a class body reads outside its methods (class attributes); some may be the class's
    own, so they are looked up leniently."""
    if not isinstance(node, ast.ClassDef):
        return []
    skip = ast.FunctionDef | ast.AsyncFunctionDef
    return [
        name for stmt in node.body if not isinstance(stmt, skip) for name in _loaded_names(stmt)
    ]


def _loaded_names(tree: ast.AST) -> list[str]:
    """Names read in ``tree``, less those it binds itself (comprehension variables, lambdas'
    parameters)."""
    bound = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
    }
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in n.args.args}
    loads = [
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    ]
    return [name for name in dict.fromkeys(loads) if name not in bound]


def class_source(cls: type) -> str | None:
    """A class's source found through one of its methods' code (file name and first line), for
    classes defined in a notebook cell, where ``inspect.getsource`` looks in the wrong place."""
    for fn in functions_of(cls):
        code = fn.__code__
        lines = linecache.getlines(code.co_filename)
        if not lines:
            continue
        try:
            tree = ast.parse("".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ClassDef)
                and node.name == cls.__name__
                and node.lineno <= code.co_firstlineno <= (node.end_lineno or 0)
            ):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                return "".join(lines[first - 1 : node.end_lineno])
    if cls.__module__ == "__main__":
        return _cell_class_source(cls.__name__)
    return None


def _cell_class_source(name: str) -> str | None:
    """The latest top-level ``class <name>`` among the notebook's cells (sources the kernel
    registered in linecache under names that are no files), for classes without methods of
    their own (a dataclass, an enum)."""
    for filename, entry in reversed(list(linecache.cache.items())):
        if len(entry) != 4 or os.path.exists(filename):
            continue
        lines = entry[2]
        try:
            tree = ast.parse("".join(lines))
        except SyntaxError:
            continue
        for node in reversed(tree.body):
            if isinstance(node, ast.ClassDef) and node.name == name:
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                return "".join(lines[first - 1 : node.end_lineno])
    return None


def source_of(obj: object) -> str | None:
    if isinstance(obj, type):  # through its methods first: the class's module may mislead
        found = class_source(obj)
        if found is not None:
            return found
    try:
        return inspect.getsource(obj)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None


def parse_definition(obj: object, name: str) -> tuple[str, ast.AST]:
    """The dedented source of a function/class and its statement (or lambda) node."""
    what = "class" if isinstance(obj, type) else "function"
    found = source_of(obj)
    if found is None:
        raise ShipError(
            f"Cannot ship {what} {name!r}: its source cannot be read (defined in a way that "
            "left no source, e.g. by exec or in an old session). Define it again in a cell, or "
            "move it into an installed package the worker can import.",
            name,
        )
    text = textwrap.dedent(found)
    if getattr(obj, "__name__", "") == "<lambda>":
        try:
            lambdas = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Lambda)]
        except SyntaxError:
            lambdas = []
        if len(lambdas) != 1:
            raise ShipError(
                f"Cannot ship the lambda {name!r}: its source line does not hold exactly one "
                "lambda. Write it as a `def` function.",
                name,
            )
        return ast.get_source_segment(text, lambdas[0]) or "", lambdas[0]
    tree = ast.parse(text)
    node = tree.body[0]
    return text, node


def namespace_of(obj: object) -> dict[str, object]:
    """The globals a function or class was defined in (a class's, through its methods: a
    notebook's namespace is not always its module's)."""
    if isinstance(obj, types.FunctionType):
        return obj.__globals__
    module_name = getattr(obj, "__module__", None)
    methods = functions_of(obj) if isinstance(obj, type) else []
    for method in methods:  # one written in the class's own module (not generated, not a wrapper)
        if method.__globals__.get("__name__") == module_name:
            return method.__globals__
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    return vars(module) if module is not None else {}


def functions_of(obj: object, names: set[str] | None = None) -> list[types.FunctionType]:
    """A function itself, or a class's functions (methods, static and class methods, property
    getters); ``names`` keeps only those members (the ones its source defines)."""
    if isinstance(obj, types.FunctionType):
        return [obj]
    found: list[types.FunctionType] = []
    for key, member in vars(obj).items():
        if names is not None and key not in names:
            continue
        for part in (member, getattr(member, "__func__", None), getattr(member, "fget", None)):
            if isinstance(part, types.FunctionType):
                found.append(part)
    return found
