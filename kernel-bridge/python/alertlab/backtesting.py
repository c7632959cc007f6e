"""Backtests in the engine, with a deployed stage's semantics.

``alertlab.backtest(f, data)`` sends ``data`` (a pyarrow RecordBatch or Table, a list of batches,
a pandas DataFrame or an astropy Table) to the engine, which runs the filter exactly as a stage
would: the data are cut into the stage's chunks (``batch_rows``, 5000 by default), given the
cross-match columns of ``crossmatch=[...]`` (``xm_<catalog>_count``, ``_id``, ``_sepArcsec``)
and the lightcurve features (``ndet``, ``latestMag_<band>``, ``riseRate``...), then routed by the
filter built as a stage builds it — SQL in the locked DuckDB, TypeScript in a worker thread,
Python in a worker process — with the stage's time limit. A chunk the filter fails on is
dead-lettered whole, with the stage's reason. ``archive="<stage>"`` (an archive stage's id or its
directory) and ``nights=(first, last)`` read the archive's Parquet instead, file by file.

Filters: an ``@alertlab.alert_filter`` function, or one of the constructors here for the other
languages::

    bright = alertlab.sql_filter("mag < 19 AND survey = 'rubin'")                 # yes/no
    split = alertlab.sql_filter("ndet >= 10", kind="leftright")
    kinds = alertlab.sql_filter(
        "CASE WHEN xm_hipparcos_count > 0 THEN 'star' WHEN isMovingObject THEN 'sso' END",
        kind="switch", outputs=["star", "sso", "other"], default="other")
    ts = alertlab.ts_filter(open("my_filter.ts").read())  # export default defineFilter(...)

The yield per night is extrapolated from the event time of the data (the ``mjd`` column): one
night per observing night present (nights split at the UTC hour in the middle of the daytime the
exposures show: Rubin's ``day_obs`` grouping; a ZTF night, which straddles noon UTC, stays one);
data from a single night stand for the part of a 10 h night they span (at least one 39 s visit,
at most one night). :attr:`OutputReport.per_night` is that figure;
:attr:`OutputReport.estimated_per_night` is the older fraction x 10 million (Rubin's rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

import pyarrow as pa

from ._backtest_report import (
    BacktestReport,
    DeadLetterGroup,
    EventTime,
    OutputReport,
    report_of,
)
from ._convert import (
    AngleLike,
    TableLike,
    arcsec,
    ipc_bytes,
    to_arrow_table,
    without_dictionaries,
)
from ._transport import Channel
from .errors import FilterDefinitionError
from .filters import Filter

__all__ = [
    "AnyFilter",
    "BacktestData",
    "BacktestReport",
    "CrossmatchSpec",
    "DeadLetterGroup",
    "EventTime",
    "OutputReport",
    "SqlFilter",
    "TsFilter",
    "filter_section",
    "run_backtest",
    "sql_filter",
    "ts_filter",
]


class HasChannel(Protocol):
    """What a backtest needs of a :class:`~alertlab.Client`: its channel to the engine (typed
    structurally, so this module does not import the client that imports it)."""

    @property
    def channel(self) -> Channel: ...


Kind: TypeAlias = Literal["yesno", "leftright", "switch"]
#: What ``data`` may be: one table or batch (any flavour), or a list of pyarrow batches/tables.
BacktestData: TypeAlias = "TableLike | Sequence[pa.RecordBatch | pa.Table]"
#: A catalog name (the radius is 1 arcsec), or (name, radius): radius an astropy Angle/Quantity
#: or a bare number in arcseconds.
CrossmatchSpec: TypeAlias = "str | tuple[str, AngleLike]"

DEFAULT_RADIUS_ARCSEC = 1.0


@dataclass(frozen=True)
class SqlFilter:
    """A SQL filter, as a stage manifest declares one (see :func:`sql_filter`)."""

    sql: str
    kind: Kind = "yesno"
    outputs: tuple[str, ...] | None = None
    default: str | None = None
    columns: tuple[str, ...] = ()
    name: str = "sql"
    #: per-chunk time limit, milliseconds
    timeout_ms: int | None = None

    def section(self) -> dict[str, object]:
        """The manifest's ``filter`` section."""
        return _section(
            "sql",
            self.sql,
            self.kind,
            self.outputs,
            self.default,
            self.columns,
            self.name,
            self.timeout_ms,
        )


@dataclass(frozen=True)
class TsFilter:
    """A TypeScript filter module (``export default defineFilter({...})``; import
    ``defineFilter`` from ``@alertlab/sdk``); see :func:`ts_filter`."""

    source: str
    kind: Kind = "yesno"
    outputs: tuple[str, ...] | None = None
    default: str | None = None
    name: str = "typescript"
    timeout_ms: int | None = None

    def section(self) -> dict[str, object]:
        return _section(
            "typescript",
            self.source,
            self.kind,
            self.outputs,
            self.default,
            (),
            self.name,
            self.timeout_ms,
        )


def _section(
    language: str,
    source: str,
    kind: Kind,
    outputs: tuple[str, ...] | None,
    default: str | None,
    columns: tuple[str, ...],
    name: str,
    timeout_ms: int | None,
) -> dict[str, object]:
    out: dict[str, object] = {"language": language, "kind": kind, "source": source}
    if outputs is not None:
        out["outputs"] = list(outputs)
    if default is not None:
        out["defaultOutput"] = default
    if columns:
        out["columns"] = list(columns)
    if timeout_ms is not None:
        out["timeoutMs"] = int(timeout_ms)
    return out


