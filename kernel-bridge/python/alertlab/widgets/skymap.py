"""``SkyMap``: an all-sky WebGL map of alerts with selection, colour by column, catalog overlays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import traitlets

from ._base import ArrowWidget, to_ipc
from ._tables import to_arrow
from .lightcurve import Lightcurve


def _degrees(value: Any) -> float:
    """Degrees from an astropy ``Angle``/``Quantity`` or a plain number (taken as degrees)."""
    if hasattr(value, "to_value"):
        return float(value.to_value("deg"))
    return float(value)


def _radec(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    for ra, dec in (("ra", "dec"), ("raDeg", "decDeg"), ("RA", "DEC")):
        if ra in table.column_names and dec in table.column_names:
            return (
                table[ra].cast(pa.float64()).to_numpy(zero_copy_only=False),
                table[dec].cast(pa.float64()).to_numpy(zero_copy_only=False),
            )
    raise ValueError(
        f"A sky map needs `ra` and `dec` columns in degrees; the table has {table.column_names}."
    )


def _as_radec_table(data: Any) -> pa.Table:
    if data.__class__.__name__ == "SkyCoord":
        icrs = data.icrs
        return pa.table({"ra": np.atleast_1d(icrs.ra.deg), "dec": np.atleast_1d(icrs.dec.deg)})
    return to_arrow(data)


class SkyMap(ArrowWidget):
    """Alerts on an all-sky Aitoff (or Mollweide) map, drawn with WebGL (10^5+ points).

    Box or lasso selection sets ``selected`` (row indices of ``table``); ``selected_alert_ids``
    and ``selected_rows`` give the alerts. ``link_lightcurve(lc)`` shows the selected objects in a
    :class:`Lightcurve`.

    >>> sky = SkyMap(batch, colour_by="mag")
    >>> sky.add_catalog("Tycho-2", stars)         # pyarrow/pandas/astropy table or SkyCoord
    >>> sky.zoom_to(SkyCoord(150, 2, unit="deg"), Angle(5, "deg"))
    """

    _model_name = traitlets.Unicode("SkyMapModel").tag(sync=True)
    _view_name = traitlets.Unicode("SkyMapView").tag(sync=True)
    _overlays = traitlets.Bytes(b"").tag(sync=True)
    colour_by = traitlets.Unicode("", help="Column that colours the points.").tag(sync=True)
    projection = traitlets.Enum(["aitoff", "mollweide"], "aitoff").tag(sync=True)
    selected = traitlets.List(traitlets.Int(), help="Row indices selected in the view.").tag(
        sync=True
    )
    marker_size = traitlets.Int(4, help="Marker size in pixels.").tag(sync=True)
    height = traitlets.Int(480, help="Plot height in pixels.").tag(sync=True)

    def __init__(self, data: Any = None, colour_by: str = "", **kwargs: Any) -> None:
        super().__init__(colour_by=colour_by, **kwargs)
        self._source = to_arrow(data) if data is not None else pa.table({"ra": [], "dec": []})
        self._catalogs: dict[str, pa.Table] = {}
        self._set_rows(self._wire_table(self._source))
        self.observe(self._recolour, names="colour_by")

    # -- data ---------------------------------------------------------------------------------
    def _wire_table(self, source: pa.Table) -> pa.Table:
        ra, dec = _radec(source)
        cols: dict[str, Any] = {
            "ra": pa.array(ra, pa.float64()),
            "dec": pa.array(dec, pa.float64()),
        }
        for name in ("alertId", "objectId"):
            if name in source.column_names:
                cols[name] = source[name]
        if self.colour_by:
            if self.colour_by not in source.column_names:
                raise ValueError(
                    f"Cannot colour by {self.colour_by!r}: no such column. "
                    f"Choose one of {source.column_names}."
                )
            col = source[self.colour_by]
            is_text = pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
            cols["colour"] = col if is_text else col.cast(pa.float64())
        return pa.table(cols)

    def _recolour(self, _change: dict[str, Any]) -> None:
        self._set_rows(self._wire_table(self._source))

    @property
    def source(self) -> pa.Table:
        """The alerts as given (all columns), rows in the order of ``selected`` indices."""
        return self._source

    def append(self, data: Any) -> None:
        """Adds alerts (live); only the new rows travel to the view."""
        new = to_arrow(data)
        self._source = pa.concat_tables([self._source, new], promote_options="default")
        self._append_rows(self._wire_table(new))

    def add_catalog(self, name: str, data: Any) -> None:
        """Draws a catalog (table with ra/dec in degrees, or a ``SkyCoord``) over the alerts."""
        ra, dec = _radec(_as_radec_table(data))
        self._catalogs[name] = pa.table(
            {"catalog": pa.array([name] * len(ra), pa.string()), "ra": ra, "dec": dec}
        )
        self._overlays = to_ipc(pa.concat_tables(list(self._catalogs.values())))

    # -- selection ----------------------------------------------------------------------------
    @property
    def selected_rows(self) -> pa.Table:
        """The selected alerts (all columns)."""
        return self._source.take(pa.array(self.selected, pa.int64()))

    @property
    def selected_alert_ids(self) -> list[int]:
        """``alertId`` of the selected alerts (exact 64-bit ints)."""
        if "alertId" not in self._source.column_names:
            return []
        return self.selected_rows["alertId"].to_pylist()

    def link_lightcurve(self, lightcurve: Lightcurve) -> None:
        """Shows the selected alerts' objects in ``lightcurve`` whenever the selection changes."""

        def update(_change: dict[str, Any]) -> None:
            rows = self.selected_rows
            ids = rows["objectId"].to_pylist() if "objectId" in rows.column_names else []
            lightcurve.show(list(dict.fromkeys(str(i) for i in ids)))

        self.observe(update, names="selected")

    # -- view ---------------------------------------------------------------------------------
    def zoom_to(self, centre: Any, radius: Any = 5.0) -> None:
        """Zooms to ``centre`` (``SkyCoord`` or (ra, dec) degrees) within ``radius`` (Angle/deg)."""
        if centre.__class__.__name__ == "SkyCoord":
            ra_deg, dec_deg = float(centre.icrs.ra.deg), float(centre.icrs.dec.deg)
        else:
            ra_deg, dec_deg = (_degrees(v) for v in centre)
        self._call_view("zoom_to", raDeg=ra_deg, decDeg=dec_deg, radiusDeg=_degrees(radius))

    def reset_zoom(self) -> None:
        """Shows the whole sky again."""
        self._call_view("reset_zoom")
