"""``alertlab.objects(sql, stage=...)``: query a stage's object state through the controller.

A stage deployed with ``"objects": true`` keeps one row per object (alert count, first and last
detection, detections, latest and peak magnitude per band, rise/decline rate, g-r, cross-match
summary, latest annotation); the controller materialises it from the stage's changelog topic.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from .controller import _request

#: Arrow types of the objects table's columns by the JSON type names the controller sends.
_TYPES: dict[str, pa.DataType] = {
    "Utf8": pa.string(),
    "Float64": pa.float64(),
    "Float32": pa.float32(),
    "Int32": pa.int32(),
    "Int64": pa.int64(),
    "Bool": pa.bool_(),
}


def _column(values: list[object], type_name: str) -> pa.Array:
    arrow_type = _TYPES.get(type_name, pa.string())
    if pa.types.is_int64(arrow_type):
        # 64-bit ids come as decimal strings: exact, never through a float
        return pa.array([None if v is None else int(str(v)) for v in values], pa.int64())
    return pa.array(values, arrow_type)


def objects(
    sql: str,
    stage: str,
    *,
    max_rows: int = 100_000,
    url: str | None = None,
    token_file: str | Path | None = None,
    timeout: float = 60.0,
) -> pa.Table:
    """Runs one SELECT over table ``objects`` of ``stage`` and returns it as a pyarrow Table.

    Columns (magnitudes in AB mag, times as MJD in days, rates in mag/day - negative while
    rising - separations in arcseconds): ``objectId``, ``nAlerts``, ``firstMjd``, ``lastMjd``,
    ``lastAlertId`` (int64), per band ``b`` in ugrizy ``ndet_b``, ``mag_b``, ``mjd_b``,
    ``peakMag_b``, ``peakMjd_b``, ``rate_b``, ``totalMag_b``; ``gMinusR``, ``gMinusRDtDays``,
    ``xmSepArcsec``, ``xmCount``, ``xmCatalogName``; ``annClass``, ``annProbability``,
    ``annAnnotator``, ``annUrl``, ``annVersion``.

    ``max_rows`` caps the answer (more is an error asking for a WHERE or LIMIT); ``url`` and
    ``token_file`` name the controller as for :func:`alertlab.promote`; ``timeout`` in seconds.
    """
    reply = _request(
        "POST",
        f"/stages/{stage}/objects",
        {"sql": sql, "maxRows": max_rows},
        url,
        token_file,
        timeout,
    )
    columns: list[dict[str, str]] = reply["columns"]
    rows: list[list[object]] = reply["rows"]
    arrays = [_column([row[i] for row in rows], c["type"]) for i, c in enumerate(columns)]
    return pa.table(arrays, names=[c["name"] for c in columns])
