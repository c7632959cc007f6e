"""Where things are, found from the environment and configuration - never from where this package
is installed, so that it works the same from a checkout and from a wheel in any venv.

In order of precedence:

- ``ALERTLAB_HOME``: the engine's state folder (``bridge.json``, ``controller.token``, logs).
  Default ``<root>/.alertlab`` when the project root is known, else ``~/.alertlab``.
- ``ALERTLAB_ROOT``: the alertlab project checkout (``ALERTLAB_REPO`` is read too); needed only
  to start an engine. Default: the ``root`` key of the config file, else the first folder at or
  above the current directory holding ``kernel-bridge/src/engine-main.ts``.
- ``ALERTLAB_BRIDGE_CONNECTION_FILE``: the engine's connection file
  (``$ALERTLAB_HOME/bridge.json``).
- ``ALERTLAB_CONTROLLER_URL`` (``http://127.0.0.1:8750``) and ``ALERTLAB_CONTROLLER_TOKEN_FILE``
  (``$ALERTLAB_HOME/controller.token``).
- ``ALERTLAB_NODE``: the Node binary that runs the engine; default
  ``<root>/.alertlab/node/bin/node`` (the project's Node 24, installed by ``scripts/setup.sh``),
  else ``node`` on PATH.
- ``ALERTLAB_ENGINE_IDLE_EXIT_S`` (600): an engine that ``alertlab.connect()`` starts exits once no
  client has spoken to it for this long; ``ALERTLAB_HEARTBEAT_S`` (60): how often a live client
  says it is there (so an idle notebook keeps its engine, a closed one lets it go).
- The config file ``$ALERTLAB_CONFIG`` (default ``~/.config/alertlab/config.toml``) may set
  ``root``, ``home``, ``controller_url`` and ``node``; environment variables win over it.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

ENGINE_MAIN = Path("kernel-bridge") / "src" / "engine-main.ts"
DEFAULT_CONTROLLER_URL = "http://127.0.0.1:8750"


def config_file() -> Path:
    env = os.environ.get("ALERTLAB_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "alertlab" / "config.toml"


def _configured(key: str) -> str | None:
    try:
        data = tomllib.loads(config_file().read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = data.get(key)
    return str(value) if isinstance(value, str | os.PathLike) and str(value) else None


def project_root() -> Path | None:
    """The alertlab checkout that can start an engine, or None when none is configured or found
    at or above the current directory."""
    for value in (
        os.environ.get("ALERTLAB_ROOT"),
        os.environ.get("ALERTLAB_REPO"),
        _configured("root"),
    ):
        if value:
            return Path(value).expanduser()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / ENGINE_MAIN).is_file():
            return folder
    return None


def alertlab_home() -> Path:
    """``$ALERTLAB_HOME``, else the config file's ``home``, else ``<root>/.alertlab``, else
    ``~/.alertlab``."""
    value = os.environ.get("ALERTLAB_HOME") or _configured("home")
    if value:
        return Path(value).expanduser()
    root = project_root()
    return (root if root is not None else Path.home()) / ".alertlab"


def connection_file() -> Path:
    """``$ALERTLAB_BRIDGE_CONNECTION_FILE``, else ``$ALERTLAB_HOME/bridge.json``."""
    value = os.environ.get("ALERTLAB_BRIDGE_CONNECTION_FILE")
    return Path(value).expanduser() if value else alertlab_home() / "bridge.json"


def controller_url() -> str:
    """``$ALERTLAB_CONTROLLER_URL``, else the config file's ``controller_url``, else
    ``http://127.0.0.1:8750``."""
    value = os.environ.get("ALERTLAB_CONTROLLER_URL") or _configured("controller_url")
    return (value or DEFAULT_CONTROLLER_URL).rstrip("/")


def controller_token_file() -> Path:
    """``$ALERTLAB_CONTROLLER_TOKEN_FILE``, else ``$ALERTLAB_HOME/controller.token``."""
    value = os.environ.get("ALERTLAB_CONTROLLER_TOKEN_FILE")
    return Path(value).expanduser() if value else alertlab_home() / "controller.token"


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def engine_idle_exit_s() -> float:
    """``$ALERTLAB_ENGINE_IDLE_EXIT_S``, default 600 s."""
    return _seconds("ALERTLAB_ENGINE_IDLE_EXIT_S", 600.0)


def heartbeat_s() -> float:
    """``$ALERTLAB_HEARTBEAT_S``, default 60 s (kept below the idle exit)."""
    return min(_seconds("ALERTLAB_HEARTBEAT_S", 60.0), engine_idle_exit_s() / 3)


def node_binary(root: Path | None) -> str | None:
    """``$ALERTLAB_NODE``, else the config file's ``node``, else the project's Node
    (``<root>/.alertlab/node/bin/node``), else ``node`` on PATH."""
    value = os.environ.get("ALERTLAB_NODE") or _configured("node")
    if value:
        return value
    if root is not None:
        project_node = root / ".alertlab" / "node" / "bin" / "node"
        if os.access(project_node, os.X_OK):
            return str(project_node)
    return shutil.which("node")
