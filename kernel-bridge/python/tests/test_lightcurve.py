"""alertlab.lightcurve against a real engine on the local Kafka: ZTF and Rubin sample alerts in
random topics; the points are checked against the Avro packets read by fastavro (independently of
the engine's decoder): one point per (mjd, band, forced), sorted, limits and forced photometry
marked, int64 alert ids exact; ``since``; an unknown object; the top-level function and pandas."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastavro
import pyarrow as pa
import pytest
from conftest import NODE, ROOT, RUBIN_SAMPLE, SHARED_DATA, require_data, start_engine, stop_engine

import alertlab

ZTF_SAMPLE = SHARED_DATA / "alerts" / "ztf" / "ztf-31alerts.avro"
BOOTSTRAP = "127.0.0.1:19092"
FIELDS = [
    "mjd",
    "band",
    "flux",
    "fluxErr",
    "mag",
    "magErr",
    "totalMag",
    "totalMagErr",
    "isDetection",
    "upperLimitMag",
    "forced",
    "alertId",
    "source",
]
PRODUCE = """
import { BufferClient } from '%s';
const [servers, ...pairs] = process.argv.slice(2);
const client = await BufferClient.create({ bootstrapServers: servers });
const out = {};
for (let i = 0; i < pairs.length; i += 2) {
  await client.createTopics([{ topic: pairs[i], partitions: 2 }]);
  out[pairs[i]] = (await client.produceFile(pairs[i], pairs[i + 1])).records;
}
await client.close();
console.log(JSON.stringify(out));
"""


def packets(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as f:
        return list(fastavro.reader(f))


def ztf_keys(alert: dict[str, Any]) -> tuple[set[tuple[float, str, bool]], int]:
    """(mjd, band, forced) of every point of a ZTF packet, and how many are upper limits."""
    bands = {1: "g", 2: "r", 3: "i"}
    rows = [*(alert["prv_candidates"] or []), alert["candidate"]]
    keys = {(r["jd"] - 2400000.5, bands[r["fid"]], False) for r in rows}
    limits = {
        (r["jd"] - 2400000.5, bands[r["fid"]], False)
        for r in rows
        if r.get("candid") is None or r["magpsf"] is None
    }
    return keys, len(limits)


def rubin_keys(alert: dict[str, Any]) -> set[tuple[float, str, bool]]:
    detections = [*(alert["prvDiaSources"] or []), alert["diaSource"]]
    forced = alert["prvDiaForcedSources"] or []
    keys = {(d["midpointMjdTai"], d["band"], False) for d in detections}
    return keys | {(d["midpointMjdTai"], d["band"], True) for d in forced}


@pytest.fixture(scope="module")
def topics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    require_data(ZTF_SAMPLE, RUBIN_SAMPLE)
    subprocess.run([str(ROOT / "bin" / "alertlab"), "kafka", "start"], check=True, timeout=180)
    names = {
        "ztf": f"py-lc-ztf-{uuid.uuid4().hex[:10]}",
        "rubin": f"py-lc-rubin-{uuid.uuid4().hex[:10]}",
    }
    script = tmp_path_factory.mktemp("produce") / "produce.mts"
    script.write_text(PRODUCE % (ROOT / "sdk" / "src" / "buffer" / "index.js").as_uri())
    args = [NODE, "--import", "tsx", str(script), BOOTSTRAP]
    args += [names["ztf"], str(ZTF_SAMPLE), names["rubin"], str(RUBIN_SAMPLE)]
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120)
    counts = json.loads(out.stdout.strip().splitlines()[-1])
    assert counts == {names["ztf"]: 31, names["rubin"]: 7}
    return names


@pytest.fixture(scope="module")
def client(
    topics: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[alertlab.Client]:
    home = tmp_path_factory.mktemp("lc-engine")
    env = {
        "ALERTLAB_OBJECT_INDEX": str(home / "objects.duckdb"),
        "ALERTLAB_ARCHIVE_DIRS": str(home / "archive"),
        "ALERTLAB_BOOTSTRAP_SERVERS": BOOTSTRAP,
    }
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        proc = start_engine(home, sdk=True)
    try:
        with alertlab.connect(home / "bridge.json", start=False) as c:
            yield c
    finally:
        stop_engine(proc)


def test_ztf_lightcurve_matches_the_packet(client: alertlab.Client, topics: dict[str, str]) -> None:
    alert = packets(ZTF_SAMPLE)[3]
    keys, limits = ztf_keys(alert)
    t = client.lightcurve(alert["objectId"], topic=topics["ztf"])
    assert isinstance(t, pa.Table)
    assert t.column_names == FIELDS
    assert t.num_rows == len(keys)
    got = {
        (m, b, f)
        for m, b, f in zip(
            t["mjd"].to_pylist(), t["band"].to_pylist(), t["forced"].to_pylist(), strict=True
        )
    }
    assert {(round(m, 6), b, f) for m, b, f in got} == {(round(m, 6), b, f) for m, b, f in keys}
    mjd = t["mjd"].to_pylist()
    assert mjd == sorted(mjd)
    det = t["isDetection"].to_pylist()
    assert det.count(False) == limits > 0
    for d, lim, mag in zip(det, t["upperLimitMag"].to_pylist(), t["mag"].to_pylist(), strict=True):
        assert (lim is not None) if not d else (mag is not None)
    assert t.schema.field("alertId").type == pa.int64()
    assert alert["candid"] in t["alertId"].to_pylist()  # exact (ZTF candids exceed 2**53)
    meta = t.schema.metadata
    assert meta[b"found"] == b"1" and meta[b"buffer_alerts"] == b"1"


def test_rubin_forced_photometry_and_since(client: alertlab.Client, topics: dict[str, str]) -> None:
    alert = packets(RUBIN_SAMPLE)[0]
    object_id = alert["diaSource"]["diaObjectId"]
    keys = rubin_keys(alert)
    whole = client.lightcurve(object_id, topic=topics["rubin"])  # an int id works
    assert whole.num_rows == len(keys)
    assert whole["forced"].to_pylist().count(True) == sum(1 for k in keys if k[2])
    since = sorted(k[0] for k in keys)[len(keys) // 2]
    later = client.lightcurve(str(object_id), topic=topics["rubin"], since=since)
    assert later.num_rows == sum(1 for k in keys if k[0] >= since)
    assert min(later["mjd"].to_pylist()) >= since


def test_unknown_object_is_an_empty_typed_table(
    client: alertlab.Client, topics: dict[str, str]
) -> None:
    t = client.lightcurve("ZTF00nosuchobj", topic=topics["ztf"])
    assert t.num_rows == 0 and t.column_names == FIELDS
    assert t.schema.field("mjd").type == pa.float64()
    assert t.schema.metadata[b"found"] == b"0"
    assert b"ZTF00nosuchobj" in t.schema.metadata[b"message"]
    with pytest.raises(ValueError, match="finite MJD"):
        client.lightcurve("x", since=float("nan"))


def test_top_level_lightcurve_and_pandas(client: alertlab.Client, topics: dict[str, str]) -> None:
    alert = packets(ZTF_SAMPLE)[5]
    t = alertlab.lightcurve(alert["objectId"], topic=topics["ztf"])  # the connected client
    df = alertlab.to_pandas(t)
    assert len(df) == len(ztf_keys(alert)[0])
    assert str(df["alertId"].dtype) == "Int64"
    assert alert["candid"] in set(df["alertId"].dropna().tolist())
    assert os.environ.get("ALERTLAB_OBJECT_INDEX") is None  # the engine's env was not leaked


def test_without_topic_it_searches_the_buffer_topics_and_indexed_ones(
    client: alertlab.Client, topics: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A topic written after the engine started, in no buffer set: a lookup without ``topic``
    does not read it (nor the rest of the cluster) until it is named once; the message says how
    to search more widely (``all_topics=True``, not run here: it reads every topic of the shared
    broker)."""
    extra = f"py-lc-extra-{uuid.uuid4().hex[:10]}"
    script = tmp_path_factory.mktemp("produce-extra") / "produce.mts"
    script.write_text(PRODUCE % (ROOT / "sdk" / "src" / "buffer" / "index.js").as_uri())
    args = [NODE, "--import", "tsx", str(script), BOOTSTRAP, extra, str(ZTF_SAMPLE)]
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120)
    object_id = packets(ZTF_SAMPLE)[7]["objectId"]

    def alerts(t: pa.Table) -> int:
        return int(t.schema.metadata[b"buffer_alerts"])

    assert alerts(client.lightcurve(object_id, topic=topics["ztf"])) == 1
    assert alerts(client.lightcurve(object_id)) == 1  # the extra topic is not searched
    missing = alertlab.lightcurve("ZTF00nosuchobj")
    assert b"all_topics=True" in missing.schema.metadata[b"message"]
    assert alerts(client.lightcurve(object_id, topic=extra)) == 1
    assert alerts(client.lightcurve(object_id)) == 2  # indexed now: in the default scope
