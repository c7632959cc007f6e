"""``Lightcurve``: magnitudes (or Rubin fluxes) against MJD, per object and band, live."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import traitlets

from ._base import ArrowWidget
from ._tables import POINT_SCHEMA, lightcurve_points, to_arrow

if TYPE_CHECKING:
    from .._lightcurve import MjdLike

_KEY = ("objectId", "band", "mjd", "forced")


class Lightcurve(ArrowWidget):
    """Lightcurves of one or several objects, side by side, one colour per band.

    Detections are filled circles with error bars, forced photometry open diamonds with error
    bars, upper limits open down-triangles at the limiting magnitude; hover shows the alert id and
    the date. The time axis reads in MJD (``time="mjd"``) or as calendar dates (``time="date"``).
    ``data`` is alerts (``alertlab.attach`` batches, with the ``lightcurve`` column) or a table of
    points (see :func:`lightcurve_points`).

    >>> lc = Lightcurve(batch)                 # first objects of the batch
    >>> lc.show(["ZTF26aamcbly"])              # or objects=[...]
    >>> lc.append(next_batch)                  # live: only the new rows travel
    >>> Lightcurve.from_object("ZTF19acihgng", time="date")   # the whole buffered lightcurve
    """

    _model_name = traitlets.Unicode("LightcurveModel").tag(sync=True)
    _view_name = traitlets.Unicode("LightcurveView").tag(sync=True)
    y = traitlets.Enum(["mag", "flux"], "mag", help="AB magnitude, or flux in nJy (Rubin).").tag(
        sync=True
    )
    time = traitlets.Enum(
        ["mjd", "date"], "mjd", help="Time axis: MJD (plain numbers) or calendar dates (UTC)."
    ).tag(sync=True)
    objects = traitlets.List(traitlets.Unicode(), help="Objects shown; empty: the first ones.").tag(
        sync=True
    )
    max_panels = traitlets.Int(6, help="Most objects side by side.").tag(sync=True)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_rows(lightcurve_points(data) if data is not None else POINT_SCHEMA.empty_table())

    @classmethod
    def from_object(
        cls,
        object_id: str | int,
        topic: str | None = None,
        since: float | MjdLike | None = None,
        **kwargs: Any,
    ) -> Lightcurve:
        """The whole lightcurve of one object, as :func:`alertlab.lightcurve` finds it.

        Every point of every alert of ``object_id`` (a ZTF objectId or a Rubin diaObjectId, str
        or int) in the buffer topics (only ``topic`` when given) and in the archive,
        de-duplicated and sorted by MJD; ``since`` keeps points from that time on (a bare number
        is an MJD in days, or an astropy ``Time``). Other keyword arguments are traits
        (``y="flux"``, ``time="date"``, ``height=``...).
        """
        from .. import lightcurve as fetch_lightcurve

        table = fetch_lightcurve(object_id, topic=topic, since=since)
        return cls(object_points(table, object_id), objects=[str(object_id)], **kwargs)

    @property
    def points(self) -> pa.Table:
        """Every point held (``POINT_SCHEMA``)."""
        return self.table if self.table is not None else POINT_SCHEMA.empty_table()

    @property
    def object_ids(self) -> list[str]:
        """Objects that have points, in order of first appearance."""
        return list(dict.fromkeys(self.points["objectId"].to_pylist()))

    def show(self, objects: Iterable[Any] | None) -> None:
        """Shows these objects (ids as str or int); ``None`` or empty shows the first ones."""
        self.objects = [str(o) for o in objects] if objects else []

    def append(self, data: Any) -> int:
        """Adds the points of new alerts (or points); returns how many were new."""
        new = lightcurve_points(data)
        old = self.points
        if old.num_rows and new.num_rows:
            seen = set(zip(*(old[k].to_pylist() for k in _KEY), strict=True))
            keep = [k not in seen for k in zip(*(new[k].to_pylist() for k in _KEY), strict=True)]
            new = new.filter(pa.array(np.asarray(keep, dtype=bool)))
        self._append_rows(new)
        return new.num_rows


def object_points(table: Any, object_id: str | int) -> pa.Table:
    """Points (``POINT_SCHEMA``) of one object's lightcurve table (``alertlab.lightcurve``).

    That table has one row per point (``mjd``, ``band``, ``flux``, ``fluxErr``, ``mag``,
    ``magErr``, ``isDetection``, ``upperLimitMag``, ``forced``, and where each point came from);
    the object id is added when it has no ``objectId`` column.
    """
    points = to_arrow(table)
    if "objectId" not in points.column_names:
        points = points.append_column(
            "objectId", pa.array([str(object_id)] * points.num_rows, pa.string())
        )
    return lightcurve_points(points)
