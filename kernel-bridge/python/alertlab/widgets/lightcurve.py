"""``Lightcurve``: magnitudes (or Rubin fluxes) against MJD, per object and band, live."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import traitlets

from ._base import ArrowWidget
from ._tables import POINT_SCHEMA, lightcurve_points


class Lightcurve(ArrowWidget):
    """Lightcurves of one or several objects, side by side, one colour per band.

    Detections carry error bars; non-detections are upper-limit triangles; hover shows the alert
    id and the date. ``data`` is alerts (``alertlab.attach`` batches, with the ``lightcurve``
    column) or a table of points (see :func:`lightcurve_points`).

    >>> lc = Lightcurve(batch)                 # first objects of the batch
    >>> lc.show(["ZTF26aamcbly"])              # or objects=[...]
    >>> lc.append(next_batch)                  # live: only the new rows travel
    """

    _model_name = traitlets.Unicode("LightcurveModel").tag(sync=True)
    _view_name = traitlets.Unicode("LightcurveView").tag(sync=True)
    y = traitlets.Enum(["mag", "flux"], "mag", help="AB magnitude, or flux in nJy (Rubin).").tag(
        sync=True
    )
    objects = traitlets.List(traitlets.Unicode(), help="Objects shown; empty: the first ones.").tag(
        sync=True
    )
    max_panels = traitlets.Int(6, help="Most objects side by side.").tag(sync=True)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_rows(lightcurve_points(data) if data is not None else POINT_SCHEMA.empty_table())

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
            seen = set(
                zip(
                    old["objectId"].to_pylist(),
                    old["band"].to_pylist(),
                    old["mjd"].to_pylist(),
                    strict=True,
                )
            )
            keep = [
                (o, b, m) not in seen
                for o, b, m in zip(
                    new["objectId"].to_pylist(),
                    new["band"].to_pylist(),
                    new["mjd"].to_pylist(),
                    strict=True,
                )
            ]
            new = new.filter(pa.array(np.asarray(keep, dtype=bool)))
        self._append_rows(new)
        return new.num_rows