def sql_filter(
    sql: str,
    kind: Kind = "yesno",
    outputs: Sequence[str] | None = None,
    default: str | None = None,
    columns: Sequence[str] = (),
    name: str = "sql",
    timeout_ms: int | None = None,
) -> SqlFilter:
    """A SQL filter for :func:`alertlab.backtest` (and a manifest): for ``yesno`` and
    ``leftright`` a boolean expression over the batch's columns (true: pass / left), for
    ``switch`` an expression giving an output name (NULL or an unknown name: ``default``).
    Columns are inferred from the SQL; ``columns`` adds any it cannot see."""
    if not isinstance(sql, str) or not sql.strip():
        raise FilterDefinitionError('sql_filter needs the SQL text, e.g. "mag < 19".')
    return SqlFilter(
        sql,
        kind,
        tuple(outputs) if outputs is not None else None,
        default,
        tuple(columns),
        name,
        timeout_ms,
    )


def ts_filter(
    source: str,
    kind: Kind = "yesno",
    outputs: Sequence[str] | None = None,
    default: str | None = None,
    name: str = "typescript",
    timeout_ms: int | None = None,
) -> TsFilter:
    """A TypeScript filter for :func:`alertlab.backtest`: ``source`` is a module whose default
    export is ``defineFilter({kind, outputs, columns, fn})`` (``import { defineFilter } from
    '@alertlab/sdk'``); ``kind``/``outputs`` must agree with it."""
    if "export default" not in source:
        raise FilterDefinitionError(
            "ts_filter needs a module with `export default defineFilter({...})`."
        )
    return TsFilter(
        source, kind, tuple(outputs) if outputs is not None else None, default, name, timeout_ms
    )


AnyFilter: TypeAlias = "Filter | SqlFilter | TsFilter"


def filter_section(f: AnyFilter) -> dict[str, object]:
    """The stage manifest's ``filter`` section of any filter (a Python one ships its module):
    what the engine's backtest, the controller's gate and a deployed stage all build from."""
    if isinstance(f, SqlFilter | TsFilter):
        return f.section()
    if isinstance(f, Filter):
        spec = f.spec()
        out: dict[str, object] = {
            "language": "python",
            "kind": spec["kind"],
            "outputs": list(spec["outputs"]),
            "columns": list(spec["columns"] or []),
            "source": spec["source"],
            "entry": spec["entry"],
        }
        if spec["default_output"]:
            out["defaultOutput"] = spec["default_output"]
        return out
    raise FilterDefinitionError(
        f"Cannot backtest a {type(f).__name__}: pass an @alertlab.alert_filter function, "
        "alertlab.sql_filter(...) or alertlab.ts_filter(...)."
    )


def crossmatch_specs(crossmatch: Sequence[CrossmatchSpec] | None) -> list[dict[str, object]]:
    """``["hipparcos", ("tycho2", 2 * u.arcsec)]`` -> the wire's [{name, radius_arcsec}]."""
    out: list[dict[str, object]] = []
    for item in crossmatch or []:
        if isinstance(item, str):
            out.append({"name": item, "radius_arcsec": DEFAULT_RADIUS_ARCSEC})
        else:
            name, radius = item
            out.append({"name": str(name), "radius_arcsec": arcsec(radius)})
    return out


def data_buffers(data: BacktestData) -> list[pa.Buffer]:
    """One Arrow IPC stream per table (a list of batches: one per batch), whole batches."""
    tables = data if isinstance(data, list | tuple) else [data]
    return [ipc_bytes(without_dictionaries(to_arrow_table(d))) for d in tables]


def run_backtest(
    client: HasChannel,
    f: AnyFilter,
    data: BacktestData | None = None,
    *,
    crossmatch: Sequence[CrossmatchSpec] | None = None,
    archive: str | None = None,
    nights: tuple[str, str] | None = None,
    batch_rows: int | None = None,
    keep_rows: int | None = None,
    timeout: float | None = None,
) -> BacktestReport:
    """The request :meth:`Client.backtest` sends; see the module documentation."""
    if (data is None) == (archive is None):
        raise FilterDefinitionError(
            "backtest needs data (a pyarrow/pandas/astropy table or a list of batches) or "
            "archive='<archive stage or directory>', not both."
        )
    if isinstance(data, list | tuple) and len(data) == 0:
        raise ValueError("backtest got an empty list of batches: pass at least one batch or table.")
    if nights is not None and archive is None:
        raise ValueError(
            "nights= selects nights of an archive: pass archive='<archive stage>' with it, "
            "or select the rows of your data yourself."
        )
    content: dict[str, object] = {"filter": filter_section(f), "name": f.name}
    xm = crossmatch_specs(crossmatch)
    if xm:
        content["crossmatch"] = xm
    if archive is not None:
        content["archive"] = archive
        if nights is not None:
            content["nights"] = [str(nights[0]), str(nights[1])]
    if batch_rows is not None:
        content["batch_rows"] = int(batch_rows)
    if keep_rows is not None:
        content["keep_rows"] = int(keep_rows)
    buffers = [] if data is None else data_buffers(data)
    msg = client.channel.request("backtest_request", content, buffers, timeout_s=timeout or 600.0)
    return report_of(msg.content, msg.buffers)
