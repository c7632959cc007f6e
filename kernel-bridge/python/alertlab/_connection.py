"""Connection files and starting the engine.

The engine writes its connection file (``$ALERTLAB_HOME/bridge.json``, mode 0600). When no engine
answers, :func:`start_engine` runs ``node --import tsx kernel-bridge/src/engine-main.ts
--connection-file <path>`` in the project checkout, with the project's Node, logging next to the
connection file (``bridge.log``). Where the home, the checkout and Node are is configuration (see
:mod:`alertlab._config`), never this package's location.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Literal, NotRequired, TypedDict, cast

from ._config import (
    ENGINE_MAIN,
    alertlab_home,
    connection_file,
    engine_idle_exit_s,
    node_binary,
    project_root,
)
from .errors import BridgeNotReadyError


class ConnectionInfo(TypedDict):
    """A connection file's content (what the engine writes)."""

    transport: Literal["tcp", "ipc"]
    ip: str
    shell_port: int
    key: str
    pid: NotRequired[int]
    signature_scheme: NotRequired[str]


def repo_root() -> Path | None:
    """The alertlab checkout (``$ALERTLAB_ROOT``, config, or found above the current folder)."""
    return project_root()


def default_connection_file() -> Path:
    return connection_file()


def read_connection_file(path: str | os.PathLike[str]) -> ConnectionInfo:
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
    if (
        not isinstance(info, dict)
        or not isinstance(info.get("key"), str)
        or not isinstance(info.get("shell_port"), int)
    ):
        raise BridgeNotReadyError(
            f"Connection file {path} lacks key/shell_port; delete it and run alertlab.connect()."
        )
    info.setdefault("transport", "tcp")
    info.setdefault("ip", "127.0.0.1")
    return cast(ConnectionInfo, info)  # checked above


def write_connection_file(path: str | os.PathLike[str], info: ConnectionInfo) -> None:
    """Writes with mode 0600 (the key signs every message)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)


def endpoint_of(info: ConnectionInfo) -> str:
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


def start_engine(
    connection_file: Path, extra_args: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """Starts the Node engine in its own session. It outlives this Python process, and exits
    once no client has spoken to it for ``$ALERTLAB_ENGINE_IDLE_EXIT_S`` (clients send a
    heartbeat while they are open)."""
    root = repo_root()
    node = node_binary(root)
    if root is None or node is None:
        raise BridgeNotReadyError(
            "Cannot start the alertlab engine: "
            + (
                "no Node found (set ALERTLAB_NODE, or run scripts/setup.sh in the checkout). "
                if node is None
                else ""
            )
            + (
                f"the alertlab checkout ({ENGINE_MAIN}) was not found above {Path.cwd()}; set "
                "ALERTLAB_ROOT to it. "
                if root is None
                else ""
            )
            + "Or start the engine yourself and call alertlab.connect(path_to_connection_file)."
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
        "--idle-exit-ms",
        str(round(engine_idle_exit_s() * 1000)),
    ]
    # the engine keeps its state (catalogs, object index, filters) where this client looks for
    # it: the home may come from the config file, which Node does not read
    env = {**os.environ, "ALERTLAB_HOME": str(alertlab_home())}
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [*cmd, *(extra_args or [])],
            cwd=root,
            env=env,
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
