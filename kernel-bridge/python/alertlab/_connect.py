"""``connect()``: find the running engine or start one, and keep a default client."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ._connection import (
    default_connection_file,
    log_tail,
    pid_alive,
    read_connection_file,
    start_engine,
)
from ._security import SecurityLike, security_content
from .client import Client
from .errors import AlertlabError, BridgeNotReadyError

_default: Client | None = None


def _try(path: Path, timeout: float) -> Client | None:
    try:
        info = read_connection_file(path)
    except BridgeNotReadyError:
        return None
    if not pid_alive(info.get("pid")):
        return None
    client = Client(info, str(path))
    try:
        client.ping(timeout=timeout)
    except AlertlabError:
        client.close()
        return None
    return client


def connect(
    connection_file: str | os.PathLike[str] | None = None,
    *,
    start: bool = True,
    restart: bool = False,
    timeout: float = 60.0,
    bootstrap_servers: str | None = None,
    security: SecurityLike | None = None,
) -> Client:
    """Connects to the engine named by the connection file (default
    ``$ALERTLAB_BRIDGE_CONNECTION_FILE``, else ``$ALERTLAB_HOME/bridge.json``). If none answers
    and ``start`` is true, starts one from the alertlab checkout (``$ALERTLAB_ROOT``, the config
    file's ``root``, or a folder at or above the current one) on the project's Node
    (``$ALERTLAB_NODE``, else ``<root>/.alertlab/node/bin/node``, else ``node`` on PATH), logs
    next to the connection file, and waits up to ``timeout`` seconds. ``restart=True`` stops a
    running engine first. See :mod:`alertlab._config`.

    ``bootstrap_servers`` and ``security`` (a dict or JSON file of Kafka security settings; see
    :meth:`Client.attach`) become the client's defaults for ``attach``."""
    global _default
    security_content(security)  # a plain-text secret or a missing file fails before anything
    path = Path(connection_file) if connection_file else default_connection_file()
    client = _try(path, timeout=2.0)
    if client and restart:
        client.shutdown()
        client.close()
        client = None
        time.sleep(0.2)
    if client is None:
        if not start:
            raise BridgeNotReadyError(
                f"No alertlab engine answers at {path}. Start one with alertlab.connect() or "
                "`node --import tsx kernel-bridge/src/engine-main.ts` in the repository."
            )
        proc = start_engine(path)
        deadline = time.monotonic() + timeout
        while client is None:
            if proc.poll() is not None:
                raise BridgeNotReadyError(
                    f"The alertlab engine exited with code {proc.returncode} while starting. "
                    f"Log ({path.with_suffix('.log')}):\n{log_tail(path)}"
                )
            if time.monotonic() > deadline:
                raise BridgeNotReadyError(
                    f"The alertlab engine (pid {proc.pid}) did not answer within {timeout:.0f} s. "
                    f"Log:\n{log_tail(path)}"
                )
            time.sleep(0.1)
            client = _try(path, timeout=2.0)
        client.engine_process = proc
    client.bootstrap_servers = bootstrap_servers
    client.security = security
    _default = client  # an earlier client stays open: its holder closes it
    return client


def default_client() -> Client:
    """The client from the last ``connect()``, connecting (and starting the engine) if needed."""
    return _default if _default is not None else connect()


def disconnect() -> None:
    """Closes the default client (the engine keeps running)."""
    global _default
    if _default is not None:
        _default.close()
        _default = None
