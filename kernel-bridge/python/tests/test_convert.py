"""The Python API speaks astropy / pandas / pyarrow; the wire carries Arrow and plain degrees."""

from __future__ import annotations

import itertools

import astropy.units as u
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from astropy.coordinates import Angle, SkyCoord
from astropy.table import MaskedColumn, Table

import alertlab
from alertlab._convert import arcsec, degrees, like_input, to_arrow_table, with_ra_dec


def test_pandas_astropy_and_skycoord_become_arrow_in_degrees():
    df = pd.DataFrame({"ra": [10.0, 20.0], "dec": [-5.0, 5.0], "id": [2**62 + 1, 7]})
    assert to_arrow_table(df)["id"].to_pylist() == [2**62 + 1, 7]

    t = Table()
    t["RAJ2000"] = [1.0, 2.0] * u.hourangle
    t["DEJ2000"] = [30.0, 40.0] * u.deg
    t["flux"] = MaskedColumn([1.0, 2.0], mask=[False, True])
    arrow = with_ra_dec(to_arrow_table(t))
    assert arrow["ra"].to_pylist() == pytest.approx([15.0, 30.0])
    assert arrow["dec"].to_pylist() == [30.0, 40.0]
    assert arrow["flux"].to_pylist() == [1.0, None]

    sc = SkyCoord(ra=[1, 2] * u.deg, dec=[3, 4] * u.deg, frame="fk5")
    arrow = to_arrow_table(sc)
    assert arrow.column_names == ["ra", "dec"]
    assert arrow["ra"][0].as_py() == pytest.approx(1.0, abs=1e-4)  # fk5 -> icrs
    assert to_arrow_table(SkyCoord(1 * u.deg, 2 * u.deg)).num_rows == 1


def test_angles_and_errors():
    assert degrees(Angle("1h"), "ra") == pytest.approx(15.0)
    assert arcsec(2 * u.arcmin) == pytest.approx(120.0)
    assert arcsec(3) == 3.0
    with pytest.raises(alertlab.ProtocolError, match="angle"):
        degrees("north", "dec")
    with pytest.raises(alertlab.ProtocolError, match="no ra column"):
        with_ra_dec(pa.table({"x": [1.0]}))
    with pytest.raises(ValueError):  # ProtocolError is a ValueError
        to_arrow_table({"ra": [1.0]})


def test_results_come_back_in_the_callers_flavour():
    result = pa.table({"ra": [1.0]})
    assert isinstance(like_input(result, pd.DataFrame()), pd.DataFrame)
    assert isinstance(like_input(result, Table()), Table)
    assert like_input(result, result) is result


def test_cone_and_crossmatch_send_primitive_degrees(client, monkeypatch):
    sent = {}

    def fake_request(msg_type, content=None, buffers=(), **_):
        sent[msg_type] = (content, list(buffers))
        raise alertlab.RemoteError("stop here", code="bad-request")

    monkeypatch.setattr(client.channel, "request", fake_request)
    with pytest.raises(alertlab.RemoteError):
        client.cone(SkyCoord("1h +30d"), radius=Angle(2, u.arcmin), catalog="tycho2")
    content, _ = sent["cone_request"]
    assert content["ra_deg"] == pytest.approx(15.0) and content["dec_deg"] == pytest.approx(30.0)
    assert content["radius_arcsec"] == pytest.approx(120.0) and content["catalog"] == "tycho2"
    with pytest.raises(alertlab.RemoteError):
        client.crossmatch(SkyCoord([1, 2] * u.deg, [3, 4] * u.deg), ["tycho2"], 5 * u.arcsec)
    content, buffers = sent["crossmatch_request"]
    assert content == {"catalogs": ["tycho2"], "radius_arcsec": pytest.approx(5.0)}
    table = pa.ipc.open_stream(buffers[0]).read_all()
    assert np.allclose(table["dec"].to_numpy(), [3, 4])


