"""alertlab: astronomical alert streams in Python, served by the alertlab Node engine.

import alertlab
alertlab.connect()                       # finds or starts the engine
for batch in alertlab.attach("alerts.rubin", max_rows=10_000):
    df = batch.to_pandas()
"""

from __future__ import annotations

from typing import Any

from ._connect import connect, default_client, disconnect
from ._convert import to_pandas
from .client import Client
from .errors import (
    AlertlabError,
    BridgeNotReadyError,
    BridgeTimeoutError,
    FilterDefinitionError,
    ProtocolError,
    RemoteError,
)
from .filters import Filter, filter
from .stream import BatchStream

__version__ = "0.1.0"

__all__ = [
    "AlertlabError",
    "BatchStream",
    "BridgeNotReadyError",
    "BridgeTimeoutError",
    "Client",
    "Filter",
    "FilterDefinitionError",
    "ProtocolError",
    "RemoteError",
    "attach",
    "backtest",
    "cone",
    "connect",
    "crossmatch",
    "disconnect",
    "filter",
    "lightcurve",
    "ping",
    "promote",
    "to_pandas",
    "topics",
    "widgets",  # subpackage, imported on use: `from alertlab.widgets import SkyMap`
]


def ping(timeout: float = 5.0) -> dict[str, Any]:
    """Heartbeat of the default engine."""
    return default_client().ping(timeout)


def topics() -> list[dict[str, Any]]:
    """Buffer topics of the default engine."""
    return default_client().topics()


def attach(topic: str, **options: Any) -> BatchStream:
    """Iterator of ``pyarrow.RecordBatch`` from ``topic``; see :meth:`Client.attach`."""
    return default_client().attach(topic, **options)


def crossmatch(table: Any, catalogs: str | list[str], radius: Any = 1.0, **options: Any) -> Any:
    """Cross-match pandas / pyarrow / astropy Table / SkyCoord; see :meth:`Client.crossmatch`."""
    return default_client().crossmatch(table, catalogs, radius, **options)


def cone(ra: Any, dec: Any = None, radius: Any = 1.0, catalog: str = "", **options: Any) -> Any:
    """Cone search; see :meth:`Client.cone`."""
    return default_client().cone(ra, dec, radius, catalog, **options)


def lightcurve(object_id: str | int, **options: Any) -> Any:
    """Lightcurve of one object; see :meth:`Client.lightcurve`."""
    return default_client().lightcurve(object_id, **options)


def backtest(filter: Filter, data: Any = None, **options: Any) -> dict[str, Any]:
    """Backtest a filter: with ``input="<topic>"`` on the controller's gate
    (:func:`alertlab.controller.backtest_remote`), else in the engine (:meth:`Client.backtest`)."""
    if data is None and "input" in options:
        from .controller import backtest_remote

        return backtest_remote(filter, **options)
    return default_client().backtest(filter, data, **options)


def promote(filter: Filter, **options: Any) -> dict[str, Any]:
    """Promote a filter to a deployed stage through the controller's REST API; see
    :func:`alertlab.controller.promote`."""
    from .controller import promote as promote_remote

    return promote_remote(filter, **options)
