"""Filters written in Python: a decorator declares the kind and outputs; the function works on a
whole batch (pyarrow RecordBatch or pandas DataFrame) and returns, per row, where it goes.

Routing is an Int32 output index per row (the SDK's ``Routing.index``); -1 drops the row.
- ``kind='yesno'``: one output (default ``['pass']``); return booleans (True -> 0, False -> -1).
- ``kind='leftright'``: two outputs (default ``['left', 'right']``); True -> 0, False -> 1.
- ``kind='switch'``: named outputs including a default (``default='default'``); return output
  names or indices per row; None / NaN / a name that is no output go to the default output.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from .errors import FilterDefinitionError

KINDS = {"yesno": 1, "leftright": 2, "switch": None}
DEFAULT_OUTPUTS = {"yesno": ["pass"], "leftright": ["left", "right"]}
OUTPUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class Filter:
    """A declared filter. Call :meth:`evaluate` for the routing, :meth:`split` for batches per
    output, or the filter itself for the function's raw result."""

    def __init__(
        self,
        fn: Callable[[Any], Any],
        kind: str,
        outputs: Sequence[str] | None,
        columns: Sequence[str] | None,
        input: str,
        name: str | None,
        default: str = "default",
    ):
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
        self.kind = kind
        self.outputs = outs
        self.columns = list(columns) if columns is not None else None
        self.input = input
        self.name = name or fn.__name__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, batch: Any) -> Any:
        return self.fn(batch)

    def _prepare(self, batch: pa.RecordBatch | pa.Table) -> Any:
        if self.columns is not None:
            missing = [c for c in self.columns if c not in batch.schema.names]
            if missing:
                raise FilterDefinitionError(
                    f"Filter {self.name!r} declares columns {missing} that the batch lacks "
                    f"(it has {batch.schema.names})."
                )
            batch = batch.select(self.columns)
        return batch.to_pandas() if self.input == "pandas" else batch

    def evaluate(self, batch: pa.RecordBatch | pa.Table) -> np.ndarray:
        """Output index per row (np.int32; -1 = no output)."""
        result = self.fn(self._prepare(batch))
        return self.routing(result, batch.num_rows)

    def routing(self, result: Any, num_rows: int) -> np.ndarray:
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
        if values.dtype.kind in "iu":
            if values.size and (values.max() >= len(self.outputs) or values.min() < 0):
                raise FilterDefinitionError(
                    f"Output indices must be in 0..{len(self.outputs) - 1} for {self.outputs}."
                )
            return values.astype(np.int32)
        index = {name: i for i, name in enumerate(self.outputs)}
        default = self.default_index
        return np.fromiter(
            (index.get(v, default) if isinstance(v, str) else default for v in values.tolist()),
            dtype=np.int32,
            count=num_rows,
        )

    def split(self, batch: pa.RecordBatch | pa.Table) -> dict[str, pa.RecordBatch | pa.Table]:
        """The batch's rows per output name."""
        routing = self.evaluate(batch)
        return {name: batch.filter(pa.array(routing == i)) for i, name in enumerate(self.outputs)}

    def spec(self) -> dict[str, Any]:
        """What promotion ships: declaration plus source."""
        try:
            source = textwrap.dedent(inspect.getsource(self.fn))
        except (OSError, TypeError):
            source = ""
        return {
            "language": "python",
            "name": self.name,
            "kind": self.kind,
            "outputs": self.outputs,
            "default_output": self.outputs[self.default_index] if self.kind == "switch" else None,
            "columns": self.columns,
            "input": self.input,
            "module": getattr(self.fn, "__module__", ""),
            "qualname": getattr(self.fn, "__qualname__", self.name),
            "source": source,
        }


def _as_numpy(result: Any) -> np.ndarray:
    if isinstance(result, pa.ChunkedArray | pa.Array):
        if result.null_count and pa.types.is_boolean(result.type):
            result = result.fill_null(False)
        return np.asarray(result.to_numpy(zero_copy_only=False))
    if hasattr(result, "to_numpy"):
        return np.asarray(result.to_numpy())
    return np.asarray(result)


def filter(
    kind: str = "switch",
    outputs: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    input: str = "pyarrow",
    name: str | None = None,
    default: str = "default",
) -> Callable[[Callable[[Any], Any]], Filter]:
    """Declares a batch filter::

        @alertlab.filter(kind="switch", outputs=["bright", "faint", "default"],
                         columns=["mag"], input="pandas")
        def by_mag(df):
            return np.where(df["mag"] < 18, "bright", "faint")

    ``columns`` limits what the function sees (and what a deployed worker is sent); ``input``
    chooses a pyarrow RecordBatch or a pandas DataFrame; ``default`` is a switch's output for
    rows routed to None or an unknown name."""

    def decorate(fn: Callable[[Any], Any]) -> Filter:
        return Filter(fn, kind, outputs, columns, input, name, default)

    return decorate
