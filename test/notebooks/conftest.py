"""Checks that the stack the notebooks need is up, and says which piece is missing when it is not.

Every notebook runs against a live stack (Kafka, the alertlab engine, catalogs, the controller);
when a piece is absent the notebook's test FAILS with a message naming it and the command that
starts it. Nothing is skipped.

Environment (all passed on to the notebooks' kernels):
  ALERTLAB_CONTROLLER_URL         controller (default http://127.0.0.1:8750)
  ALERTLAB_CONTROLLER_TOKEN_FILE  its bearer token (default $ALERTLAB_HOME/controller.token)
  ALERTLAB_TOPIC, ALERTLAB_FILTER_TOPIC, ... see notebooks/README.md
  ALERTLAB_NOTEBOOKS              run only notebooks whose name contains one of these
                                  (comma-separated, e.g. "01,03")
  ALERTLAB_NOTEBOOK_CELL_TIMEOUT_S  per-cell time limit (default 180)
  ALERTLAB_NOTEBOOK_OUTPUT_DIR    also write the executed notebooks there (CI artefacts)
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"


def alertlab_home() -> Path:
    env = os.environ.get("ALERTLAB_HOME")
    return Path(env) if env else REPO / ".alertlab"


def controller_url() -> str:
    return os.environ.get("ALERTLAB_CONTROLLER_URL", "http://127.0.0.1:8750").rstrip(
        "/"
    )


def controller_token_file() -> Path:
    env = os.environ.get("ALERTLAB_CONTROLLER_TOKEN_FILE")
    return Path(env) if env else alertlab_home() / "controller.token"


def check_engine_and_kafka() -> str:
    try:
        import alertlab
    except ImportError as err:
        return (
            f"the Python package `alertlab` is not importable ({err}): run `bash scripts/setup.sh` "
            "(it installs kernel-bridge/python into .venv)."
        )
    try:
        alertlab.connect(timeout=90)
    except Exception as err:  # noqa: BLE001 - any failure is reported as the missing piece
        return (
            f"the alertlab engine (kernel bridge) does not start or answer: {err}. Start it with "
            "`node --import tsx kernel-bridge/src/engine-main.ts` and read $ALERTLAB_HOME/bridge.log."
        )
    for attempt in range(3):
        try:
            alertlab.topics()
            break
        except Exception as err:  # noqa: BLE001
            # a topic deleted while the engine lists them fails the call: ask again
            if attempt < 2:
                time.sleep(1)
                continue
            return (
                f"Kafka is not reachable from the engine: {err}. Start it with "
                "`bin/alertlab kafka start` (or set ALERTLAB_BOOTSTRAP_SERVERS) and create the "
                "buffer topics with `bin/alertlab buffer create`."
            )
    return ""


def check_catalogs() -> str:
    import alertlab

    missing = []
    for name in ("tycho2", "hipparcos", "dso"):
        try:
            alertlab.cone(56.75, 24.12, 3600, name)
        except Exception as err:  # noqa: BLE001
            missing.append(f"{name} ({str(err).splitlines()[0]})")
    if missing:
        return (
            f"catalogs are not loaded: {'; '.join(missing)}. Load them with "
            "`bin/alertlab catalog load tycho2` (and hipparcos, dso). If the message says the "
            "store is locked, another process holds catalogs.duckdb read-write."
        )
    return ""


def check_controller() -> str:
    url = controller_url()
    try:
        with urllib.request.urlopen(url + "/health", timeout=5) as res:
            json.loads(res.read().decode())
    except (urllib.error.URLError, OSError, ValueError) as err:
        return (
            f"no controller answers at {url} ({err}): start `bin/alertlab controller` or set "
            "ALERTLAB_CONTROLLER_URL."
        )
    token = controller_token_file()
    if not token.is_file():
        return (
            f"the controller token {token} is missing: set ALERTLAB_CONTROLLER_TOKEN_FILE to the "
            "file `alertlab controller` printed at start."
        )
    return ""


def check_node() -> str:
    if shutil.which("node") is None:
        return "`node` is not on PATH: the notebooks run small Node scripts (install Node 20)."
    if not (REPO / "node_modules" / "tsx").is_dir():
        return "node_modules/tsx is missing: run `bash scripts/setup.sh` (npm install)."
    return ""


CHECKS: dict[str, Callable[[], str]] = {
    "engine+kafka": check_engine_and_kafka,
    "catalogs": check_catalogs,
    "controller": check_controller,
    "node": check_node,
}

#: What each notebook needs besides the engine and Kafka.
NEEDS: dict[str, list[str]] = {
    "01-quickstart": [],
    "02-crossmatch": ["catalogs"],
    "03-lightcurves": ["node"],
    "04-filters": ["controller", "node"],
    "05-windows-archive": ["node"],
    "06-the-loop": ["catalogs", "controller", "node"],
}


class Stack:
    """Runs each check once per session and remembers the answer."""

    def __init__(self) -> None:
        self.results: dict[str, str] = {}

    def missing(self, notebook: str) -> list[str]:
        needs = [
            "engine+kafka",
            *NEEDS.get(notebook, ["catalogs", "controller", "node"]),
        ]
        out = []
        for name in needs:
            if name not in self.results:
                # later checks go through the engine: do not run them when it is down
                broken = self.results.get("engine+kafka")
                self.results[name] = (
                    "needs the engine and Kafka first"
                    if broken and name == "catalogs"
                    else CHECKS[name]()
                )
            if self.results[name]:
                out.append(f"{name}: {self.results[name]}")
        return out


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack()


def selected_notebooks() -> list[Path]:
    paths = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
    wanted = [
        w.strip()
        for w in os.environ.get("ALERTLAB_NOTEBOOKS", "").split(",")
        if w.strip()
    ]
    return [p for p in paths if not wanted or any(w in p.name for w in wanted)]
