"""The controller proxy's configuration: where the token may go, and where it is read from."""

from __future__ import annotations

from alertlab.server import ControllerConfig
from alertlab.server.handlers import ALLOWED_PREFIXES


def test_settings_may_only_redirect_the_token_to_this_machine(monkeypatch):
    monkeypatch.setenv("ALERTLAB_CONTROLLER_URL", "http://controller.internal:8750/")
    config = ControllerConfig()
    assert config.target(None) == "http://controller.internal:8750"
    assert config.target("http://127.0.0.1:9999/") == "http://127.0.0.1:9999"
    assert config.target("http://localhost:1234") == "http://localhost:1234"
    assert config.target("http://evil.example:80") == "http://controller.internal:8750"
    assert config.target("file:///etc/passwd") == "http://controller.internal:8750"


def test_token_comes_from_the_token_file(monkeypatch, tmp_path):
    token_file = tmp_path / "controller.token"
    monkeypatch.setenv("ALERTLAB_CONTROLLER_TOKEN_FILE", str(token_file))
    config = ControllerConfig()
    assert config.token() is None
    token_file.write_text("s3cret\n")
    assert config.token() == "s3cret"


def test_only_controller_routes_are_proxied():
    assert "stages/abc/scale".startswith(ALLOWED_PREFIXES)
    assert not "../admin".startswith(ALLOWED_PREFIXES)
