"""Where the alertlab controller is and how to authenticate to it (server side only)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from traitlets import Unicode, default
from traitlets.config import Configurable

from .._config import DEFAULT_CONTROLLER_URL, alertlab_home, controller_token_file, controller_url

__all__ = ["DEFAULT_CONTROLLER_URL", "LOOPBACK_HOSTS", "START_HINT", "ControllerConfig"]

START_HINT = "start it with `bin/alertlab controller` (or set ALERTLAB_CONTROLLER_URL)"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ControllerConfig(Configurable):
    """``c.ControllerConfig.controller_url`` / ``token_file`` in jupyter_server_config.py.

    On a shared deployment each notebook user's server sends that user's own token
    (``alertlab controller user add``): ``user_token`` ($ALERTLAB_USER_TOKEN), else the
    ``user_token_file`` ($ALERTLAB_USER_TOKEN_FILE, default $ALERTLAB_HOME/user.token) when it
    exists. Only without either does it fall back to the controller's own (admin) token file,
    which is for a one-person setup.
    """

    controller_url = Unicode(help="Base URL of the alertlab controller's REST API.").tag(
        config=True
    )
    token_file = Unicode(help="File holding the controller's bearer token.").tag(config=True)
    user_token = Unicode(help="The notebook user's own controller token.").tag(config=True)
    user_token_file = Unicode(help="File holding the notebook user's own token.").tag(config=True)

    @default("controller_url")
    def _default_url(self) -> str:
        return controller_url()  # $ALERTLAB_CONTROLLER_URL, the config file, or the default

    @default("token_file")
    def _default_token_file(self) -> str:
        return str(controller_token_file())  # $ALERTLAB_CONTROLLER_TOKEN_FILE or $ALERTLAB_HOME

    @default("user_token")
    def _default_user_token(self) -> str:
        return os.environ.get("ALERTLAB_USER_TOKEN", "").strip()

    @default("user_token_file")
    def _default_user_token_file(self) -> str:
        value = os.environ.get("ALERTLAB_USER_TOKEN_FILE")
        return str(Path(value).expanduser() if value else alertlab_home() / "user.token")

    def token_source(self) -> tuple[str, str | None]:
        """("user" | "controller", token): the user's own token first, else the controller's."""
        if self.user_token.strip():
            return "user", self.user_token.strip()
        user = _read_token(self.user_token_file)
        if user is not None:
            return "user", user
        return "controller", _read_token(self.token_file)

    def token(self) -> str | None:
        """The token to send: the user's own, else the controller's, else None (no file yet)."""
        return self.token_source()[1]

    def target(self, override: str | None) -> str:
        """Controller base URL: the browser's setting if given and on loopback, else the config.

        The token is only ever sent to the configured URL or to this machine, so a setting
        cannot make the server hand the token to another host.
        """
        if override:
            host = urlparse(override).hostname or ""
            if urlparse(override).scheme in ("http", "https") and host in LOOPBACK_HOSTS:
                return override.rstrip("/")
        return self.controller_url.rstrip("/")


def _read_token(path: str) -> str | None:
    if not path:
        return None
    try:
        return Path(path).read_text().strip() or None
    except OSError:
        return None
