"""connect() finds a running engine, or starts one and waits for it."""

from __future__ import annotations

import os
import stat
import time

import pytest

import alertlab
from alertlab._connection import pid_alive, read_connection_file


def test_connect_starts_an_engine_when_none_runs(tmp_path):
    path = tmp_path / "bridge.json"
    with pytest.raises(alertlab.BridgeNotReadyError, match="No alertlab engine answers"):
        alertlab.connect(path, start=False)
    client = alertlab.connect(path, timeout=60)
    pid = read_connection_file(path)["pid"]
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert client.ping()["pid"] == pid
        again = alertlab.connect(path, start=False)  # finds the running engine
        assert again.ping()["pid"] == pid
        assert client.engine_process is not None and client.engine_process.pid == pid
    finally:
        try:
            client.shutdown()  # stops and reaps the engine this client started
        finally:
            if client.engine_process and client.engine_process.poll() is None:
                client.engine_process.kill()
                client.engine_process.wait()
            alertlab.disconnect()
    assert client.engine_process.returncode == 0
    assert not pid_alive(pid)
    assert not path.exists()  # the engine removes its connection file


def test_a_started_engine_stays_while_a_client_is_open_and_exits_after_the_last(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ALERTLAB_ENGINE_IDLE_EXIT_S", "3")
    monkeypatch.setenv("ALERTLAB_HEARTBEAT_S", "0.5")
    path = tmp_path / "bridge.json"
    client = alertlab.connect(path, timeout=60)
    proc = client.engine_process
    assert proc is not None
    try:
        time.sleep(5)  # longer than the idle exit: only the heartbeat keeps the engine up
        assert proc.poll() is None and client.heartbeat.beats >= 5
        assert client.ping()["pid"] == proc.pid
        client.close()
        alertlab.disconnect()
        started = time.monotonic()
        assert proc.wait(20) == 0  # the engine noticed its last client had gone
        assert 2.0 < time.monotonic() - started < 15.0
        assert not path.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
