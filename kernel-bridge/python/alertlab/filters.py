"""Filters written in Python: a decorator declares the kind and outputs; the function works on a
whole batch (pyarrow RecordBatch or pandas DataFrame) and returns, per row, where it goes.

The decorator is :func:`alert_filter` (also reachable as ``alertlab.filter``, which is kept out of
``__all__`` so that ``from alertlab import *`` never shadows the built-in ``filter``).

Routing is an Int32 output index per row (the SDK's ``Routing.index``); -1 drops the row.
- ``kind='yesno'``: one output (default ``['pass']``); return booleans (True -> 0, False -> -1).
- ``kind='leftright'``: two outputs (default ``['left', 'right']``); True -> 0, False -> 1.
- ``kind='switch'``: named outputs including a default (``default='default'``); return output
  names or indices per row; None / NaN / a name that is no output go to the default output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypedDict

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ._ship import ship_function
from .errors import FilterDefinitionError

FilterKind = Literal["yesno", "leftright", "switch"]
InputFormat = Literal["pyarrow", "pandas"]
#: A filter function: takes the batch (a pyarrow RecordBatch, or a pandas DataFrame with
#: ``input="pandas"``) and returns one value per row (booleans, output names or indices).
FilterFunction = Callable[[Any], object]

KINDS: dict[str, int | None] = {"yesno": 1, "leftright": 2, "switch": None}
DEFAULT_OUTPUTS: dict[str, list[str]] = {"yesno": ["pass"], "leftright": ["left", "right"]}
OUTPUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class FilterSpec(TypedDict):
    """What a Python filter ships (promotion, the engine's backtest, a worker's hello): its
    declaration and one self-contained module ``source`` that defines ``entry``."""

    language: Literal["python"]
    name: str
    kind: FilterKind
    outputs: list[str]
    default_output: str | None
    columns: list[str] | None
    input_format: InputFormat
    source: str
    entry: str
    carried: list[str]


class Filter:
    """A declared filter. Call :meth:`evaluate` for the routing, :meth:`split` for batches per
    output, or the filter itself for the function's raw result."""

    def __init__(
        self,
        fn: FilterFunction,
        kind: FilterKind,
        outputs: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        input: InputFormat = "pyarrow",
        name: str | None = None,
        default: str = "default",
    ) -> None:
        if kind not in KINDS:
            raise FilterDefinitionError(f"kind must be one of {sorted(KINDS)} (got {kind!r}).")
        outs = list(outputs) if outputs is not None else DEFAULT_OUTPUTS.get(kind)
        if not outs:
            raise FilterDefinitionError(
                "A switch filter needs outputs=[...], e.g. ['sn', 'agn', 'default']."
            )
        bad = [o for o in outs if not isinstance(o, str) or not OUTPUT_NAME.match(o)]
        if bad:
            raise FilterDefinitionError(
                f"Output names {bad} are not valid topic suffixes: use 1-100 characters from "
                "[A-Za-z0-9._-], starting with a letter or digit."
            )
        expected = KINDS[kind]
        if expected is not None and len(outs) != expected:
            raise FilterDefinitionError(f"A {kind} filter has {expected} output(s); got {outs}.")
        if len(set(outs)) != len(outs):
            raise FilterDefinitionError(f"Output names must be unique: {outs}.")
        if input not in ("pyarrow", "pandas"):
            raise FilterDefinitionError(f"input must be 'pyarrow' or 'pandas' (got {input!r}).")
        self.default_index = -1
        if kind == "switch":
            if default not in outs:
                raise FilterDefinitionError(
                    f"The switch's default output {default!r} is not among its outputs {outs}. "
                    "Add it to outputs or pass default=..."
                )
            if len(outs) < 2:
                raise FilterDefinitionError("A switch needs a named output besides its default.")
            self.default_index = outs.index(default)
        self.fn = fn
        self.kind: FilterKind = kind
        self.outputs: list[str] = outs
        self.columns = list(columns) if columns is not None else None
        #: the batch type the function receives ("pyarrow" or "pandas"); never a topic
        self.input_format: InputFormat = input
        self.name: str = name or str(getattr(fn, "__name__", "filter"))
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, batch: Any) -> object:
        return self.fn(batch)

    def __repr__(self) -> str:
        return f"<alertlab filter {self.name!r}: {self.kind} -> {self.outputs}>"

    def _prepare(self, batch: pa.RecordBatch | pa.Table) -> Any:
        if self.columns is not None:
            missing = [c for c in self.columns if c not in batch.schema.names]
            if missing:
                raise FilterDefinitionError(
                    f"Filter {self.name!r} declares columns {missing} that the batch lacks "
                    f"(it has {batch.schema.names})."
                )
            batch = batch.select(self.columns)
        if self.input_format == "pandas":
            from ._convert import to_pandas

            return to_pandas(batch)  # int64 ids with nulls stay exact (Int64), never float
        return batch

    def evaluate(self, batch: pa.RecordBatch | pa.Table) -> npt.NDArray[np.int32]:
        """Output index per row (np.int32; -1 = no output)."""
        result = self.fn(self._prepare(batch))
        return self.routing(result, batch.num_rows)

    def routing(self, result: object, num_rows: int) -> npt.NDArray[np.int32]:
        """The function's ``result`` as an output index per row (np.int32; -1 = no output)."""
        values = _as_numpy(result)
        if values.shape != (num_rows,):
            raise FilterDefinitionError(
                f"Filter {self.name!r} returned {values.shape[0] if values.ndim else 'a scalar'} "
                f"values for {num_rows} rows; return one value per row."
            )
        if self.kind in ("yesno", "leftright"):
            if values.dtype != np.bool_:
                raise FilterDefinitionError(
                    f"A {self.kind} filter returns booleans per row (got dtype {values.dtype})."
                )
            no = -1 if self.kind == "yesno" else 1
            return np.where(values, 0, no).astype(np.int32)
        default = self.default_index
        if values.dtype.kind == "f":  # integer indices with nulls arrive as floats, null = NaN
            known = ~np.isnan(values)
            if not np.array_equal(values[known], np.floor(values[known])):
                raise FilterDefinitionError(
                    f"A switch filter returns an output name or index per row; {self.name!r} "
                    "returned fractional numbers."
                )
            values = np.where(known, values, default).astype(np.int64)
        if values.dtype.kind in "iu":
            return self._indices(values)
        index = {name: i for i, name in enumerate(self.outputs)}
        routed = np.fromiter(
            (
                index.get(v, default)
                if isinstance(v, str)
                else v
                if isinstance(v, int | np.integer) and not isinstance(v, bool)
                else default
                for v in values.tolist()
            ),
            dtype=np.int64,
            count=num_rows,
        )
        return self._indices(routed)  # names, indices (nullable: None/<NA> -> default) mixed

    def _indices(self, values: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.int32]:
        if values.size and (values.max() >= len(self.outputs) or values.min() < 0):
            raise FilterDefinitionError(
                f"Output indices must be in 0..{len(self.outputs) - 1} for {self.outputs}."
            )
        return values.astype(np.int32)

    def split(self, batch: pa.RecordBatch | pa.Table) -> dict[str, pa.RecordBatch | pa.Table]:
        """The batch's rows per output name."""
        routing = self.evaluate(batch)
        return {name: batch.filter(pa.array(routing == i)) for i, name in enumerate(self.outputs)}

    def declaration(self) -> str:
        """Python source of this filter's declaration, for a function named by ``{fn}``."""
        args = {
            "kind": self.kind,
            "outputs": self.outputs,
            "columns": self.columns,
            "input": self.input_format,
            "name": self.name,
            "default": self.outputs[self.default_index] if self.kind == "switch" else "default",
        }
        return "Filter({fn}, " + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")"

    def entry_name(self) -> str:
        """The name the shipped module binds this filter to: its name, when that is an
        identifier, else the function's."""
        for candidate in (self.name, getattr(self.fn, "__name__", "")):
            if IDENTIFIER.match(candidate):
                return candidate
        return "promoted_filter"

    def spec(self, source: str | None = None) -> FilterSpec:
        """What promotion and the engine's backtest ship: the declaration, and one module (built
        by walking the function's globals and closures, see :mod:`alertlab._ship`) that defines
        the filter as ``entry``. ``source`` overrides the module (a worker passes the file it
        loaded). Raises :class:`~alertlab._ship.ShipError` naming what cannot be shipped."""
        entry = self.entry_name()
        carried: list[str] = []
        if source is None:
            declaration = self.declaration()
            shipped = ship_function(
                self.fn,
                entry,
                lambda fn: "_alertlab_filters." + declaration.format(fn=fn),
                owner=self,
                prelude="import alertlab.filters as _alertlab_filters",
            )
            source, carried = shipped.source, list(shipped.carried)
        return {
            "language": "python",
            "name": self.name,
            "kind": self.kind,
            "outputs": list(self.outputs),
            "default_output": self.outputs[self.default_index] if self.kind == "switch" else None,
            "columns": self.columns,
            "input_format": self.input_format,
            "source": source,
            "entry": entry,
            "carried": carried,
        }


