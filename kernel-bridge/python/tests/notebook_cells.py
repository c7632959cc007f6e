"""A notebook imitated: cells compiled under their own file names (registered in linecache, as
IPython does) and executed in one namespace whose ``__name__`` is ``__main__``."""

from __future__ import annotations

import linecache
import sys
import textwrap
import types
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count

_cells = count(1)


class Notebook:
    """``nb.run(source)`` runs a cell; ``nb[name]`` reads the notebook's global. As in IPython,
    the namespace is the ``__dict__`` of a module that stands in ``sys.modules['__main__']``
    while cells run (and inside ``with nb.main():``)."""

    def __init__(self) -> None:
        self.module = types.ModuleType("__main__")
        self.ns: dict[str, object] = self.module.__dict__
        self.ns["__builtins__"] = __builtins__

    @contextmanager
    def main(self) -> Iterator[None]:
        saved = sys.modules["__main__"]
        sys.modules["__main__"] = self.module
        try:
            yield
        finally:
            sys.modules["__main__"] = saved

    def run(self, source: str, *, keep_source: bool = True) -> None:
        text = textwrap.dedent(source).lstrip("\n")
        filename = f"<notebook-cell-{next(_cells)}>"
        if keep_source:
            linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        with self.main():
            exec(compile(text, filename, "exec"), self.ns)

    def __getitem__(self, name: str) -> object:
        return self.ns[name]


CELL_IMPORTS = """
import numpy as np
import pyarrow.compute as pc
from math import isfinite
import alertlab

BRIGHT = 21.5
LIMITS = {"bright": BRIGHT, "names": ("bright", "faint")}
"""

CELL_HELPERS = """
def finite(values):
    return np.array([v is not None and isfinite(v) for v in values.to_pylist()], dtype=bool)


def is_bright(mag):
    return pc.fill_null(pc.less(mag, LIMITS["bright"]), False).to_numpy(zero_copy_only=False)


def label(mag):
    bright, faint = LIMITS["names"]
    return np.where(finite(mag), np.where(is_bright(mag), bright, faint), "other")
"""

CELL_FILTER = """
@alertlab.filter(
    kind="switch", outputs=["bright", "faint", "other"], default="other", columns=["mag"]
)
def by_brightness(batch):
    return label(batch.column("mag"))
"""


def brightness_notebook() -> Notebook:
    """Three cells: imports and constants, helpers, and a switch filter that calls the helpers."""
    nb = Notebook()
    for cell in (CELL_IMPORTS, CELL_HELPERS, CELL_FILTER):
        nb.run(cell)
    return nb
