"""The package as a user installs it: `pip install ./kernel-bridge/python` into a fresh venv outside
the checkout, then, from a folder outside the checkout, connect to a running engine found by the
environment (ALERTLAB_HOME), or start one from the checkout named by ALERTLAB_ROOT."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "kernel-bridge" / "python"

SCRIPT = """
import json, sys
import alertlab
client = alertlab.connect(start=False)
reply = client.ping()
names = sorted(t["name"] for t in alertlab.topics())
print(json.dumps({"file": alertlab.__file__, "pid": reply["pid"], "topics": names}))
"""

START = """
import json
import alertlab
client = alertlab.connect(timeout=90)
pid = client.ping()["pid"]
client.shutdown()
print(json.dumps({"pid": pid, "started": client.engine_process is not None}))
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (outside the checkout) with the package pip-installed from its folder; its
    dependencies come from the project's venv through a path file (no network)."""
    where = tmp_path_factory.mktemp("wheel-venv")
    assert ROOT not in where.parents
    subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True, timeout=120)
    python = where / "venv" / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheels = where / "wheels"
    pip = [python, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", wheels, PACKAGE], check=True, timeout=300)
    (wheel,) = wheels.glob("alertlab-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert {"alertlab/py.typed", "alertlab/_ship.py", "alertlab/widgets/__init__.py"} <= names
    subprocess.run([*pip, "install", "--no-deps", PACKAGE], check=True, timeout=300)
    return python


def run_outside(python: Path, script: str, env: dict[str, str], cwd: Path) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALERTLAB_")}
    clean.pop("PYTHONPATH", None)
    out = subprocess.run(
        [python, "-c", script],
        cwd=cwd,
        env={**clean, "HOME": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_installed_wheel_finds_a_running_engine_by_environment(venv, engine_home, tmp_path):
    info = json.loads((engine_home / "bridge.json").read_text())
    got = run_outside(venv, SCRIPT, {"ALERTLAB_HOME": str(engine_home)}, tmp_path)
    assert str(got["file"]).startswith(str(venv.parent.parent))  # the wheel, not the checkout
    assert got["pid"] == info["pid"]
    assert got["topics"] == ["test.edge", "test.many"]
    only_file = {"ALERTLAB_BRIDGE_CONNECTION_FILE": str(engine_home / "bridge.json")}
    assert run_outside(venv, SCRIPT, only_file, tmp_path)["pid"] == info["pid"]


def test_installed_wheel_starts_the_engine_from_alertlab_root(venv, tmp_path):
    home = tmp_path / "home"
    failing = tmp_path / "fail.py"
    failing.write_text(
        "import alertlab\ntry:\n    alertlab.connect()\nexcept alertlab.BridgeNotReadyError as e:\n"
        "    import json; print(json.dumps({'error': str(e)}))\n"
    )
    got = run_outside(venv, failing.read_text(), {"ALERTLAB_HOME": str(home)}, tmp_path)
    assert "set ALERTLAB_ROOT" in str(got["error"])
    env = {"ALERTLAB_HOME": str(home), "ALERTLAB_ROOT": str(ROOT)}
    started = run_outside(venv, START, env, tmp_path)
    assert started["started"] is True and isinstance(started["pid"], int)
    assert not (home / "bridge.json").exists()  # the engine removed it on shutdown
