"""Kafka security settings passed by connect()/attach(): secrets never in plain text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alertlab._security import security_content


def test_a_settings_dict_is_sent_as_is() -> None:
    sec = {
        "protocol": "SASL_SSL",
        "sasl": {"mechanism": "SCRAM-SHA-512", "username": "u", "passwordEnv": "KAFKA_PW"},
        "tls": {"caFile": "/etc/ca.pem"},
    }
    assert security_content(sec) == {"security": sec}
    assert security_content(None) == {}


@pytest.mark.parametrize(
    "sasl",
    [
        {"mechanism": "PLAIN", "username": "u", "password": "hunter2-secret"},
        {"mechanism": "OAUTHBEARER", "token": "eyJhbGciOi.secret"},
    ],
)
def test_a_plain_text_secret_is_refused_without_echoing_it(sasl: dict[str, str]) -> None:
    with pytest.raises(ValueError) as info:
        security_content({"protocol": "SASL_SSL", "sasl": sasl})
    text = str(info.value)
    assert "passwordEnv" in text
    assert "hunter2-secret" not in text and "eyJhbGciOi.secret" not in text


def test_a_file_is_sent_as_its_absolute_path(tmp_path: Path) -> None:
    f = tmp_path / "sec.json"
    f.write_text(json.dumps({"protocol": "SSL"}))
    assert security_content(f) == {"security_file": str(f.resolve())}
    with pytest.raises(FileNotFoundError):
        security_content(tmp_path / "missing.json")
