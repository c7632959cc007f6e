"""Connection files and starting the engine.

The engine writes ``$ALERTLAB_HOME/bridge.json`` (mode 0600; ``ALERTLAB_HOME`` defaults to
``<repo>/.alertlab``). When no engine answers, :func:`start_engine` runs
``node --import tsx kernel-bridge/src/engine-main.ts --connection-file <path>`` from the repository
(``$ALERTLAB_REPO`` or found from this package's location), logging next to the connection file
(``bridge.log``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .errors import BridgeNotReadyError

ENGINE_MAIN = Path("kernel-bridge") / "src" / "engine-main.ts"


def repo_root() -> Path | None:
    env = os.environ.get("ALERTLAB_REPO")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        if (parent / ENGINE_MAIN).exists():
            return parent
    return None


def alertlab_home() -> Path:
    env = os.environ.get("ALERTLAB_HOME")
    if env:
        return Path(env)
    root = repo_root()
    return (root if root else Path.home()) / ".alertlab"


def default_connection_file() -> Path:
    return alertlab_home() / "bridge.json"


def read_connection_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        info = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise BridgeNotReadyError(
            f"No connection file at {path}. Start the engine with alertlab.connect() or "
            f"`node --import tsx {ENGINE_MAIN}` from the repository."
        ) from None
    except ValueError as err:
        raise BridgeNotReadyError(
            f"Connection file {path} is not valid JSON ({err}); "
            "delete it and run alertlab.connect()."
        ) from None
    if not isinstance(info.get("key"), str) or not isinstance(info.get("shell_port"), int):
        raise BridgeNotReadyError(
            f"Connection file {path} lacks key/shell_port; delete it and run alertlab.connect()."
        )
    return info


def write_connection_file(path: str | os.PathLike[str], info: dict[str, Any]) -> None:
    """Writes with mode 0600 (the key signs every message)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)


def endpoint_of(info: dict[str, Any]) -> str:
    if info.get("transport") == "ipc":
        return f"ipc://{info['ip']}-{info['shell_port']}"
    return f"tcp://{info['ip']}:{info['shell_port']}"


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_engine(connection_file: Path, extra_args: list[str] | None = None) -> subprocess.Popen:
    """Starts the Node engine in its own session; it outlives this Python process."""
    root = repo_root()
    node = shutil.which("node")
    if root is None or node is None:
        raise BridgeNotReadyError(
            "Cannot start the alertlab engine: "
            + ("`node` is not on PATH. " if node is None else "")
            + (
                "the repository (kernel-bridge/src/engine-main.ts) was not found; "
                "set ALERTLAB_REPO."
                if root is None
                else ""
            )
            + " Or start it yourself and call alertlab.connect(path_to_connection_file)."
        )
    log_path = connection_file.with_suffix(".log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        node,
        "--import",
        "tsx",
        str(root / ENGINE_MAIN),
        "--connection-file",
        str(connection_file),
    ]
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [*cmd, *(extra_args or [])],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def log_tail(connection_file: Path, lines: int = 20) -> str:
    try:
        text = connection_file.with_suffix(".log").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
