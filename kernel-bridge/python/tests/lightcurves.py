"""The canonical ``lightcurve`` column type (List<Struct>) for the tests' hand-made alert tables."""

from __future__ import annotations

import pyarrow as pa

_POINT_FIELDS = [
    ("mjd", pa.float64()),
    ("band", pa.string()),
    ("flux", pa.float64()),
    ("fluxErr", pa.float64()),
    ("mag", pa.float64()),
    ("magErr", pa.float64()),
    ("isDetection", pa.bool_()),
    ("upperLimitMag", pa.float64()),
]


def lightcurve_type(*, forced: bool = True) -> pa.ListType:
    """List<Struct> of lightcurve points; ``forced=False`` leaves out the trailing ``forced``."""
    fields = [*_POINT_FIELDS, ("forced", pa.bool_())] if forced else _POINT_FIELDS
    return pa.list_(pa.struct(fields))
