"""Kafka security settings for ``connect()`` / ``attach()``: the JSON of the engine's
``sdk/src/buffer/security.ts`` (protocol, sasl, tls), given as a dict or as the path of a JSON
file. They name the environment variables or owner-only files that hold secrets; a secret itself
(a ``password`` or ``token`` key) is refused here, before anything leaves the notebook."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Union

SecurityLike = Union[dict[str, Any], str, "os.PathLike[str]"]

_SECRET_KEYS = {"password", "passwd", "secret", "token", "access_token", "keypassword"}


def _check(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).lower() in _SECRET_KEYS:
                raise ValueError(
                    f"Kafka security settings: {where}.{key} would put a secret in plain text. "
                    "Name an environment variable or an owner-only file instead (passwordEnv / "
                    "passwordFile, tokenCommand / tokenFile, keyPasswordEnv)."
                )
            _check(inner, f"{where}.{key}")


def security_content(security: SecurityLike | None) -> dict[str, Any]:
    """The attach request fields for ``security``: ``{"security": {...}}`` for a dict,
    ``{"security_file": "/abs/path.json"}`` for a path (the engine reads and validates it)."""
    if security is None:
        return {}
    if isinstance(security, dict):
        _check(security, "security")
        return {"security": security}
    path = Path(security).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"Kafka security settings file {path} does not exist.")
    return {"security_file": str(path)}
