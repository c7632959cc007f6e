"""Promotion from a notebook: ship an ``@alertlab.filter`` to the alertlab controller's REST API.

    import alertlab
    alertlab.promote(my_filter, input="alerts.rubin")      # gate, version, deploy
    alertlab.backtest(my_filter, input="alerts.rubin")     # the gate only (nothing deployed)

The controller (``alertlab controller``) must be running; its URL comes from ``url=``,
``$ALERTLAB_CONTROLLER_URL`` or ``http://127.0.0.1:8750``, its bearer token from
``$ALERTLAB_HOME/controller.token``.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .errors import AlertlabError

#: Names a promoted function may use without importing them itself.
_HEADER = (
    "# promoted by alertlab.promote()\n"
    "import alertlab\n"
    "import numpy as np\n"
    "import pandas as pd\n"
    "import pyarrow as pa\n"
    "import pyarrow.compute as pc\n"
)


class ControllerError(AlertlabError):
    """The controller refused or failed a request (``status``, ``body``)."""

    def __init__(self, message: str, status: int = 0, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


def _home() -> Path:
    env = os.environ.get("ALERTLAB_HOME")
    return Path(env) if env else Path(__file__).resolve().parents[3] / ".alertlab"


def _request(
    method: str, path: str, body: Any, url: str | None, token_file: str | None, timeout: float
) -> Any:
    base = (url or os.environ.get("ALERTLAB_CONTROLLER_URL") or "http://127.0.0.1:8750").rstrip("/")
    tf = Path(token_file) if token_file else _home() / "controller.token"
    try:
        token = tf.read_text().strip()
    except OSError as err:
        raise ControllerError(
            f"Cannot read the controller token {tf}: "
            "start `alertlab controller` once, or pass token_file=."
        ) from err
    req = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return json.loads(res.read().decode() or "null")
    except urllib.error.HTTPError as err:
        text = err.read().decode()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = text
        message = payload.get("error", text) if isinstance(payload, dict) else text
        raise ControllerError(
            f"{method} {path} failed ({err.code}): {message}", err.code, payload
        ) from None
    except urllib.error.URLError as err:
        raise ControllerError(
            f"No controller answers at {base}: start `alertlab controller` or pass url=."
        ) from err


def _manifest(
    filter: Any, input: str | None, id: str | None, extra: dict[str, Any] | None
) -> dict[str, Any]:
    spec = filter.spec()
    topic = input or spec.get("input")
    if not topic:
        raise ControllerError(
            "No input topic: pass input='<topic>' (or declare input= on @alertlab.filter)."
        )
    source = spec.get("source") or ""
    if not source:
        raise ControllerError(
            "The filter's source is not available (define it in a file or notebook cell)."
        )
    entry = str(spec.get("qualname") or spec["name"]).split(".")[-1]
    header = _HEADER + (
        "from alertlab import filter\n" if re.search(r"^@filter\b", source, re.M) else ""
    )
    stage_id = id or re.sub(r"[^A-Za-z0-9._-]", "-", str(spec["name"]))
    flt: dict[str, Any] = {
        "language": "python",
        "kind": spec["kind"],
        "outputs": list(spec["outputs"]),
        "columns": list(spec.get("columns") or []),
        "source": header + "\n" + source,
        "entry": entry,
    }
    if spec.get("default_output"):
        flt["defaultOutput"] = spec["default_output"]
    manifest = {"id": stage_id, "input": {"topic": topic}, "filter": flt}
    manifest.update(extra or {})
    return manifest


def promote(
    filter: Any,
    input: str | None = None,
    id: str | None = None,
    replicas: int | None = None,
    author: str | None = None,
    notebook: str | None = None,
    cell: int | None = None,
    manifest: dict[str, Any] | None = None,
    sample_alerts: int | None = None,
    url: str | None = None,
    token_file: str | None = None,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Deploys ``filter`` as a stage: the controller backtests it on buffered alerts of ``input``,
    stores it as a new version (source hash, author, evidence, lineage) and starts its workers.
    ``manifest`` adds stage fields (outputs, crossmatch, payload, batch...). Returns the reply:
    ``id``, ``version``, ``outputTopics``, ``evidence``."""
    body: dict[str, Any] = {
        "manifest": _manifest(filter, input, id, manifest),
        "author": author or getpass.getuser(),
        "lineage": {k: v for k, v in {"notebook": notebook, "cell": cell}.items() if v is not None},
    }
    if replicas is not None:
        body["replicas"] = replicas
    if sample_alerts is not None:
        body["gate"] = {"sampleAlerts": sample_alerts}
    return _request("POST", "/stages", body, url, token_file, timeout)


def backtest_remote(
    filter: Any,
    input: str | None = None,
    sample_alerts: int | None = None,
    manifest: dict[str, Any] | None = None,
    url: str | None = None,
    token_file: str | None = None,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Runs the controller's backtest gate on the last buffered alerts of ``input`` (nothing is
    deployed); returns the evidence (counts per output, timings, estimate per night)."""
    body: dict[str, Any] = {"manifest": _manifest(filter, input, None, manifest)}
    if sample_alerts is not None:
        body["gate"] = {"sampleAlerts": sample_alerts}
    return _request("POST", "/stages/backtest", body, url, token_file, timeout)["evidence"]
