"""Watchlists and watchmaps from a notebook, through the alertlab controller's REST API.

    import alertlab.watch as watch
    from astropy.table import Table
    t = Table({"name": ["SN 2026a"], "ra": [150.1], "dec": [2.2], "radius": [3.0]})
    watch.watchlist_upload("my-sne", t)                       # add (replace=True replaces)
    watch.watchmap_upload("cosmos", cone=(150.1, 2.2, 1.0))   # a 1-degree cone, as a MOC
    watch.watchlists()                                        # what is there, with versions

Running stages whose manifest has ``"watch": {"watchlists": [...], "watchmaps": [...]}`` pick up
every change on their next batch: no redeploy. In filters, the batch carries the columns
``watchlists`` and ``watchmaps`` (``",a,b,"``); :func:`in_watchlist` / :func:`in_watchmap` read
them (SQL filters call ``in_watchlist('a')`` / ``in_watchmap('a')``).

Positions are degrees (or astropy angles), radii arcseconds.

Each list and map belongs to the user whose token uploaded it: private unless uploaded with
``shared=True`` (then every user may list it and name it in a stage); only its owner or an admin
replaces or removes it (a :class:`ControllerError` with status 403 otherwise).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .controller import ControllerError, _send

__all__ = [
    "WatchlistInfo",
    "WatchmapInfo",
    "in_watchlist",
    "in_watchmap",
    "watchlist_remove",
    "watchlist_upload",
    "watchlists",
    "watchmap_remove",
    "watchmap_upload",
    "watchmaps",
]


@dataclass(frozen=True)
class WatchlistInfo:
    """One watchlist: ``sources`` rows, ``version`` (load time, ms), largest radius (arcsec)."""

    name: str
    sources: int
    version: int
    loaded_at: str
    max_radius_arcsec: float
    source: str
    owner: str | None = None
    shared: bool = False


@dataclass(frozen=True)
class WatchmapInfo:
    """One watchmap: MOC ``depth``, covered ``sky_fraction``, ``cells`` and ``version`` (mtime)."""

    name: str
    depth: int
    sky_fraction: float
    cells: int
    version: float
    owner: str | None = None
    shared: bool = False


def _in_unit(values: Any, unit: str) -> np.ndarray:
    """Numbers in ``unit`` from bare numbers (taken as ``unit``), an astropy Quantity/Angle, or
    an astropy Table column that carries a unit."""
    if getattr(values, "unit", None) is not None and hasattr(values, "quantity"):
        values = values.quantity  # a Table column with a unit
    to = getattr(values, "to_value", None)
    if to is not None:
        return np.asarray(to(unit), dtype=float)
    return np.asarray(values, dtype=float)


def _degrees(values: Any) -> np.ndarray:
    return _in_unit(values, "deg")


def _arcsec(values: Any) -> np.ndarray:
    return _in_unit(values, "arcsec")


def _csv_of(sources: Any, radius: float | None) -> bytes:
    """CSV text of an astropy Table, pandas DataFrame, pyarrow Table or dict of columns."""
    if isinstance(sources, pa.Table):
        cols: dict[str, Any] = {n: sources.column(n).to_numpy() for n in sources.column_names}
    elif hasattr(sources, "columns") and hasattr(sources, "to_dict"):  # pandas
        cols = {str(c): sources[c].to_numpy() for c in sources.columns}
    elif hasattr(sources, "colnames"):  # astropy Table / QTable
        cols = {n: sources[n] for n in sources.colnames}
    elif isinstance(sources, dict):
        cols = dict(sources)
    else:
        raise ControllerError(
            "watchlist_upload takes an astropy Table, a pandas DataFrame, a pyarrow Table, a "
            "dict of columns or a file path (CSV or VOTable)."
        )
    lower = {k.lower(): k for k in cols}
    missing = [k for k in ("name", "ra", "dec") if k not in lower]
    if missing:
        raise ControllerError(
            f"The watchlist lacks column(s) {', '.join(missing)}: give name, ra, dec "
            f"(degrees) and optionally radius (arcsec); it has {', '.join(cols)}."
        )
    names = [str(x) for x in cols[lower["name"]]]
    ra = _degrees(cols[lower["ra"]])
    dec = _degrees(cols[lower["dec"]])
    rad = _arcsec(cols[lower["radius"]]) if "radius" in lower else None
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["name", "ra", "dec", "radius"])
    for i, n in enumerate(names):
        r = rad[i] if rad is not None else (radius if radius is not None else "")
        w.writerow([n, repr(float(ra[i])), repr(float(dec[i])), r])
    return out.getvalue().encode()


def _list_info(d: dict[str, Any]) -> WatchlistInfo:
    return WatchlistInfo(
        name=d["name"],
        sources=int(d["sources"]),
        version=int(d["version"]),
        loaded_at=str(d["loadedAt"]),
        max_radius_arcsec=float(d["maxRadiusArcsec"]),
        source=str(d["source"]),
        owner=d.get("owner"),
        shared=bool(d.get("shared", False)),
    )


def _map_info(d: dict[str, Any]) -> WatchmapInfo:
    return WatchmapInfo(
        name=d["name"],
        depth=int(d["depth"]),
        sky_fraction=float(d["skyFraction"]),
        cells=int(d["cells"]),
        version=float(d["version"]),
        owner=d.get("owner"),
        shared=bool(d.get("shared", False)),
    )


def watchlist_upload(
    name: str,
    sources: Any,
    *,
    radius: float | None = None,
    replace: bool = False,
    shared: bool | None = None,
    url: str | None = None,
    token_file: str | Path | None = None,
    timeout: float = 600.0,
) -> WatchlistInfo:
    """Uploads a watchlist of up to 1,000,000 sources to the controller.

    ``sources``: an astropy Table, pandas DataFrame, pyarrow Table or dict with columns ``name``,
    ``ra``, ``dec`` (degrees or astropy angles) and optionally ``radius`` (arcsec or an astropy
    angle); or a path to a CSV or VOTable file. ``radius`` (arcsec) applies to sources without
    one (the controller's default is 2″). ``replace=True`` replaces a list of that name (without
    it an existing list is an error). ``shared=True`` lets every user read it and name it in a
    stage (``False`` makes it private again; ``None`` keeps what it was, private when new).
    Returns the new list's :class:`WatchlistInfo`."""
    if isinstance(sources, str | Path):
        path = Path(sources)
        body = path.read_bytes()
        xml = path.suffix.lower() in (".xml", ".vot", ".votable")
        ctype = "application/x-votable+xml" if xml else "text/csv"
    else:
        body, ctype = _csv_of(sources, radius), "text/csv"
    params = [] if radius is None else [f"radius={float(radius)}"]
    if shared is not None:
        params.append(f"shared={'true' if shared else 'false'}")
    query = f"?{'&'.join(params)}" if params else ""
    method = "PUT" if replace else "POST"
    reply = _send(method, f"/watchlists/{name}{query}", body, ctype, url, token_file, timeout)
    return _list_info(reply)


