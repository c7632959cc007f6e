"""``Lightcurve.from_object`` on a real engine: the widget holds exactly the points
``alertlab.lightcurve`` finds for the object (checked against the Avro packets read by fastavro),
with forced photometry and upper limits marked and exact 64-bit alert ids."""

from __future__ import annotations

from conftest import RUBIN_SAMPLE
from test_lightcurve import ZTF_SAMPLE, client, packets, rubin_keys, topics, ztf_keys

import alertlab
from alertlab.widgets import POINT_SCHEMA, Lightcurve

__all__ = ["client", "topics"]  # module fixtures shared with test_lightcurve (one engine each)


def test_from_object_holds_the_rubin_objects_whole_lightcurve(
    client: alertlab.Client, topics: dict[str, str]
) -> None:
    alert = packets(RUBIN_SAMPLE)[0]
    object_id = alert["diaSource"]["diaObjectId"]
    keys = rubin_keys(alert)
    lc = Lightcurve.from_object(object_id, topic=topics["rubin"], time="date", y="flux")
    points = lc.points
    assert points.schema == POINT_SCHEMA
    assert lc.objects == [str(object_id)] and lc.object_ids == [str(object_id)]
    assert (lc.time, lc.y) == ("date", "flux")
    assert points.num_rows == len(keys)
    got = set(
        zip(
            points["mjd"].to_pylist(),
            points["band"].to_pylist(),
            points["forced"].to_pylist(),
            strict=True,
        )
    )
    assert got == keys
    assert points["forced"].to_pylist().count(True) == sum(1 for k in keys if k[2])
    assert alert["diaSource"]["diaSourceId"] in points["alertId"].to_pylist()  # > 2**53, exact
    since = sorted(k[0] for k in keys)[len(keys) // 2]
    later = Lightcurve.from_object(str(object_id), topic=topics["rubin"], since=since)
    assert later.points.num_rows == sum(1 for k in keys if k[0] >= since)


def test_from_object_marks_ztf_upper_limits(
    client: alertlab.Client, topics: dict[str, str]
) -> None:
    alert = packets(ZTF_SAMPLE)[3]
    keys, limits = ztf_keys(alert)
    points = Lightcurve.from_object(alert["objectId"], topic=topics["ztf"]).points
    assert points.num_rows == len(keys)
    detected = points["isDetection"].to_pylist()
    assert detected.count(False) == limits > 0
    assert all(
        lim is not None
        for d, lim in zip(detected, points["upperLimitMag"].to_pylist(), strict=True)
        if not d
    )
    assert alert["candid"] in points["alertId"].to_pylist()
