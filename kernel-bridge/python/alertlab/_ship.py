"""Ships a notebook function as one Python module that a stage worker can load on its own.

The function's source is carried with what it uses from the notebook, found by walking its code
(global names it loads, nested functions, closure cells, default arguments): helper functions and
classes (recursively, by their source), constants (numbers, strings, containers of them, numpy
arrays), and imports (``import x as y`` for modules, ``from m import name`` for anything an
installed module exposes). Whatever cannot travel - open files, sockets, big values, lambdas or
classes whose source cannot be read, modules that are not installed in the environment - raises
:class:`ShipError` naming it, at promote time rather than in the deployed worker.
"""

from __future__ import annotations

import ast
import dis
import importlib.metadata
import inspect
import io
import linecache
import math
import socket
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import FilterDefinitionError

#: The largest value carried as source (its ``repr``), in bytes.
MAX_VALUE_BYTES = 1_000_000

_LIVE_RESOURCES: tuple[tuple[type, str], ...] = (
    (io.IOBase, "an open file"),
    (socket.socket, "a socket"),
    (types.GeneratorType, "a running generator"),
    (types.FrameType, "a stack frame"),
)


class ShipError(FilterDefinitionError):
    """Something the function uses cannot be shipped to a stage worker. ``name`` is the notebook
    name it is bound to."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class ShippedSource:
    """One self-contained module (``source``) defining ``entry``; ``carried`` lists the notebook
    names shipped with the function (helpers, constants, imports)."""

    source: str
    entry: str
    carried: tuple[str, ...]


@lru_cache(maxsize=1)
def _installed_top_levels() -> frozenset[str]:
    names = set(importlib.metadata.packages_distributions())
    return frozenset(names | set(sys.stdlib_module_names) | set(sys.builtin_module_names))


def worker_can_import(module_name: str) -> bool:
    """True for the standard library and packages installed in this environment (a module found
    only through the notebook's folder is not: the worker does not run there)."""
    if module_name == "__main__" or not module_name:
        return False
    module = sys.modules.get(module_name)
    if module is not None and getattr(module, "__spec__", None) is None:
        return False
    return module_name.partition(".")[0] in _installed_top_levels()


class _TooBig(Exception):
    pass


def _literal(value: object, depth: int = 0) -> str | None:
    """Python source that rebuilds ``value``, or None when it is not a plain constant. Raises
    _TooBig past :data:`MAX_VALUE_BYTES` (checked before building the text where it can be)."""
    if depth > 20:
        return None
    sized = isinstance(value, str | bytes | tuple | list | set | frozenset | dict)
    if sized and len(value) > MAX_VALUE_BYTES:  # type: ignore[arg-type]
        raise _TooBig
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        if value.dtype.kind not in "biufc":
            return None
        return f"__import__('numpy').{type(value).__name__}({_literal(value.item())})"
    if value is None or isinstance(value, bool | int | str | bytes) or value is Ellipsis:
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if isinstance(value, complex):
        return f"complex({_literal(value.real)}, {_literal(value.imag)})"
    if isinstance(value, tuple | list | set | frozenset):
        items = [_literal(v, depth + 1) for v in value]
        if any(i is None for i in items):
            return None
        body = ", ".join(i for i in items if i is not None)
        if isinstance(value, tuple):
            return f"({body},)" if len(items) == 1 else f"({body})"
        if isinstance(value, list):
            return f"[{body}]"
        return f"{type(value).__name__}([{body}])"
    if isinstance(value, dict):
        pairs = [(_literal(k, depth + 1), _literal(v, depth + 1)) for k, v in value.items()]
        if any(k is None or v is None for k, v in pairs):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufcUS":
        if value.nbytes > MAX_VALUE_BYTES:
            raise _TooBig
        items = _literal(value.tolist(), depth + 1)
        return f"__import__('numpy').array({items}, dtype={value.dtype.str!r})"
    return None


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _global_names(code: types.CodeType) -> list[str]:
    """Global names loaded by ``code`` and the functions, lambdas and comprehensions inside it."""
    names: list[str] = []
    for c in _code_objects(code):
        for ins in dis.get_instructions(c):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval not in names:
                names.append(str(ins.argval))
    return names


def _definition_names(node: ast.AST) -> list[str]:
    """Names a ``def``/``class`` statement evaluates when it runs: decorators, defaults, bases."""
    parts: list[ast.AST] = []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        parts += [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        parts += node.decorator_list
    if isinstance(node, ast.ClassDef):
        parts += [*node.bases, *(k.value for k in node.keywords)]
    return [n.id for p in parts for n in ast.walk(p) if isinstance(n, ast.Name)]


def _class_source(cls: type) -> str | None:
    """A class's source found through one of its methods' code (file name and first line), for
    classes defined in a notebook cell, where ``inspect.getsource`` looks in the wrong place."""
    for fn in _functions_of(cls):
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
    return None


def _source_of(obj: object) -> str | None:
    if isinstance(obj, type):  # through its methods first: the class's module may mislead
        found = _class_source(obj)
        if found is not None:
            return found
    try:
        return inspect.getsource(obj)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None


def _parse_definition(obj: object, name: str) -> tuple[str, ast.AST]:
    """The dedented source of a function/class and its statement (or lambda) node."""
    what = "class" if isinstance(obj, type) else "function"
    found = _source_of(obj)
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


class _Shipper:
    def __init__(self) -> None:
        self.bound: dict[str, object] = {}
        self.imports: list[str] = []
        self.constants: list[str] = []
        self.definitions: list[str] = []
        self.carried: list[str] = []

    def bind(self, name: str, obj: object, namespace: dict[str, object], user: str) -> None:
        """Makes ``name`` mean ``obj`` in the shipped module (``user`` names who needs it)."""
        if name in self.bound:
            if self.bound[name] is not obj:
                raise ShipError(
                    f"Cannot ship {user}: the name {name!r} means two different things among "
                    "the functions it uses (a notebook global and a closure variable, or "
                    "globals of two modules). Rename one of them.",
                    name,
                )
            return
        self.bound[name] = obj
        self.carried.append(name)
        self._place(name, obj, namespace, user)

    def _place(self, name: str, obj: object, namespace: dict[str, object], user: str) -> None:
        for kind, label in _LIVE_RESOURCES:
            if isinstance(obj, kind):
                raise ShipError(
                    f"Cannot ship {user}: it uses {name!r}, {label} ({obj!r:.80}), which cannot "
                    "travel to a stage worker. Open or create it inside the function instead.",
                    name,
                )
        if isinstance(obj, types.ModuleType):
            module = obj.__name__
            if not worker_can_import(module):
                where = getattr(obj, "__file__", None) or "no file"
                raise ShipError(
                    f"Cannot ship {user}: it uses the module {module!r} ({where}), which is not "
                    "installed in the Python environment, so a stage worker cannot import it. "
                    "Install it (pip install -e <folder>) or define what you use in the notebook.",
                    name,
                )
            line = f"import {module}" if module == name else f"import {module} as {name}"
            self.imports.append(line)
            return
        try:
            text = _literal(obj)
            if text is not None and len(text) > MAX_VALUE_BYTES:
                raise _TooBig
        except _TooBig:
            raise ShipError(
                f"Cannot ship {user}: it uses {name!r}, a {type(obj).__name__} bigger than "
                f"{MAX_VALUE_BYTES:,} bytes as source. Load it inside the function from a file "
                "or table the stage can read, or keep only what the filter needs.",
                name,
            ) from None
        if text is not None:
            self.constants.append(f"{name} = {text}")
            return
        imported = self._importable_as(obj, name)
        if imported is not None:
            self.imports.append(imported)
            return
        target = inspect.unwrap(obj) if callable(obj) else obj  # type: ignore[arg-type]
        if isinstance(target, types.FunctionType | type):
            self._ship_definition(name, obj, target, user)
            return
        raise ShipError(
            f"Cannot ship {user}: it uses {name!r}, a {type(obj).__module__}."
            f"{type(obj).__qualname__} object from the notebook. A promoted filter carries "
            "imports, functions, classes and plain constants (numbers, strings, lists, tuples, "
            "dicts, numpy arrays up to 1 MB): compute it inside the function or make it one of "
            "those.",
            name,
        )

    @staticmethod
    def _importable_as(obj: object, name: str) -> str | None:
        module_name = getattr(obj, "__module__", None)
        if not isinstance(module_name, str) or not worker_can_import(module_name):
            return None
        module = sys.modules.get(module_name)
        if module is None:
            return None
        for attr in dict.fromkeys([name, getattr(obj, "__name__", None)]):
            if isinstance(attr, str) and getattr(module, attr, None) is obj:
                return (
                    f"from {module_name} import {attr}"
                    if attr == name
                    else f"from {module_name} import {attr} as {name}"
                )
        return None

    def _ship_definition(self, name: str, obj: object, target: object, user: str) -> None:
        text, node = _parse_definition(obj if isinstance(obj, type) else target, name)
        namespace = _namespace_of(target)
        what = f"{'class' if isinstance(target, type) else 'function'} {name!r}"
        for dep in _definition_names(node):
            self._resolve(dep, namespace, what)
        for fn in _functions_of(target):
            self._walk(fn, what)
        defined = getattr(target, "__name__", name)
        if isinstance(node, ast.Lambda):
            self.definitions.append(f"{name} = {text}")
        elif defined == name:
            self.definitions.append(text.rstrip())
        else:
            self.bind(defined, obj, namespace, what)  # `alias = helper`: ship helper, then alias
            self.definitions.append(f"{name} = {defined}")

    def _resolve(self, dep: str, namespace: dict[str, object], user: str) -> None:
        if dep in namespace:
            self.bind(dep, namespace[dep], namespace, user)
        # else a builtin, or a name the function never defines (it would fail in the notebook too)

    def _walk(self, fn: types.FunctionType, user: str) -> None:
        namespace = fn.__globals__
        cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True))
        for var, cell in cells.items():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell: assigned later in the enclosing function
                continue
            self.bind(var, value, namespace, user)
        for dep in _global_names(fn.__code__):
            if dep not in cells:
                self._resolve(dep, namespace, user)

    def module(self, header: str, tail: list[str]) -> str:
        blocks = [
            header + "from __future__ import annotations",
            "\n".join(dict.fromkeys(self.imports)),
            "\n".join(self.constants),
            *self.definitions,
            *tail,
        ]
        return "\n\n\n".join(b for b in blocks if b) + "\n"


