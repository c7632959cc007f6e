"""Jupyter widgets for alerts: live lightcurves and an all-sky WebGL map (ipywidgets 8).

Views ship in the ``@alertlab/extension`` JupyterLab extension; data travels as Arrow IPC
binary buffers.

>>> from alertlab.widgets import Lightcurve, SkyMap
>>> sky, lc = SkyMap(batch, colour_by="mag"), Lightcurve(batch)
>>> sky.link_lightcurve(lc)
"""

from ._tables import POINT_SCHEMA, flux_to_ab_mag, lightcurve_points
from .cutouts import Cutouts, stamp_pixels, zscale_bytes
from .lightcurve import Lightcurve
from .skymap import SkyMap

__all__ = [
    "POINT_SCHEMA",
    "Cutouts",
    "Lightcurve",
    "SkyMap",
    "flux_to_ab_mag",
    "lightcurve_points",
    "stamp_pixels",
    "zscale_bytes",
]
