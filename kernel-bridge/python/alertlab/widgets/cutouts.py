"""``Cutouts``: science / template / difference stamps (FITS, often gzipped), zscaled, as pixels."""

from __future__ import annotations

import gzip
import io
import warnings
from typing import Any

import numpy as np
import traitlets
from astropy.io import fits
from astropy.io.fits.verify import VerifyWarning
from astropy.visualization import ZScaleInterval

from ._base import ArrowWidget

STAMP_NAMES = ("Science", "Template", "Difference")
GZIP_MAGIC = b"\x1f\x8b"


def stamp_pixels(stamp: Any) -> np.ndarray:
    """A 2-D float image from FITS bytes (gzipped or not), a ZTF stamp dict or an array."""
    if isinstance(stamp, dict):
        stamp = stamp.get("stampData")
    if isinstance(stamp, bytes | bytearray | memoryview):
        data = bytes(stamp)
        if data[:2] == GZIP_MAGIC:
            data = gzip.decompress(data)
        return _fits_image(data)
    image = np.asarray(stamp, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"A cutout must be a 2-D image or FITS bytes; got shape {image.shape}.")
    return image


def _fits_image(data: bytes) -> np.ndarray:
    """The first 2-D image of a FITS file. Survey stamps often bend the standard (ZTF's SIMPLE
    card): astropy reads them fine but warns, which would print into the user's notebook, so
    exactly its VerifyWarning is silenced here, around this read only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifyWarning)
        with fits.open(io.BytesIO(data)) as hdul:
            image = next((h.data for h in hdul if h.data is not None and h.data.ndim == 2), None)
            if image is None:
                raise ValueError("The cutout FITS file has no 2-D image in any HDU.")
            return np.asarray(image, dtype=float)


def zscale_bytes(image: np.ndarray) -> bytes:
    """8-bit grey pixels (rows top to bottom, as on the sky with north up) scaled with zscale."""
    finite = np.isfinite(image)
    if not finite.any():
        return bytes(image.size)
    lo, hi = ZScaleInterval().get_limits(image[finite])
    scaled = np.clip((image - lo) / ((hi - lo) or 1.0), 0, 1)
    scaled[~finite] = 0
    return (scaled[::-1] * 255).astype(np.uint8).tobytes()  # FITS row 0 is the bottom


class Cutouts(ArrowWidget):
    """Stamps side by side, scaled with zscale; pixels travel as one binary buffer.

    >>> Cutouts.from_alert(ztf_alert)            # cutoutScience / cutoutTemplate / cutoutDifference
    >>> Cutouts({"Science": fits_bytes, "Difference": array})
    """

    _model_name = traitlets.Unicode("CutoutsModel").tag(sync=True)
    _view_name = traitlets.Unicode("CutoutsView").tag(sync=True)
    _pixels = traitlets.Bytes(b"").tag(sync=True)
    shapes = traitlets.List(traitlets.List(traitlets.Int()), help="[height, width] per stamp.").tag(
        sync=True
    )
    titles = traitlets.List(traitlets.Unicode()).tag(sync=True)
    size_px = traitlets.Int(160, help="Displayed width of each stamp in pixels.").tag(sync=True)

    def __init__(self, stamps: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if stamps:
            self.show(stamps)

    @classmethod
    def from_alert(cls, alert: dict[str, Any], **kwargs: Any) -> Cutouts:
        """The stamps of one decoded alert (Rubin or ZTF Avro record)."""
        stamps = {n: alert.get(f"cutout{n}") for n in STAMP_NAMES}
        present = {n: s for n, s in stamps.items() if s}
        if not present:
            raise ValueError("This alert carries no cutouts (cutoutScience/Template/Difference).")
        return cls(present, **kwargs)

    def show(self, stamps: dict[str, Any]) -> None:
        """Replaces the stamps: ``{title: FITS bytes | ZTF stamp dict | 2-D array}``."""
        images = {title: stamp_pixels(s) for title, s in stamps.items()}
        with self.hold_sync():
            self._pixels = b"".join(zscale_bytes(im) for im in images.values())
            self.shapes = [list(im.shape) for im in images.values()]
            self.titles = list(images)
