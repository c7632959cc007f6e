"""Fixtures: a real Node engine (started here, stopped after the session) serving memory topics;
where the shared real data is, and the rule for tests that need it (fail under CI, else skip)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from lightcurves import lightcurve_type

import alertlab
from alertlab._config import node_binary
from alertlab._connection import ENGINE_MAIN, read_connection_file

LIGHTCURVE = lightcurve_type()
#: the checkout these tests belong to
ROOT = Path(__file__).resolve().parents[3]
#: the shared real data (alert samples), beside the checkout
SHARED_DATA = Path(os.environ.get("ALERTLAB_SHARED_DATA", ROOT.parent / "shared" / "data"))
RUBIN_SAMPLE = SHARED_DATA / "alerts" / "rubin" / "rubin-v10-7alerts.avro"
NODE = node_binary(ROOT) or "node"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_data(*paths: Path) -> None:
    """Skips the calling test when shared data is missing - or fails it under CI=true, where a
    test that cannot run is a failure. The message names the missing folder."""
    missing = [p for p in paths if not p.exists()]
    if not missing:
        return
    top = missing[0]
    while top.parent != top and not top.parent.exists():
        top = top.parent  # name the outermost missing folder
    message = f"needs the shared real data: {top} is missing (see {SHARED_DATA / 'README.md'})"
    if in_ci():
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


def point(mjd, band, mag, detection=True):
    return {
        "mjd": mjd,
        "band": band,
        "flux": None if mag is None else 10 ** ((31.4 - mag) / 2.5),
        "fluxErr": 12.5,
        "mag": mag,
        "magErr": 0.05 if detection else None,
        "isDetection": detection,
        "upperLimitMag": None if detection else 21.3,
        "forced": not detection,
    }


def edge_table() -> pa.Table:
    """int64 ids above 2^53, NaN next to null, nested lightcurves (List<Struct>)."""
    return pa.table(
        {
            "alertId": pa.array([2**62 + 1, 2**53 + 1, None, -(2**63)], pa.int64()),
            "objectId": pa.array(["ZTF21aaaaaaa", "2533", None, ""], pa.string()),
            "mag": pa.array([np.nan, None, 18.5, -0.0], pa.float64()),
            "lightcurve": pa.array(
                [
                    [point(60000.5, "g", 19.1), point(60001.5, "r", None, False)],
                    [],
                    None,
                    [point(float("nan"), "y", 17.0)],
                ],
                LIGHTCURVE,
            ),
        }
    )


def big_table(batches: int, rows: int) -> pa.Table:
    out = []
    for b in range(batches):
        ids = np.arange(b * rows, (b + 1) * rows, dtype=np.int64) + 2**60
        out.append(pa.record_batch({"id": ids, "mag": np.full(rows, 18.0)}))
    return pa.Table.from_batches(out)


def write_arrow(path: Path, table: pa.Table) -> Path:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        for batch in table.to_batches():
            writer.write_batch(batch)
    return path


def start_engine(home: Path, *topics: str, sdk: bool = False) -> subprocess.Popen[bytes]:
    """An engine on the project's Node; ``sdk=True`` serves Kafka topics of the local broker."""
    args = [NODE, "--import", "tsx", str(ROOT / ENGINE_MAIN), "--quiet"]
    args += [] if sdk else ["--no-sdk"]
    args += ["--connection-file", str(home / "bridge.json")]
    for t in topics:
        args += ["--memory-topic", t]
    log = open(home / "engine.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((home / "engine.log").read_text())
        try:
            if read_connection_file(home / "bridge.json").get("pid") == proc.pid:
                return proc
        except alertlab.BridgeNotReadyError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("engine did not start in 60 s")


def stop_engine(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def engine_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("alertlab-home")
    edge = write_arrow(home / "edge.arrow", edge_table())
    many = write_arrow(home / "many.arrow", big_table(batches=20, rows=1000))
    proc = start_engine(home, f"test.edge={edge}", f"test.many={many}")
    try:
        yield home
    finally:
        stop_engine(proc)


@pytest.fixture
def client(engine_home):
    with alertlab.connect(engine_home / "bridge.json", start=False) as c:
        yield c
