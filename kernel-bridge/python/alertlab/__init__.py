"""alertlab: astronomical alert streams in Python, served by the alertlab Node engine.

import alertlab
alertlab.connect()                       # finds or starts the engine
for batch in alertlab.attach("alerts.rubin", max_rows=10_000):
    df = alertlab.to_pandas(batch)       # int64 ids stay exact

Angles, everywhere in this API: an astropy ``Angle``/``Quantity`` in any angular unit, or a bare
number - degrees for positions (ra, dec), arcseconds for radii.

The filter decorator is :func:`alert_filter`; ``alertlab.filter`` is the same decorator, kept out
of ``__all__`` so that ``from alertlab import *`` does not shadow Python's built-in ``filter``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import pyarrow as pa

from ._connect import connect, default_client, disconnect
from ._convert import AngleLike, MatchResult, PositionLike, TableLike, to_astropy, to_pandas
from ._lightcurve import MjdLike
from ._objects import objects
from ._resume import ResetTo
from ._security import SecurityLike
from .backtesting import (
    AnyFilter,
    BacktestData,
    BacktestReport,
    CrossmatchSpec,
    SqlFilter,
    TsFilter,
    sql_filter,
    ts_filter,
)
from .client import Client
from .controller import ControllerError, PromotableFilter, backtest_remote
from .controller import promote as _promote
from .errors import (
    AlertlabError,
    BridgeNotReadyError,
    BridgeTimeoutError,
    FilterDefinitionError,
    ProtocolError,
    RemoteError,
    ShipError,
)
from .filters import Filter, FilterSpec, alert_filter
from .filters import filter as filter  # attribute only, not in __all__
from .reports import (
    GateEvidence,
    PingReply,
    PromoteResult,
    StreamEnd,
    StreamReject,
    TopicInfo,
)
from .stream import BatchStream
from .watch import in_watchlist, in_watchmap, watchlist_upload, watchmap_upload

__version__ = "0.1.0"

__all__ = [
    "AlertlabError",
    "AngleLike",
    "BacktestReport",
    "BatchStream",
    "BridgeNotReadyError",
    "BridgeTimeoutError",
    "Client",
    "ControllerError",
    "Filter",
    "FilterDefinitionError",
    "FilterSpec",
    "GateEvidence",
    "MatchResult",
    "PingReply",
    "PositionLike",
    "PromoteResult",
    "ProtocolError",
    "RemoteError",
    "ShipError",
    "SqlFilter",
    "StreamEnd",
    "StreamReject",
    "TableLike",
    "TopicInfo",
    "TsFilter",
    "alert_filter",
    "attach",
    "backtest",
    "cone",
    "connect",
    "crossmatch",
    "disconnect",
    "in_watchlist",
    "in_watchmap",
    "lightcurve",
    "objects",
    "ping",
    "promote",
    "sql_filter",
    "to_astropy",
    "to_pandas",
    "topics",
    "ts_filter",
    "watchlist_upload",
    "watchmap_upload",
    "widgets",  # subpackage, imported on use: `from alertlab.widgets import SkyMap`
]


def ping(timeout: float = 5.0) -> PingReply:
    """Heartbeat of the default engine (``timeout`` in seconds)."""
    return default_client().ping(timeout)


def topics() -> list[TopicInfo]:
    """Buffer topics of the default engine."""
    return default_client().topics()


def attach(
    topic: str,
    *,
    group: str | None = None,
    from_beginning: bool = True,
    max_rows: int | None = None,
    idle_timeout: float | None = None,
    credit: int = 4,
    heartbeat: float = 10.0,
    profile: str | None = None,
    resume: bool | None = None,
    reset_to: ResetTo | None = None,
    bootstrap_servers: str | None = None,
    security: SecurityLike | None = None,
) -> BatchStream:
    """Iterator of ``pyarrow.RecordBatch`` from ``topic`` on the default engine; see
    :meth:`Client.attach` (``idle_timeout`` and ``heartbeat`` in seconds; ``profile`` reads a
    public alert stream by its stream profile, resuming where this notebook stopped;
    ``reset_to`` rewinds: 'earliest', 'latest' or a time; ``bootstrap_servers`` and ``security``
    read another Kafka, with TLS/SASL settings as a dict or JSON file path)."""
    return default_client().attach(
        topic,
        group=group,
        from_beginning=from_beginning,
        max_rows=max_rows,
        idle_timeout=idle_timeout,
        credit=credit,
        heartbeat=heartbeat,
        profile=profile,
        resume=resume,
        reset_to=reset_to,
        bootstrap_servers=bootstrap_servers,
        security=security,
    )


def crossmatch(
    table: TableLike,
    catalogs: str | list[str],
    radius: AngleLike = 1.0,
    timeout: float | None = None,
) -> MatchResult:
    """Cross-matches pandas / pyarrow / astropy Table / SkyCoord rows against catalogs within
    ``radius`` (astropy Angle/Quantity, or a bare number in arcseconds; positions in degrees).
    Returns the caller's flavour; see :meth:`Client.crossmatch`."""
    return default_client().crossmatch(table, catalogs, radius, timeout)


