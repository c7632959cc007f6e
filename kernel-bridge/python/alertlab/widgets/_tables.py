"""Turning what a notebook holds (pyarrow, pandas, astropy) into the tables the views draw."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# AB zero point of a flux in nanojansky: mag = 31.4 - 2.5 log10(flux / nJy).
AB_ZEROPOINT_NJY = 31.4
_MAG_ERR_PER_REL_FLUX = 2.5 / math.log(10)
# Signal-to-noise below which a forced measurement is drawn as an upper limit.
DETECTION_SNR = 5.0

POINT_SCHEMA = pa.schema(
    [
        ("objectId", pa.string()),
        ("alertId", pa.int64()),
        ("mjd", pa.float64()),
        ("band", pa.string()),
        ("mag", pa.float64()),
        ("magErr", pa.float64()),
        ("upperLimitMag", pa.float64()),
        ("flux", pa.float64()),
        ("fluxErr", pa.float64()),
        ("isDetection", pa.bool_()),
        ("forced", pa.bool_()),
    ]
)


def to_arrow(data: Any) -> pa.Table:
    """A ``pyarrow.Table`` from a Table, RecordBatch, list of batches, pandas or astropy Table."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, list | tuple) and data and all(isinstance(b, pa.RecordBatch) for b in data):
        return pa.Table.from_batches(list(data))
    if hasattr(data, "to_pandas") and data.__class__.__module__.startswith("astropy"):
        data = data.to_pandas()
    if data.__class__.__module__.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(
        f"Cannot draw a {type(data).__name__}: pass a pyarrow Table or RecordBatch (what "
        "alertlab.attach() yields), a pandas DataFrame or an astropy Table."
    )


def flux_to_ab_mag(flux_njy: Any, flux_err_njy: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """AB magnitude and its error from a flux in nJy (Rubin); NaN where the flux is not > 0."""
    flux = np.asarray(flux_njy, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(flux > 0, AB_ZEROPOINT_NJY - 2.5 * np.log10(flux), np.nan)
        if flux_err_njy is None:
            return mag, np.full_like(mag, np.nan)
        err = np.where(
            flux > 0, _MAG_ERR_PER_REL_FLUX * np.asarray(flux_err_njy, float) / flux, np.nan
        )
    return mag, err


def _floats(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    return table[name].cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)


def _explode_lightcurves(alerts: pa.Table) -> pa.Table:
    """One row per lightcurve entry of each alert (the canonical ``lightcurve`` column)."""
    lc = alerts["lightcurve"].combine_chunks()
    parents = pc.list_parent_indices(lc)
    entries = pc.list_flatten(lc)
    cols = {f.name: entries.field(f.name) for f in entries.type}
    cols["objectId"] = alerts["objectId"].take(parents)
    cols["alertId"] = alerts["alertId"].take(parents)
    return pa.table(cols)


def _keep_latest(points: pa.Table) -> pa.Table:
    """Drops repeats of one measurement that several alerts of an object carry in their history.

    One measurement is (object, band, mjd, forced): a forced point of the same visit as a
    detection is a different measurement. The latest alert's values win.
    """
    order = points.sort_by(
        [
            ("objectId", "ascending"),
            ("band", "ascending"),
            ("mjd", "ascending"),
            ("forced", "ascending"),
            ("alertId", "descending"),
        ]
    )
    obj = order["objectId"].to_numpy(zero_copy_only=False)
    band = order["band"].to_numpy(zero_copy_only=False)
    mjd = order["mjd"].to_numpy(zero_copy_only=False)
    forced = order["forced"].to_numpy(zero_copy_only=False)
    first = np.ones(order.num_rows, dtype=bool)
    first[1:] = (
        (obj[1:] != obj[:-1])
        | (band[1:] != band[:-1])
        | (mjd[1:] != mjd[:-1])
        | (forced[1:] != forced[:-1])
    )
    return order.filter(pa.array(first))


def lightcurve_points(data: Any) -> pa.Table:
    """Lightcurve points (``POINT_SCHEMA``) from alerts or from points.

    Alerts with the canonical ``lightcurve`` column are flattened (history + current detection,
    de-duplicated across alerts of one object). Otherwise each row is one point and needs
    ``objectId``, ``mjd``, ``band`` and ``mag`` or ``flux``. A missing magnitude is derived from
    the flux in nJy (AB); an upper limit missing on a non-detection is the 5-sigma flux limit.
    ``forced`` (forced photometry, Rubin ``prvDiaForcedSources``) is kept; absent, it is false.
    """
    table = to_arrow(data)
    if "lightcurve" in table.column_names:
        table = _explode_lightcurves(table)
    missing = [c for c in ("objectId", "mjd", "band") if c not in table.column_names]
    if missing or not ({"mag", "flux"} & set(table.column_names)):
        raise ValueError(
            f"A lightcurve needs columns objectId, mjd, band and mag or flux; missing "
            f"{missing or ['mag/flux']}. Pass alerts with the canonical `lightcurve` column "
            "(alertlab.attach batches) or a table of points."
        )
    n = table.num_rows
    flux, flux_err = _floats(table, "flux"), _floats(table, "fluxErr")
    mag, mag_err = _floats(table, "mag"), _floats(table, "magErr")
    derived_mag, derived_err = flux_to_ab_mag(flux, flux_err)
    mag = np.where(np.isnan(mag), derived_mag, mag)
    mag_err = np.where(np.isnan(mag_err), derived_err, mag_err)
    if "isDetection" in table.column_names:
        detected = table["isDetection"].fill_null(True).to_numpy(zero_copy_only=False).astype(bool)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            snr = np.where(np.isnan(flux), np.inf, flux / flux_err)
        detected = ~np.isnan(mag) & ~(snr < DETECTION_SNR)
    limit = _floats(table, "upperLimitMag")
    limit = np.where(
        np.isnan(limit) & ~detected, flux_to_ab_mag(DETECTION_SNR * flux_err)[0], limit
    )
    forced = (
        table["forced"].fill_null(False).cast(pa.bool_())
        if "forced" in table.column_names
        else pa.array(np.zeros(n, dtype=bool))
    )
    alert_id = (
        table["alertId"].cast(pa.int64())
        if "alertId" in table.column_names
        else pa.nulls(n, pa.int64())
    )
    points = pa.table(
        {
            "objectId": table["objectId"].cast(pa.string()),
            "alertId": alert_id,
            "mjd": pa.array(_floats(table, "mjd")),
            "band": table["band"].cast(pa.string()),
            "mag": pa.array(mag),
            "magErr": pa.array(mag_err),
            "upperLimitMag": pa.array(limit),
            "flux": pa.array(flux),
            "fluxErr": pa.array(flux_err),
            "isDetection": pa.array(detected),
            "forced": forced,
        },
        schema=POINT_SCHEMA,
    )
    return _keep_latest(points) if points.num_rows else points
