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


def test_the_notebook_users_own_token_comes_before_the_controllers(monkeypatch, tmp_path):
    admin_file = tmp_path / "controller.token"
    admin_file.write_text("admin-token\n")
    user_file = tmp_path / "user.token"
    monkeypatch.setenv("ALERTLAB_CONTROLLER_TOKEN_FILE", str(admin_file))
    monkeypatch.setenv("ALERTLAB_USER_TOKEN_FILE", str(user_file))
    monkeypatch.delenv("ALERTLAB_USER_TOKEN", raising=False)
    # a one-person setup: no user token anywhere, the controller's own file
    assert ControllerConfig().token_source() == ("controller", "admin-token")
    # the user's token file, once written, wins
    user_file.write_text("alice-token\n")
    assert ControllerConfig().token_source() == ("user", "alice-token")
    assert ControllerConfig().token() == "alice-token"
    # $ALERTLAB_USER_TOKEN (or c.ControllerConfig.user_token) wins over both files
    monkeypatch.setenv("ALERTLAB_USER_TOKEN", " bob-token ")
    assert ControllerConfig().token_source() == ("user", "bob-token")
    assert ControllerConfig(user_token="carol-token").token() == "carol-token"


def test_the_user_token_file_defaults_to_alertlab_home(monkeypatch, tmp_path):
    monkeypatch.setenv("ALERTLAB_HOME", str(tmp_path))
    monkeypatch.delenv("ALERTLAB_USER_TOKEN_FILE", raising=False)
    monkeypatch.delenv("ALERTLAB_USER_TOKEN", raising=False)
    monkeypatch.setenv("ALERTLAB_CONTROLLER_TOKEN_FILE", str(tmp_path / "missing.token"))
    config = ControllerConfig()
    assert config.user_token_file == str(tmp_path / "user.token")
    assert config.token_source() == ("controller", None)
    (tmp_path / "user.token").write_text("dave-token")
    assert config.token_source() == ("user", "dave-token")
