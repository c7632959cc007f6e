"""Widget models without a browser: Arrow IPC buffers, conversions, queued calls, links."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from astropy.coordinates import Angle, SkyCoord
from lightcurves import lightcurve_type

from alertlab.widgets import POINT_SCHEMA, Lightcurve, SkyMap, flux_to_ab_mag, lightcurve_points


def _ipc_rows(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def _alerts() -> pa.Table:
    lc_type = lightcurve_type(forced=False)
    point = {"flux": None, "fluxErr": None, "magErr": 0.1}
    history = [
        {**point, "mjd": 1.0, "band": "g", "mag": 19.0, "isDetection": True, "upperLimitMag": None},
        {
            **point,
            "mjd": 2.0,
            "band": "r",
            "mag": None,
            "isDetection": False,
            "upperLimitMag": 20.5,
        },
    ]
    later = [
        *history,
        {**point, "mjd": 3.0, "band": "g", "mag": 18.5, "isDetection": True, "upperLimitMag": None},
    ]
    return pa.table(
        {
            "alertId": pa.array([2**62 + 1, 2**62 + 2], pa.int64()),
            "objectId": ["ZTF1", "ZTF1"],
            "ra": [10.0, 10.0],
            "dec": [-5.0, -5.0],
            "mag": [19.0, 18.5],
            "lightcurve": pa.array([history, later], lc_type),
        }
    )


def test_flux_to_ab_mag_uses_the_nanojansky_zero_point():
    mag, err = flux_to_ab_mag([3631e9, 1000.0, -5.0], [3631e8, 10.0, 1.0])
    assert mag[0] == pytest.approx(0.0, abs=1e-3)  # 3631 Jy is AB 0 (31.4 is rounded)
    assert mag[1] == pytest.approx(31.4 - 7.5)
    assert err[1] == pytest.approx(2.5 / math.log(10) * 0.01)
    assert math.isnan(mag[2])


def test_alerts_flatten_to_points_without_repeating_history():
    points = lightcurve_points(_alerts())
    assert points.schema == POINT_SCHEMA
    assert points.num_rows == 3  # the history carried by both alerts counts once
    latest = points.filter(pa.compute.equal(points["mjd"], 1.0))
    assert latest["alertId"].to_pylist() == [2**62 + 2]  # exact 64-bit id of the later alert
    limit = points.filter(pa.compute.invert(points["isDetection"]))
    assert limit["upperLimitMag"].to_pylist() == [20.5]


def test_rubin_fluxes_become_magnitudes_and_faint_forced_points_upper_limits():
    points = lightcurve_points(
        pa.table(
            {
                "objectId": ["1", "1"],
                "mjd": [1.0, 2.0],
                "band": ["i", "i"],
                "flux": [1000.0, 20.0],
                "fluxErr": [10.0, 10.0],
            }
        )
    )
    detected, faint = points.to_pylist()
    assert detected["isDetection"] and detected["mag"] == pytest.approx(23.9)
    assert not faint["isDetection"]
    assert faint["upperLimitMag"] == pytest.approx(31.4 - 2.5 * math.log10(50.0))


def test_missing_columns_say_what_to_pass():
    with pytest.raises(ValueError, match="objectId, mjd, band"):
        lightcurve_points(pa.table({"ra": [1.0]}))
    with pytest.raises(TypeError, match="pyarrow Table"):
        lightcurve_points([1, 2, 3])


def test_lightcurve_state_is_an_arrow_ipc_buffer_not_json():
    lc = Lightcurve(_alerts())
    state = lc.get_state()
    assert isinstance(state["_table"], bytes)
    assert _ipc_rows(state["_table"]).num_rows == 3
    assert lc.object_ids == ["ZTF1"]


def test_append_before_the_view_is_ready_updates_the_state_and_skips_known_points():
    lc = Lightcurve(_alerts())
    sent: list = []
    lc.send = lambda content, buffers=None: sent.append((content, buffers))  # type: ignore[method-assign]
    new = pa.table(
        {"objectId": ["ZTF1", "ZTF2"], "mjd": [3.0, 4.0], "band": ["g", "r"], "mag": [18.5, 17.0]}
    )
    assert lc.append(new) == 1
    assert _ipc_rows(lc._table).num_rows == 4
    assert sent == []  # no view yet: nothing to stream


def test_append_after_ready_streams_only_new_rows():
    lc = Lightcurve(_alerts())
    sent: list = []
    lc.send = lambda content, buffers=None: sent.append((content, buffers))  # type: ignore[method-assign]
    lc._on_view_message(lc, {"event": "ready"}, [])
    lc.append(pa.table({"objectId": ["ZTF3"], "mjd": [5.0], "band": ["g"], "mag": [17.0]}))
    ((content, buffers),) = sent
    assert content == {"method": "append"}
    assert _ipc_rows(buffers[0]).num_rows == 1
    assert _ipc_rows(lc._table).num_rows == 4  # a later view still gets every row


def test_skymap_queues_view_calls_until_ready_and_speaks_astropy():
    sky = SkyMap(_alerts(), colour_by="mag")
    sent: list = []
    sky.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    sky.zoom_to(SkyCoord(150, 2, unit="deg"), Angle(30, "arcmin"))
    assert sent == []
    sky._on_view_message(sky, {"event": "ready"}, [])
    assert sent == [
        {"method": "zoom_to", "args": {"raDeg": 150.0, "decDeg": 2.0, "radiusDeg": 0.5}}
    ]
    wire = _ipc_rows(sky._table)
    assert wire.column_names == ["ra", "dec", "alertId", "objectId", "colour"]
    assert wire["colour"].type == pa.float64()


def test_skymap_selection_drives_a_linked_lightcurve():
    alerts = pa.table(
        {
            "ra": [1.0, 2.0, 3.0],
            "dec": [0.0, 0.0, 0.0],
            "alertId": pa.array([7, 8, 2**63 - 1], pa.int64()),
            "objectId": ["a", "b", "c"],
            "mjd": [1.0, 1.0, 1.0],
            "band": ["g"] * 3,
            "mag": [18.0, 19.0, 20.0],
        }
    )
    sky, lc = SkyMap(alerts), Lightcurve(alerts)
    sky.link_lightcurve(lc)
    sky.selected = [2, 0]
    assert sky.selected_alert_ids == [2**63 - 1, 7]
    assert lc.objects == ["c", "a"]


def test_catalog_overlay_and_colour_errors():
    sky = SkyMap(pa.table({"ra": np.arange(3.0), "dec": np.zeros(3)}))
    sky.add_catalog("stars", SkyCoord([1, 2], [3, 4], unit="deg"))
    overlay = _ipc_rows(sky._overlays)
    assert overlay["catalog"].to_pylist() == ["stars", "stars"]
    assert overlay["ra"].to_pylist() == pytest.approx([1.0, 2.0])
    with pytest.raises(ValueError, match="Choose one of"):
        sky.colour_by = "nope"


def _fits_bytes(image: np.ndarray, gzipped: bool) -> bytes:
    import gzip
    import io

    from astropy.io import fits

    buf = io.BytesIO()
    fits.PrimaryHDU(image).writeto(buf)
    return gzip.compress(buf.getvalue()) if gzipped else buf.getvalue()


def test_cutouts_read_gzipped_fits_and_zscale_to_8_bit_pixels():
    from alertlab.widgets import Cutouts, stamp_pixels

    rng = np.random.default_rng(3)
    image = rng.normal(100.0, 5.0, (20, 30))
    image[10, 15] = 1e6  # a bright star must not flatten the rest (zscale, not min/max)
    assert np.array_equal(stamp_pixels({"stampData": _fits_bytes(image, True)}), image)
    cut = Cutouts({"Science": _fits_bytes(image, False), "Difference": image[:5, :6]})
    assert cut.titles == ["Science", "Difference"]
    assert cut.shapes == [[20, 30], [5, 6]]
    assert len(cut._pixels) == 20 * 30 + 5 * 6
    science = np.frombuffer(cut._pixels[: 20 * 30], np.uint8).reshape(20, 30)
    assert len(np.unique(science)) > 50  # the background keeps its contrast
    assert science[::-1][10, 15] == 255  # row 0 of FITS is drawn at the bottom
    with pytest.raises(ValueError, match="no cutouts"):
        Cutouts.from_alert({"cutoutScience": None})