def _as_numpy(result: object) -> npt.NDArray[Any]:
    if isinstance(result, pa.ChunkedArray | pa.Array):
        arrow: pa.ChunkedArray | pa.Array = result
        if arrow.null_count and pa.types.is_boolean(arrow.type):
            arrow = arrow.fill_null(False)
        return np.asarray(arrow.to_numpy(zero_copy_only=False))
    to_numpy = getattr(result, "to_numpy", None)  # pandas Series, numpy-like results
    if callable(to_numpy):
        if str(getattr(result, "dtype", "")) == "boolean":  # nullable: <NA> routes like False
            return np.asarray(to_numpy(dtype=bool, na_value=False))
        return np.asarray(to_numpy())
    return np.asarray(result)


def alert_filter(
    kind: FilterKind = "switch",
    outputs: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    input: InputFormat = "pyarrow",
    name: str | None = None,
    default: str = "default",
) -> Callable[[FilterFunction], Filter]:
    """Declares a batch filter (``alertlab.filter`` is the same decorator)::

        @alertlab.alert_filter(kind="switch", outputs=["bright", "faint", "default"],
                               columns=["mag"], input="pandas")
        def by_mag(df):
            return np.where(df["mag"] < 18, "bright", "faint")

    ``columns`` limits what the function sees (and what a deployed worker is sent); ``input`` is
    the batch type the function receives, a pyarrow RecordBatch (default) or a pandas DataFrame
    (``"pandas"``; integer columns with nulls arrive as nullable ``Int64``, so 64-bit ids stay
    exact, and a comparison's ``<NA>`` routes like False) - it is not a topic: promotion takes
    the topic as ``promote(f, topic=...)``;
    ``default`` is a switch's output for rows routed to None or an unknown name. Angles in the
    batch are plain columns: ``ra``/``dec`` in degrees, match separations in arcseconds."""

    def decorate(fn: FilterFunction) -> Filter:
        return Filter(fn, kind, outputs, columns, input, name, default)

    return decorate


#: ``alertlab.filter``: the same decorator under its short name (not in ``__all__``).
filter = alert_filter
