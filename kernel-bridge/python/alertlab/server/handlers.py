"""``/alertlab/api/...``: a Jupyter-authenticated proxy to the controller; the token stays here."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .config import START_HINT, ControllerConfig

# Controller routes the panels and commands use; anything else is refused.
ALLOWED_PREFIXES = ("health", "stages", "buffers/", "openapi.json")
CONTROLLER_HEADER = "X-Alertlab-Controller"
REQUEST_TIMEOUT_S = 30.0


class ControllerProxyHandler(APIHandler):
    """Forwards GET/POST/DELETE to the controller with its bearer token."""

    def initialize(self, config: ControllerConfig) -> None:
        self.controller = config

    def _fail(self, status: int, code: str, message: str, **extra: Any) -> None:
        self.set_status(status)
        self.finish(json.dumps({"error": code, "message": message, **extra}))

    async def _forward(self, path: str) -> None:
        if not path.startswith(ALLOWED_PREFIXES) or ".." in path.split("/"):
            self._fail(404, "unknown-route", f"/alertlab/api/{path} is not a controller route.")
            return
        base = self.controller.target(self.request.headers.get(CONTROLLER_HEADER))
        token = self.controller.token()
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = self.request.body if self.request.method == "POST" else None
        if body is not None:
            headers["Content-Type"] = self.request.headers.get("Content-Type", "application/json")
        query = f"?{self.request.query}" if self.request.query else ""
        request = HTTPRequest(
            f"{base}/{path}{query}",
            method=self.request.method,
            headers=headers,
            body=body,
            request_timeout=REQUEST_TIMEOUT_S,
            allow_nonstandard_methods=True,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (ConnectionError, OSError, HTTPClientError) as exc:
            self._fail(
                503,
                "controller-not-running",
                f"alertlab controller not running at {base} — {START_HINT}.",
                controller=base,
                detail=str(exc),
            )
            return
        if response.code == 599:
            self._fail(
                503,
                "controller-not-running",
                f"alertlab controller not running at {base} — {START_HINT}.",
                controller=base,
                detail=str(response.error),
            )
            return
        if response.code == 401 and not token:
            self._fail(
                401,
                "controller-token-missing",
                "The controller wants a token: set ALERTLAB_USER_TOKEN (or write your token, "
                "from `alertlab controller user add`, to "
                f"{self.controller.user_token_file}); on a one-person setup "
                f"{self.controller.token_file} is used, written at the controller's first start.",
            )
            return
        self.set_status(response.code)
        self.set_header("Content-Type", response.headers.get("Content-Type", "application/json"))
        self.finish(response.body or b"")

    @web.authenticated
    async def get(self, path: str) -> None:
        await self._forward(path)

    @web.authenticated
    async def post(self, path: str) -> None:
        await self._forward(path)

    @web.authenticated
    async def delete(self, path: str) -> None:
        await self._forward(path)


class ConfigHandler(APIHandler):
    """``/alertlab/config``: which controller the server talks to (never the token)."""

    def initialize(self, config: ControllerConfig) -> None:
        self.controller = config

    @web.authenticated
    def get(self) -> None:
        self.finish(
            json.dumps(
                {
                    "controllerUrl": self.controller.controller_url,
                    "tokenFile": self.controller.token_file,
                    "tokenPresent": self.controller.token() is not None,
                    # "user": the notebook user's own token; "controller": the admin token file
                    "tokenSource": self.controller.token_source()[0],
                }
            )
        )
