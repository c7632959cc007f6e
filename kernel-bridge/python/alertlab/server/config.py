"""Where the alertlab controller is and how to authenticate to it (server side only)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from traitlets import Unicode, default
from traitlets.config import Configurable

from .._config import DEFAULT_CONTROLLER_URL, controller_token_file, controller_url

__all__ = ["DEFAULT_CONTROLLER_URL", "LOOPBACK_HOSTS", "START_HINT", "ControllerConfig"]

START_HINT = "start it with `bin/alertlab controller` (or set ALERTLAB_CONTROLLER_URL)"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ControllerConfig(Configurable):
    """``c.ControllerConfig.controller_url`` / ``token_file`` in jupyter_server_config.py."""

    controller_url = Unicode(help="Base URL of the alertlab controller's REST API.").tag(
        config=True
    )
    token_file = Unicode(help="File holding the controller's bearer token.").tag(config=True)

    @default("controller_url")
    def _default_url(self) -> str:
        return controller_url()  # $ALERTLAB_CONTROLLER_URL, the config file, or the default

    @default("token_file")
    def _default_token_file(self) -> str:
        return str(controller_token_file())  # $ALERTLAB_CONTROLLER_TOKEN_FILE or $ALERTLAB_HOME

    def token(self) -> str | None:
        """The controller token, or None when the file does not exist (yet)."""
        try:
            return Path(self.token_file).read_text().strip() or None
        except OSError:
            return None

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