def test_crossmatch_sends_only_the_positions(client, monkeypatch):
    sent = {}

    def fake_request(msg_type, content=None, buffers=(), **_):
        sent[msg_type] = list(buffers)
        raise alertlab.RemoteError("stop here", code="bad-request")

    monkeypatch.setattr(client.channel, "request", fake_request)
    alerts = pa.table(
        {
            "diaSourceId": pa.array([2**62 + 1, 7], pa.int64()),
            "RAJ2000": pa.array([10.5, 20.25], pa.float32()),
            "dec": [-5.0, 60.0],
            "band": ["g", "r"],
        }
    )
    with pytest.raises(alertlab.RemoteError):
        client.crossmatch(alerts, "tycho2", 2.0)
    table = pa.ipc.open_stream(sent["crossmatch_request"][0]).read_all()
    assert table.column_names == ["ra", "dec"]
    assert table.schema.field("ra").type == pa.float64()
    assert table["ra"].to_pylist() == [10.5, 20.25] and table["dec"].to_pylist() == [-5.0, 60.0]


def test_crossmatch_reads_a_reply_split_over_buffers(client, monkeypatch):
    from alertlab._convert import ipc_bytes
    from alertlab._wire import Message

    pairs = pa.table(
        {
            "alertRow": pa.array([0, 0, 1], pa.int32()),
            "catalog": ["hip", "hip", "hip"],
            "catalogId": pa.array([2**62 + 5, 7, 9], pa.int64()),
            "separationArcsec": [0.5, 1.5, 2.0],
        }
    )
    stream = memoryview(ipc_bytes(pairs))
    cuts = [0, 7, 200, 201, len(stream) - 8, len(stream)]
    for buffers in ([stream], [stream[a:b] for a, b in itertools.pairwise(cuts)]):

        def fake_request(msg_type, content=None, buffers_out=(), _parts=buffers, **_):
            return Message({"msg_type": "crossmatch_reply"}, {}, {}, {"status": "ok"}, _parts)

        monkeypatch.setattr(client.channel, "request", fake_request)
        got = client.crossmatch(pa.table({"ra": [1.0, 2.0], "dec": [3.0, 4.0]}), "hip", 2.0)
        assert got.equals(pairs)


def test_errors_subclass_builtins():
    assert issubclass(alertlab.BridgeNotReadyError, ConnectionError)
    assert issubclass(alertlab.BridgeTimeoutError, TimeoutError)
    assert issubclass(alertlab.RemoteError, RuntimeError)
    assert issubclass(alertlab.ProtocolError, ValueError)
    err = alertlab.RemoteError("x failed", remote_traceback=["Traceback", "  line"])
    assert "Remote traceback" in str(err)


def test_int64_ids_stay_exact_in_every_flavour_after_the_engine(client):
    """ids above 2**53 next to nulls, through the real engine, then to pandas and astropy."""
    from conftest import edge_table

    back = client.echo(edge_table())
    expected = [2**62 + 1, 2**53 + 1, None, -(2**63)]

    df = like_input(back, pd.DataFrame())
    assert str(df["alertId"].dtype) == "Int64"
    assert [None if v is pd.NA else int(v) for v in df["alertId"]] == expected
    assert df["mag"].isna().tolist() == [True, True, False, False]  # pandas: NaN and null alike

    t = like_input(back, Table())
    assert isinstance(t, Table) and t["alertId"].dtype == np.int64
    assert t["alertId"].mask.tolist() == [False, False, True, False]
    column = t["alertId"]
    exact = [None if m else int(v) for v, m in zip(column.data, column.mask, strict=True)]
    assert exact == expected
    assert t["mag"].mask.tolist() == [False, True, False, False]  # a NaN is not a null
    assert np.isnan(t["mag"].data[0])
    assert t["objectId"].mask.tolist() == [False, False, True, False]
    assert t["lightcurve"][0][0]["band"] == "g"  # nested lightcurve points as Python objects

    sky = like_input(back, SkyCoord([1] * u.deg, [2] * u.deg))
    assert isinstance(sky, Table) and int(sky["alertId"][0]) == 2**62 + 1
    assert alertlab.to_astropy(back)["alertId"][1] == 2**53 + 1
