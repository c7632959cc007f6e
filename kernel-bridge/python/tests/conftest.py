"""Fixtures: a real Node engine (started here, stopped after the session) serving memory topics."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from lightcurves import lightcurve_type

import alertlab
from alertlab._connection import ENGINE_MAIN, read_connection_file, repo_root

LIGHTCURVE = lightcurve_type()


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


def start_engine(home: Path, *topics: str) -> subprocess.Popen:
    root = repo_root()
    assert root is not None, "run the tests from the alertlab repository"
    args = ["node", "--import", "tsx", str(root / ENGINE_MAIN), "--quiet", "--no-sdk"]
    args += ["--connection-file", str(home / "bridge.json")]
    for t in topics:
        args += ["--memory-topic", t]
    log = open(home / "engine.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(args, cwd=root, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
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


def stop_engine(proc: subprocess.Popen) -> None:
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
