"""Jupyter server extension: the panels' proxy to the alertlab controller.

Enabled by ``jupyter_server_config.d/alertlab.json`` (written by ``scripts/setup.sh``) or
``--ServerApp.jpserver_extensions='{"alertlab.server": true}'``. Routes (Jupyter auth applies):
``GET /alertlab/config`` and ``GET|POST|DELETE /alertlab/api/<controller route>``.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from .config import ControllerConfig
from .handlers import ConfigHandler, ControllerProxyHandler

__all__ = ["ControllerConfig"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "alertlab.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    config = ControllerConfig(parent=serverapp)
    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "alertlab/config"), ConfigHandler, {"config": config}),
            (url_path_join(base, "alertlab/api/(.*)"), ControllerProxyHandler, {"config": config}),
        ],
    )
    serverapp.log.info("alertlab: controller proxy at /alertlab/api -> %s", config.controller_url)
