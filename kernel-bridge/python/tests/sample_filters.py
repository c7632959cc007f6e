"""Filters used by the tests (Node's PythonFilterHost tests load them by file path)."""

from __future__ import annotations

import os
import time

import numpy as np
import pyarrow.compute as pc

import alertlab


@alertlab.filter(kind="switch", outputs=["bright", "faint", "default"], columns=["mag"])
def by_mag(batch):
    """bright < 18 <= faint; NaN and null magnitudes go to the default output."""
    mag = batch.column("mag")
    return pc.if_else(pc.less(mag, 18.0), "bright", pc.if_else(pc.less(mag, 99.0), "faint", None))


@alertlab.filter(kind="yesno", columns=["mag"], input="pandas")
def bright_pandas(df):
    return (df["mag"] < 18).to_numpy()


@alertlab.filter(kind="yesno", columns=["mag"])
def moody(batch):
    """Raises on a magnitude of 13, hangs on 666, exits the process on 999."""
    mags = batch.column("mag").to_numpy(zero_copy_only=False)
    if np.any(mags == 13):
        raise ValueError("unlucky magnitude 13")
    if np.any(mags == 666):
        time.sleep(3600)
    if np.any(mags == 999):
        os._exit(7)
    return mags < 18


def not_decorated(batch):
    return [True] * batch.num_rows
