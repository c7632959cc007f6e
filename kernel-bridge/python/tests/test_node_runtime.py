"""alertlab.connect() starts the engine on the project's Node 24, whatever `node` is on PATH."""

from __future__ import annotations

import os
import subprocess

import alertlab
from alertlab._connection import read_connection_file


def test_connect_starts_the_engine_on_node_24(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the machine's own node (Node 20 here) comes first
    path = tmp_path / "bridge.json"
    client = alertlab.connect(path, timeout=60)
    try:
        pid = read_connection_file(path)["pid"]
        exe = os.readlink(f"/proc/{pid}/exe")
        version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
        major = int(version.stdout.strip().lstrip("v").split(".")[0])
        assert major >= 24, f"the engine runs on {exe} ({version.stdout.strip()})"
    finally:
        try:
            client.shutdown()
        finally:
            if client.engine_process and client.engine_process.poll() is None:
                client.engine_process.kill()
                client.engine_process.wait()
            alertlab.disconnect()
