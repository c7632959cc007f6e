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
import builtins
import importlib.metadata
import inspect
import io
import socket
import sys
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ._code import (
    MAX_VALUE_BYTES,
    TooBigError,
    class_body_names,
    definition_names,
    functions_of,
    global_names,
    literal,
    namespace_of,
    parse_definition,
)
from .errors import ShipError

_LIVE_RESOURCES: tuple[tuple[type, str], ...] = (
    (io.IOBase, "an open file"),
    (socket.socket, "a socket"),
    (types.GeneratorType, "a running generator"),
    (types.FrameType, "a stack frame"),
)


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
    top = module_name.partition(".")[0]
    if top not in _installed_top_levels():
        _installed_top_levels.cache_clear()  # installed since the last look?
    return top in _installed_top_levels()


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
            text = literal(obj)
            if text is not None and len(text) > MAX_VALUE_BYTES:
                raise TooBigError
        except TooBigError:
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
        target = inspect.unwrap(obj) if callable(obj) else obj
        if isinstance(target, types.FunctionType | type):
            self._ship_definition(name, obj, target, user, namespace)
            return
        raise ShipError(
            f"Cannot ship {user}: it uses {name!r}, a {type(obj).__module__}."
            f"{type(obj).__qualname__} object from the notebook. A promoted filter carries "
            "imports, functions, classes and plain constants (numbers, strings, lists, tuples, "
            "dicts, numpy arrays up to 1 MB, astropy quantities and units): compute it inside "
            "the function or make it one of "
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

    def _ship_definition(
        self, name: str, obj: object, target: object, user: str, found_in: dict[str, object]
    ) -> None:
        text, node = parse_definition(obj if isinstance(obj, type) else target, name)
        # a function knows its globals; a class is read where it was found, when it was made there
        same_module = found_in.get("__name__") == getattr(target, "__module__", None)
        namespace = found_in if isinstance(target, type) and same_module else namespace_of(target)
        what = f"{'class' if isinstance(target, type) else 'function'} {name!r}"
        for dep in definition_names(node):
            self._require(dep, namespace, what)
        for dep in class_body_names(node):
            self._resolve(dep, namespace, what)
        written = None  # a class: only the methods its source defines (not generated ones)
        if isinstance(node, ast.ClassDef):
            skip = ast.FunctionDef | ast.AsyncFunctionDef
            written = {n.name for n in node.body if isinstance(n, skip)}
        for fn in functions_of(target, written):
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

    def _require(self, dep: str, namespace: dict[str, object], user: str) -> None:
        """A name a definition evaluates when it runs (a default value, a decorator, a base):
        it must be a notebook global or a builtin, or the shipped module could not load."""
        if dep in namespace or hasattr(builtins, dep):
            self._resolve(dep, namespace, user)
            return
        raise ShipError(
            f"Cannot ship {user}: its definition (a default value, decorator or base class) "
            f"uses {dep!r}, which is not a notebook global (a variable of an enclosing "
            "function?). Pass it as a constant, or make it a global of the notebook.",
            dep,
        )

    def _walk(self, fn: types.FunctionType, user: str) -> None:
        namespace = fn.__globals__
        cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True))
        for var, cell in cells.items():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell: assigned later in the enclosing function
                continue
            self.bind(var, value, namespace, user)
        for dep in global_names(fn.__code__):
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
    text, node = parse_definition(target, entry)
    user = f"the filter {entry!r}"
    if isinstance(node, ast.Lambda):
        body, defined = f"{entry}__fn = {text}", f"{entry}__fn"
        names = definition_names(node)
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        lines = text.splitlines()
        body = textwrap.dedent("\n".join(lines[node.lineno - 1 : node.end_lineno])).rstrip()
        defined = node.name
        node.decorator_list = []
        names = definition_names(node)
        if defined != entry:
            shipper.bound[defined] = target
    else:
        raise ShipError(f"Cannot ship {entry!r}: its source is not a function definition.", entry)
    for dep in names:
        shipper._require(dep, target.__globals__, user)
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