def watchlists(
    *, url: str | None = None, token_file: str | Path | None = None
) -> list[WatchlistInfo]:
    """The controller's watchlists, by name."""
    reply = _send("GET", "/watchlists", None, "application/json", url, token_file, 60.0)
    return [_list_info(d) for d in reply["watchlists"]]


def watchlist_remove(
    name: str, *, url: str | None = None, token_file: str | Path | None = None
) -> None:
    """Removes a watchlist (a :class:`ControllerError` with status 404 when there is none)."""
    _send("DELETE", f"/watchlists/{name}", None, "application/json", url, token_file, 60.0)


def watchmap_upload(
    name: str,
    moc: Any = None,
    *,
    cone: tuple[float, float, float] | None = None,
    polygon: list[tuple[float, float]] | None = None,
    healpix: tuple[int, list[int]] | None = None,
    depth: int = 10,
    shared: bool | None = None,
    url: str | None = None,
    token_file: str | Path | None = None,
) -> WatchmapInfo:
    """Adds or replaces a watchmap: a MOC (a mocpy ``MOC``, a MOC JSON dict, or a path to a MOC
    JSON/FITS file), or a shape — ``cone=(ra, dec, radius_deg)``, ``polygon=[(ra, dec), ...]``
    (degrees) or ``healpix=(order, [ipix, ...])`` (NESTED) — built at ``depth``. ``shared`` as
    for :func:`watchlist_upload`."""
    if cone is not None:
        body: bytes = json.dumps(
            {"cone": {"ra": cone[0], "dec": cone[1], "radiusDeg": cone[2]}, "depth": depth}
        ).encode()
    elif polygon is not None:
        body = json.dumps(
            {"polygon": [list(map(float, p)) for p in polygon], "depth": depth}
        ).encode()
    elif healpix is not None:
        body = json.dumps(
            {"healpix": {"order": int(healpix[0]), "cells": [int(c) for c in healpix[1]]}}
        ).encode()
    elif isinstance(moc, str | Path):
        body = Path(moc).read_bytes()
    elif isinstance(moc, dict):
        body = json.dumps(moc).encode()
    elif moc is not None and hasattr(moc, "serialize"):  # mocpy.MOC
        body = json.dumps(moc.serialize("json")).encode()
    else:
        raise ControllerError(
            "watchmap_upload needs a MOC (mocpy MOC, JSON dict or file) or cone=/polygon=/healpix=."
        )
    query = "" if shared is None else f"?shared={'true' if shared else 'false'}"
    reply = _send(
        "PUT", f"/watchmaps/{name}{query}", body, "application/json", url, token_file, 120.0
    )
    return _map_info(reply)


