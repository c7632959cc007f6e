"""connect() finds a running engine, or starts one and waits for it."""

from __future__ import annotations

import os
import stat

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
