"""The Jupyter server extension sends the notebook user's own token (issue 15, part 5): a real
`alertlab controller` with a user from `alertlab controller user add`, a real `jupyter server`
with the alertlab extension and $ALERTLAB_USER_TOKEN set, the controller's admin token file
readable too. The proxy answers as the user; once the user is revoked it answers 401, which it
would not if it still sent the controller's token."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

BOOTSTRAP = "127.0.0.1:19092"
CLI = str(ROOT / "bin" / "alertlab")
JUPYTER_TOKEN = "jupyter-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer in {seconds} s"
            time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def get(url: str) -> tuple[int, dict[str, object]]:
    req = urllib.request.Request(url, headers={"Authorization": f"token {JUPYTER_TOKEN}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read().decode() or "null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode() or "null")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    subprocess.run([CLI, "kafka", "start"], check=True, timeout=180, capture_output=True)
    home = tmp_path_factory.mktemp("user-token")
    state = home / "state"
    port = free_port()
    args = [CLI, "controller", "--port", str(port), "--quiet", "--state-dir", str(state)]
    args += ["--token-file", str(home / "controller.token"), "--bootstrap-servers", BOOTSTRAP]
    args += ["--store", str(home / "catalogs.duckdb")]
    ctl_log = home / "controller.log"
    with open(ctl_log, "wb") as log:
        ctl = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    jupyter: subprocess.Popen[bytes] | None = None
    try:
        wait_for(f"http://127.0.0.1:{port}/health", ctl, ctl_log)
        added = subprocess.run(
            [CLI, "controller", "user", "add", "alice", "--state-dir", str(state)],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        env = {
            **os.environ,
            "ALERTLAB_CONTROLLER_URL": f"http://127.0.0.1:{port}",
            "ALERTLAB_CONTROLLER_TOKEN_FILE": str(home / "controller.token"),
            "ALERTLAB_USER_TOKEN": added.stdout.strip(),
            "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
            "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
        }
        jport = free_port()
        jargs = [str(ROOT / ".venv" / "bin" / "jupyter"), "server", "--no-browser"]
        jargs += [f"--port={jport}", "--ip=127.0.0.1", f"--IdentityProvider.token={JUPYTER_TOKEN}"]
        jargs += ["--ServerApp.jpserver_extensions={'alertlab.server': True}"]
        jargs += [f"--ServerApp.root_dir={home}", "--allow-root"]
        j_log = home / "jupyter.log"
        with open(j_log, "wb") as log:
            jupyter = subprocess.Popen(
                jargs, cwd=home, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL
            )
        wait_for(f"http://127.0.0.1:{jport}/api/status", jupyter, j_log)
        yield f"http://127.0.0.1:{jport}", state
    finally:
        if jupyter is not None:
            stop(jupyter)
        stop(ctl)


def test_the_proxy_sends_the_notebook_users_token_not_the_controllers(
    stack: tuple[str, Path],
) -> None:
    base, state = stack
    status, config = get(f"{base}/alertlab/config")
    assert status == 200 and config["tokenSource"] == "user", config
    status, body = get(f"{base}/alertlab/api/stages")
    assert status == 200, body
    # the controller's admin token file is readable, but the user's token is what goes out:
    # once alice is revoked, the proxy is refused
    subprocess.run(
        [CLI, "controller", "user", "revoke", "alice", "--state-dir", str(state)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    deadline = time.monotonic() + 20
    while True:
        status, body = get(f"{base}/alertlab/api/stages")
        if status == 401 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 401, body