def watchmaps(
    *, url: str | None = None, token_file: str | Path | None = None
) -> list[WatchmapInfo]:
    """The controller's watchmaps, by name."""
    reply = _send("GET", "/watchmaps", None, "application/json", url, token_file, 60.0)
    return [_map_info(d) for d in reply["watchmaps"]]


def watchmap_remove(
    name: str, *, url: str | None = None, token_file: str | Path | None = None
) -> None:
    """Removes a watchmap (a :class:`ControllerError` with status 404 when there is none)."""
    _send("DELETE", f"/watchmaps/{name}", None, "application/json", url, token_file, 60.0)


def _membership(values: Any, name: str) -> Any:
    token = f",{name},"
    if isinstance(values, str | None):
        return values is not None and token in values
    if isinstance(values, pa.ChunkedArray | pa.Array):
        values = values.to_pylist()
    if hasattr(values, "str"):  # pandas Series
        return values.fillna("").str.contains(token, regex=False)
    return np.array([v is not None and token in v for v in values], dtype=bool)


def in_watchlist(batch: Any, name: str) -> Any:
    """Which alerts matched watchlist ``name``: a bool per row of a pandas DataFrame or pyarrow
    Table/RecordBatch (its ``watchlists`` column), or one bool for a row (dict) or cell value."""
    if isinstance(batch, dict):
        return _membership(batch.get("watchlists"), name)
    if isinstance(batch, pa.Table | pa.RecordBatch):
        return _membership(batch.column("watchlists"), name)
    if hasattr(batch, "columns"):
        return _membership(batch["watchlists"], name)
    return _membership(batch, name)


def in_watchmap(batch: Any, name: str) -> Any:
    """Which alerts lie in watchmap ``name`` (the ``watchmaps`` column); as :func:`in_watchlist`."""
    if isinstance(batch, dict):
        return _membership(batch.get("watchmaps"), name)
    if isinstance(batch, pa.Table | pa.RecordBatch):
        return _membership(batch.column("watchmaps"), name)
    if hasattr(batch, "columns"):
        return _membership(batch["watchmaps"], name)
    return _membership(batch, name)
