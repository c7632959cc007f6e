"""Helpers of :meth:`alertlab.Client.lightcurve`: the ``since`` time as an MJD."""

from __future__ import annotations

import math
from typing import Protocol, runtime_checkable


@runtime_checkable
class MjdLike(Protocol):
    """A time with an ``mjd`` attribute (astropy ``Time``)."""

    @property
    def mjd(self) -> float: ...


def mjd_of(since: float | MjdLike) -> float:
    """``since`` as an MJD in days: a bare number is one already; an astropy ``Time`` gives its
    ``.mjd`` (in its own scale - use the alerts' scale: TAI for Rubin, UTC for ZTF)."""
    if isinstance(since, bool):
        raise TypeError("since must be an MJD (days) or an astropy Time, not a bool")
    value = float(since.mjd) if isinstance(since, MjdLike) else float(since)
    if not math.isfinite(value):
        raise ValueError(f"since must be a finite MJD in days (got {since!r})")
    return value
