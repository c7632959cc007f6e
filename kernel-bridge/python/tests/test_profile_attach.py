"""``alertlab.attach(topic, profile=...)``: a stream profile read from a notebook through a real
engine and the local Kafka, resuming per (user, stream, notebook) and rewinding with
``reset_to``; and the group-id / reset_to rules on their own."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import NODE, ROOT, RUBIN_SAMPLE, require_data, start_engine, stop_engine

import alertlab
from alertlab._resume import notebook_path, reset_to_wire, resume_group_id

BOOTSTRAP = "127.0.0.1:19092"
PRODUCE = """
import { BufferClient, produceFile } from '%s';
const [topic, file, servers] = process.argv.slice(2);
const c = await BufferClient.create({ bootstrapServers: servers });
await c.createTopics([{ topic, partitions: 2 }]);
await c.close();
const r = await produceFile(topic, file, { bootstrapServers: servers });
console.log(JSON.stringify({ records: r.records }));
"""


def test_group_id_is_stable_per_user_stream_and_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/ann/work/find-sn.ipynb")
    assert notebook_path() == "/home/ann/work/find-sn.ipynb"
    a = resume_group_id("lasair-lsst/t", user="ann")
    assert a == resume_group_id("lasair-lsst/t", user="ann")
    assert a.startswith("alertlab.ann.lasair-lsst_t.find-sn.ipynb.")
    assert a != resume_group_id("lasair-lsst/t", user="bob")
    # the user segment holds no dot: "ann" is never a prefix match of "ann.lee"'s groups
    assert resume_group_id("s", user="ann.lee").split(".")[1] == "ann~lee"
    assert a != resume_group_id("lasair-lsst/u", user="ann")
    assert a != resume_group_id("lasair-lsst/t", reader="/home/ann/other.ipynb", user="ann")


def test_reset_to_values() -> None:
    when = datetime(2026, 3, 18, tzinfo=UTC)
    assert reset_to_wire("earliest") == "earliest"
    assert reset_to_wire("latest") == "latest"
    assert reset_to_wire(when) == 1773792000000
    assert reset_to_wire("2026-03-18T00:00:00Z") == 1773792000000
    assert reset_to_wire(1773792000000) == 1773792000000
    astropy_time = pytest.importorskip("astropy.time")
    assert reset_to_wire(astropy_time.Time("2026-03-18T00:00:00", scale="utc")) == 1773792000000
    with pytest.raises(ValueError, match="reset_to must be"):
        reset_to_wire("yesterday")
    with pytest.raises(TypeError):
        reset_to_wire([1])


@pytest.fixture(scope="module")
def profile_topic(tmp_path_factory: pytest.TempPathFactory) -> str:
    require_data(RUBIN_SAMPLE)
    subprocess.run([str(ROOT / "bin" / "alertlab"), "kafka", "start"], check=True, timeout=180)
    topic = f"py-profile-{uuid.uuid4().hex[:10]}"
    script = tmp_path_factory.mktemp("produce") / "produce.mts"
    script.write_text(PRODUCE % (ROOT / "sdk" / "src" / "buffer" / "index.js").as_uri())
    out = subprocess.run(
        [NODE, "--import", "tsx", str(script), topic, str(RUBIN_SAMPLE), BOOTSTRAP],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1])["records"] == 7
    return topic


@pytest.fixture(scope="module")
def engine_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[alertlab.Client]:
    home = tmp_path_factory.mktemp("profile-engine")
    proc = start_engine(home, sdk=True)
    try:
        with alertlab.connect(home / "bridge.json", start=False) as client:
            yield client
    finally:
        stop_engine(proc)


def test_attach_profile_resumes_per_notebook_and_rewinds(
    profile_topic: str,
    engine_client: alertlab.Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profile = tmp_path / "local-broker.json"
    profile.write_text(
        json.dumps(
            {
                "name": "local-broker",
                "documentation": "https://kafka.apache.org/documentation/",
                "brokers": [BOOTSTRAP],
                "security": {"protocol": "PLAINTEXT"},
                "format": {"kind": "avro"},
            }
        )
    )
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "first.ipynb"))

    def read(**kw: object) -> int:
        stream = engine_client.attach(profile_topic, profile=str(profile), idle_timeout=6, **kw)
        return stream.read_all().num_rows

    assert read() == 7  # a new group starts at the beginning
    assert read() == 0  # the cell run again resumes: nothing new
    assert read(reset_to="earliest") == 7  # rewound explicitly
    assert read(reset_to="latest") == 0
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "second.ipynb"))
    assert read() == 7  # another notebook has its own group
    assert read(resume=False) == 7  # no group: every read starts over