def cone(
    ra: AngleLike | PositionLike,
    dec: AngleLike | None = None,
    radius: AngleLike = 1.0,
    catalog: str = "",
    timeout: float | None = None,
) -> pa.Table:
    """Cone search: catalog rows within ``radius`` of (ra, dec). Angles are astropy
    Angle/Quantity or bare numbers: degrees for ra/dec, arcseconds for radius; ``ra`` may be a
    SkyCoord. See :meth:`Client.cone`."""
    return default_client().cone(ra, dec, radius, catalog, timeout)


def lightcurve(
    object_id: str | int,
    topic: str | None = None,
    since: float | MjdLike | None = None,
    timeout: float | None = None,
    *,
    all_topics: bool = False,
) -> pa.Table:
    """The whole lightcurve of one object (every alert of it in the buffer topics - only ``topic``
    when given - and the archive), merged and sorted by MJD, as a pyarrow Table; ``since`` is an
    MJD in days or an astropy ``Time``; ``timeout`` in seconds. Without ``topic`` it searches the
    alert buffer topics (those of ``alertlab.buffers.json`` plus the topics already indexed);
    ``all_topics=True`` searches every topic of the cluster (slow the first time: each topic is
    indexed once). An unknown object gives an empty table whose schema metadata says
    ``found = 0`` and where it looked. See :meth:`Client.lightcurve`; pandas via ``to_pandas``."""
    return default_client().lightcurve(
        object_id, topic=topic, since=since, timeout=timeout, all_topics=all_topics
    )


@overload
def backtest(
    filter: AnyFilter,
    data: BacktestData | None = None,
    *,
    crossmatch: Sequence[CrossmatchSpec] | None = None,
    archive: str | None = None,
    nights: tuple[str, str] | None = None,
    batch_rows: int | None = None,
    keep_rows: int | None = None,
    timeout: float | None = None,
) -> BacktestReport: ...


@overload
def backtest(
    filter: AnyFilter,
    data: None = None,
    *,
    input: str,
    sample_alerts: int | None = None,
    url: str | None = None,
    token_file: str | None = None,
) -> GateEvidence: ...


def backtest(
    filter: AnyFilter,
    data: BacktestData | None = None,
    *,
    crossmatch: Sequence[CrossmatchSpec] | None = None,
    archive: str | None = None,
    nights: tuple[str, str] | None = None,
    batch_rows: int | None = None,
    keep_rows: int | None = None,
    timeout: float | None = None,
    input: str | None = None,
    sample_alerts: int | None = None,
    url: str | None = None,
    token_file: str | None = None,
) -> BacktestReport | GateEvidence:
    """Backtests a filter (``@alert_filter`` function, :func:`sql_filter` or :func:`ts_filter`)
    in the engine with a deployed stage's semantics, over ``data`` (pyarrow batch/table, a list of
    batches, pandas, astropy Table) or an ``archive`` stage's Parquet for ``nights`` (first, last,
    ``YYYY-MM-DD``); ``crossmatch`` adds cross-match columns (names, or (name, radius) with radius
    an astropy Angle/Quantity or arcseconds). Returns a :class:`BacktestReport`: counts, routed
    rows per output, dead letters with reasons, expected alerts per night. See
    :meth:`Client.backtest` (``timeout`` in seconds).

    With ``input="<topic>"`` and no data, runs the controller's deploy gate on that topic's last
    buffered alerts instead (:func:`alertlab.controller.backtest_remote`, a ``GateEvidence``;
    ``url`` and ``token_file`` name the controller as for :func:`promote`)."""
    if input is not None:
        if data is not None or archive is not None:
            raise ValueError(
                "input= runs the controller's gate on a topic's buffered alerts: pass it alone, "
                "or pass data / archive= to backtest in the engine."
            )
        return backtest_remote(
            filter, input, sample_alerts=sample_alerts, url=url, token_file=token_file
        )
    return default_client().backtest(
        filter,
        data,
        crossmatch=crossmatch,
        archive=archive,
        nights=nights,
        batch_rows=batch_rows,
        keep_rows=keep_rows,
        timeout=timeout,
    )


def promote(
    filter: PromotableFilter,
    topic: str | None = None,
    *,
    input: str | None = None,
    id: str | None = None,
    replicas: int | None = None,
    author: str | None = None,
    notebook: str | None = None,
    cell: int | None = None,
    manifest: dict[str, object] | None = None,
    sample_alerts: int | None = None,
    url: str | None = None,
    token_file: str | None = None,
    timeout: float = 120.0,
) -> PromoteResult:
    """Promotes a filter to a deployed stage reading ``topic`` through the controller's REST
    API (``input=`` is the same parameter; without a topic this raises, it never guesses).
    ``filter`` is an ``@alert_filter`` function, a :func:`sql_filter` or a :func:`ts_filter`. A
    Python function travels with the helpers, constants and imports it uses from the notebook; what
    cannot travel raises :class:`ShipError` naming it. See :func:`alertlab.controller.promote`
    (``timeout`` in seconds)."""
    return _promote(
        filter,
        topic,
        input=input,
        id=id,
        replicas=replicas,
        author=author,
        notebook=notebook,
        cell=cell,
        manifest=manifest,
        sample_alerts=sample_alerts,
        url=url,
        token_file=token_file,
        timeout=timeout,
    )