def _namespace_of(obj: object) -> dict[str, object]:
    if isinstance(obj, types.FunctionType):
        return obj.__globals__
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    return vars(module) if module is not None else {}


def _functions_of(obj: object) -> list[types.FunctionType]:
    if isinstance(obj, types.FunctionType):
        return [obj]
    found: list[types.FunctionType] = []
    for member in vars(obj).values():
        for part in (member, getattr(member, "__func__", None), getattr(member, "fget", None)):
            if isinstance(part, types.FunctionType):
                found.append(part)
    return found


def ship_function(
    fn: Callable[..., object],
    entry: str,
    wrap: Callable[[str], str],
    owner: object = None,
    prelude: str = "",
) -> ShippedSource:
    """Ships ``fn`` (decorators stripped) with what it uses; the module ends with ``prelude``
    (e.g. an import) and ``entry = <wrap(function name)>``, e.g. the filter declaration applied to
    the function. ``owner`` is what the notebook binds to ``entry`` (the decorated filter)."""
    target = inspect.unwrap(fn)
    if not isinstance(target, types.FunctionType):
        raise ShipError(f"Cannot ship {fn!r}: a filter must be a Python function.", entry)
    shipper = _Shipper()
    shipper.bound[entry] = fn if owner is None else owner
    text, node = _parse_definition(target, entry)
    user = f"the filter {entry!r}"
    if isinstance(node, ast.Lambda):
        body, defined = f"{entry}__fn = {text}", f"{entry}__fn"
        names = _definition_names(node)
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        lines = text.splitlines()
        body = textwrap.dedent("\n".join(lines[node.lineno - 1 : node.end_lineno])).rstrip()
        defined = node.name
        node.decorator_list = []
        names = _definition_names(node)
        if defined != entry:
            shipper.bound[defined] = target
    else:
        raise ShipError(f"Cannot ship {entry!r}: its source is not a function definition.", entry)
    for dep in names:
        shipper._resolve(dep, target.__globals__, user)
    shipper._walk(target, user)
    header = (
        f"# Shipped by alertlab from {target.__module__}.{target.__qualname__}: the function and "
        "what it uses from its notebook.\n"
    )
    tail = (prelude + "\n\n" if prelude else "") + f"{entry} = {wrap(defined)}"
    source = shipper.module(header, [body, tail])
    compile(source, f"<shipped {entry}>", "exec")  # a shipping bug shows here, not in the worker
    carried = tuple(n for n in shipper.carried if n not in (entry, defined))
    return ShippedSource(source, entry, carried)
