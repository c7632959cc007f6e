"""Promotion from a notebook: ship an ``@alertlab.filter`` to the alertlab controller's REST API.

    import alertlab
    alertlab.promote(my_filter, topic="alerts.rubin")              # gate, version, deploy
    alertlab.controller.backtest_remote(my_filter, topic="alerts.rubin")   # the gate only

The filter travels as one module: its function with the helpers, constants and imports it uses
from the notebook (see :mod:`alertlab._ship`); what cannot travel is refused here, naming it.
The controller (``alertlab controller``) must be running; its URL comes from ``url=``,
``$ALERTLAB_CONTROLLER_URL`` or ``http://127.0.0.1:8750``, its bearer token from ``token_file=``,
``$ALERTLAB_CONTROLLER_TOKEN_FILE`` or ``$ALERTLAB_HOME/controller.token`` (see
:mod:`alertlab._config`).
"""

from __future__ import annotations

import getpass
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, cast

from ._config import controller_token_file, controller_url
from .backtesting import SqlFilter, TsFilter
from .errors import AlertlabError
from .filters import Filter
from .reports import GateEvidence, PromoteResult


class ControllerError(AlertlabError):
    """The controller refused or failed a request (``status``, ``body``)."""

    def __init__(self, message: str, status: int = 0, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


def _request(
    method: str,
    path: str,
    body: object,
    url: str | None,
    token_file: str | Path | None,
    timeout: float,
) -> Any:  # parsed JSON; each caller casts it to its reply type
    data = None if body is None else json.dumps(body).encode()
    return _send(method, path, data, "application/json", url, token_file, timeout)


def _send(
    method: str,
    path: str,
    data: bytes | None,
    content_type: str,
    url: str | None,
    token_file: str | Path | None,
    timeout: float,
) -> Any:  # parsed JSON; a body already encoded (JSON, CSV, VOTable, FITS) with its type
    base = (url or controller_url()).rstrip("/")
    tf = Path(token_file) if token_file else controller_token_file()
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
        data=data,
        headers={"authorization": f"Bearer {token}", "content-type": content_type},
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


def _topic(topic: str | None, input: str | None) -> str:
    if topic is not None and input is not None and topic != input:
        raise ControllerError(f"topic={topic!r} and input={input!r} disagree: pass one.")
    chosen = topic if topic is not None else input
    if not chosen:
        raise ControllerError(
            "No input topic: pass the buffer topic the stage reads, "
            "e.g. alertlab.promote(f, topic='alerts.rubin'). (A filter's input='pandas' is "
            "the batch type its function receives, not a topic.)"
        )
    return chosen


#: What promotion takes: an ``@alert_filter`` function, a :func:`~alertlab.sql_filter` or a
#: :func:`~alertlab.ts_filter`.
PromotableFilter = Filter | SqlFilter | TsFilter


def manifest_of(
    flt: PromotableFilter,
    topic: str,
    id: str | None = None,
    extra: dict[str, object] | None = None,
) -> dict[str, object]:
    """The stage manifest a promotion sends: the input topic, the filter's declaration and its
    source (a Python filter's shipped module: raises :class:`~alertlab.ShipError` naming what
    cannot be shipped)."""
    if isinstance(flt, SqlFilter | TsFilter):
        body = {k: v for k, v in flt.section().items() if k != "name"}
        name = flt.name
    elif isinstance(flt, Filter):
        spec = flt.spec()
        name = spec["name"]
        body = {
            "language": "python",
            "kind": spec["kind"],
            "outputs": list(spec["outputs"]),
            "columns": list(spec["columns"] or []),
            "source": spec["source"],
            "entry": spec["entry"],
        }
        if spec["default_output"]:
            body["defaultOutput"] = spec["default_output"]
    else:
        raise ControllerError(
            "Promote needs an @alertlab.alert_filter function, an alertlab.sql_filter(...) or an "
            f"alertlab.ts_filter(...) (got {type(flt).__name__})."
        )
    stage_id = id or re.sub(r"[^A-Za-z0-9._-]", "-", name)
    manifest: dict[str, object] = {"id": stage_id, "input": {"topic": topic}, "filter": body}
    manifest.update(extra or {})
    return manifest


def promote(
    filter: PromotableFilter,
    topic: str | None = None,
    *,
    input: str | None = None,
    id: str | None = None,
    replicas: int | None = None,
    author: str | None = None,
    notebook: str | None = None,
    cell: int | None = None,
    manifest: dict[str, object] | None = None,
    sample_alerts: int | None = None,
    url: str | None = None,
    token_file: str | Path | None = None,
    timeout: float = 120.0,
) -> PromoteResult:
    """Deploys ``filter`` as a stage reading ``topic`` (``input=`` is the same parameter, kept
    for older notebooks; there is no default: without one this raises). The controller
    backtests it on the last buffered alerts of the topic (``sample_alerts``), stores it as a new
    version (source hash, author, evidence, lineage ``notebook``/``cell``) and starts ``replicas``
    workers. ``manifest`` adds stage fields (crossmatch, payload, batch...); ``timeout`` is in
    seconds. Returns the reply: ``id``, ``version``, ``outputTopics``, ``evidence``."""
    body: dict[str, object] = {
        "manifest": manifest_of(filter, _topic(topic, input), id, manifest),
        "author": author or getpass.getuser(),
        "lineage": {k: v for k, v in {"notebook": notebook, "cell": cell}.items() if v is not None},
    }
    if replicas is not None:
        body["replicas"] = replicas
    if sample_alerts is not None:
        body["gate"] = {"sampleAlerts": sample_alerts}
    return cast(PromoteResult, _request("POST", "/stages", body, url, token_file, timeout))


def backtest_remote(
    filter: PromotableFilter,
    topic: str | None = None,
    *,
    input: str | None = None,
    sample_alerts: int | None = None,
    manifest: dict[str, object] | None = None,
    url: str | None = None,
    token_file: str | Path | None = None,
    timeout: float = 120.0,
) -> GateEvidence:
    """Runs the controller's backtest gate on the last ``sample_alerts`` buffered alerts of
    ``topic`` (``input=`` is the same parameter) with the source promotion would ship; nothing
    is deployed. Returns the evidence: offsets read, counts per output, timings, estimate per
    night."""
    body: dict[str, object] = {
        "manifest": manifest_of(filter, _topic(topic, input), None, manifest)
    }
    if sample_alerts is not None:
        body["gate"] = {"sampleAlerts": sample_alerts}
    reply = _request("POST", "/stages/backtest", body, url, token_file, timeout)
    return cast(GateEvidence, reply["evidence"])
