"""A filter written across notebook cells (a helper in one cell, constants and imports in another)
goes through a real `alertlab controller` on the local Kafka: the in-notebook backtest (the
engine's), the gate backtest (`POST /stages/backtest`) and the promoted stage all route the real
Rubin sample exactly as the notebook's own evaluation does, alert by alert."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import NODE, ROOT, RUBIN_SAMPLE, require_data, start_engine, stop_engine
from notebook_cells import brightness_notebook

import alertlab
from alertlab.controller import backtest_remote

BOOTSTRAP = "127.0.0.1:19092"
PRODUCE = """
import { produceFile } from '%s';
const [topic, file, servers] = process.argv.slice(2);
const r = await produceFile(topic, file, { bootstrapServers: servers });
console.log(JSON.stringify({ records: r.records }));
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Controller:
    def __init__(self, url: str, token_file: Path) -> None:
        self.url = url
        self.token_file = token_file

    def rest(self, method: str, path: str, body: object = None) -> object:
        req = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "authorization": f"Bearer {self.token_file.read_text().strip()}",
                "content-type": "application/json",
            },
        )
        with urllib.request.urlopen(req, timeout=60) as res:
            return json.loads(res.read().decode() or "null")


@pytest.fixture(scope="module")
def controller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Controller]:
    require_data(RUBIN_SAMPLE)
    subprocess.run([str(ROOT / "bin" / "alertlab"), "kafka", "start"], check=True, timeout=180)
    home = tmp_path_factory.mktemp("controller")
    port = free_port()
    args = [str(ROOT / "bin" / "alertlab"), "controller", "--port", str(port), "--quiet"]
    args += ["--state-dir", str(home / "state"), "--token-file", str(home / "token")]
    args += ["--bootstrap-servers", BOOTSTRAP, "--store", str(home / "catalogs.duckdb")]
    log = open(home / "controller.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (home / "controller.log").read_text()
            try:
                with urllib.request.urlopen(url + "/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "controller did not answer in 90 s"
                time.sleep(0.3)
        yield Controller(url, home / "token")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def sample_topic(controller: Controller, tmp_path_factory: pytest.TempPathFactory) -> str:
    topic = f"py-promote-{uuid.uuid4().hex[:10]}"
    controller.rest("POST", "/buffers/topics", {"topic": topic, "partitions": 1})
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
def kafka_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[alertlab.Client]:
    home = tmp_path_factory.mktemp("kafka-engine")
    proc = start_engine(home, sdk=True)
    try:
        with alertlab.connect(home / "bridge.json", start=False) as client:
            yield client
    finally:
        stop_engine(proc)


def read_topic(client: alertlab.Client, topic: str, rows: int) -> pa.Table:
    deadline = time.monotonic() + 90
    while True:
        table = client.attach(topic, idle_timeout=2.0).read_all()
        if table.num_rows >= rows or time.monotonic() > deadline:
            return table
        time.sleep(1.0)


def counts_of(evidence: alertlab.GateEvidence) -> dict[str, int]:
    return {o["name"]: o["count"] for o in evidence["result"]["outputs"]}


def test_gate_and_stage_route_like_the_notebook(
    controller: Controller, sample_topic: str, kafka_client: alertlab.Client
) -> None:
    nb = brightness_notebook()
    flt = nb["by_brightness"]
    assert isinstance(flt, alertlab.Filter)
    alerts = read_topic(kafka_client, sample_topic, 7)
    assert alerts.num_rows == 7
    local = {name: part.num_rows for name, part in flt.split(alerts).items()}
    assert local["bright"] > 0 and local["faint"] > 0, local  # the helper decides something

    report = kafka_client.backtest(flt, alerts)  # the in-notebook backtest, in the engine
    assert report.counts == local
    expected = {n: sorted(part["alertId"].to_pylist()) for n, part in flt.split(alerts).items()}
    assert {n: sorted(t["alertId"].to_pylist()) for n, t in report.routed.items()} == expected

    auth = {"url": controller.url, "token_file": str(controller.token_file)}
    evidence = backtest_remote(flt, topic=sample_topic, sample_alerts=7, **auth)
    assert evidence["sampledAlerts"] == 7
    assert counts_of(evidence) == local
    digests = {o["name"]: o["digest"] for o in evidence["result"]["outputs"]}
    assert digests == {n: o.digest for n, o in report.outputs.items()}  # the same alerts
    sql = alertlab.sql_filter(
        "CASE WHEN mag < 21.5 THEN 'bright' WHEN mag >= 21.5 THEN 'faint' END",
        kind="switch",
        outputs=["bright", "faint", "other"],
        default="other",
        name="by-brightness-sql",
    )
    assert counts_of(backtest_remote(sql, sample_topic, sample_alerts=7, **auth)) == local
    # alertlab.backtest(f, input=topic) is the same gate, for SQL filters too
    gate = alertlab.backtest(sql, input=sample_topic, sample_alerts=7, **auth)
    assert isinstance(gate, dict) and counts_of(gate) == local

    stage_id = f"py-cells-{uuid.uuid4().hex[:8]}"
    reply = alertlab.promote(flt, sample_topic, id=stage_id, notebook="cells.ipynb", **auth)
    try:
        assert reply["version"] == 1 and counts_of(reply["evidence"]) == local
        topics = reply["outputTopics"]
        assert {n: topics[n] for n in flt.outputs} == {n: f"{stage_id}.{n}" for n in flt.outputs}
        routed = {n: read_topic(kafka_client, topics[n], local[n]) for n in flt.outputs}
        assert {name: t.num_rows for name, t in routed.items()} == local
        ids = {name: sorted(t["alertId"].to_pylist()) for name, t in routed.items()}
        assert ids == expected  # the same alerts, id by id (int64, exact)
    finally:
        controller.rest("DELETE", f"/stages/{stage_id}")
