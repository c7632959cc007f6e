"""Where the engine, its home, the controller and Node are: environment first, then the config
file, then the checkout found above the current folder - never this package's location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alertlab import _config

VARIABLES = (
    "ALERTLAB_HOME",
    "ALERTLAB_ROOT",
    "ALERTLAB_REPO",
    "ALERTLAB_NODE",
    "ALERTLAB_CONFIG",
    "ALERTLAB_CONTROLLER_URL",
    "ALERTLAB_CONTROLLER_TOKEN_FILE",
    "ALERTLAB_BRIDGE_CONNECTION_FILE",
)


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ALERTLAB_* variables, no config file, the current folder outside any checkout."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_outside_a_checkout_nothing_is_guessed_from_the_package(bare: Path) -> None:
    assert _config.project_root() is None
    assert _config.alertlab_home() == bare / ".alertlab"
    assert _config.connection_file() == bare / ".alertlab" / "bridge.json"
    assert _config.controller_url() == "http://127.0.0.1:8750"
    assert _config.controller_token_file() == bare / ".alertlab" / "controller.token"


def test_a_checkout_above_the_current_folder_is_found(bare: Path, monkeypatch) -> None:
    root = bare / "checkout"
    (root / _config.ENGINE_MAIN).parent.mkdir(parents=True)
    (root / _config.ENGINE_MAIN).write_text("// engine")
    node = root / ".alertlab" / "node" / "bin" / "node"
    node.parent.mkdir(parents=True)
    node.write_text("#!/bin/sh\n")
    node.chmod(0o755)
    monkeypatch.chdir(root / "kernel-bridge")
    assert _config.project_root() == root
    assert _config.alertlab_home() == root / ".alertlab"
    assert _config.node_binary(root) == str(node)  # the project's Node before PATH's


def test_the_config_file_and_then_the_environment_decide(bare: Path, monkeypatch) -> None:
    config = bare / "config" / "alertlab" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        'root = "/opt/alertlab"\nhome = "/srv/alertlab"\n'
        'controller_url = "http://ctl:9000/"\nnode = "/opt/node24/bin/node"\n'
    )
    assert _config.project_root() == Path("/opt/alertlab")
    assert _config.alertlab_home() == Path("/srv/alertlab")
    assert _config.controller_url() == "http://ctl:9000"
    assert _config.node_binary(None) == "/opt/node24/bin/node"
    monkeypatch.setenv("ALERTLAB_ROOT", str(bare))
    monkeypatch.setenv("ALERTLAB_HOME", str(bare / "h"))
    monkeypatch.setenv("ALERTLAB_NODE", "/usr/local/bin/node24")
    monkeypatch.setenv("ALERTLAB_BRIDGE_CONNECTION_FILE", str(bare / "b.json"))
    monkeypatch.setenv("ALERTLAB_CONTROLLER_TOKEN_FILE", str(bare / "t"))
    assert _config.project_root() == bare
    assert _config.connection_file() == bare / "b.json"
    assert _config.controller_token_file() == bare / "t"
    assert _config.node_binary(bare) == "/usr/local/bin/node24"
    monkeypatch.setenv("ALERTLAB_CONFIG", os.devnull)  # another config file: an empty one
    monkeypatch.delenv("ALERTLAB_HOME")
    assert _config.alertlab_home() == bare / ".alertlab"


def test_an_engine_started_here_uses_the_configured_home(bare: Path) -> None:
    # the home comes from the config file only: the Node engine must use it too (its catalog
    # store, object index and filters live there), not its checkout's .alertlab
    from conftest import ROOT

    import alertlab

    home = bare / "configured-home"
    config = bare / "config" / "alertlab" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'root = "{ROOT}"\nhome = "{home}"\n')
    client = alertlab.connect(timeout=90)
    try:
        assert (home / "bridge.json").exists()
        with pytest.raises(alertlab.RemoteError) as info:
            client.cone(10.0, 20.0, 5.0, "hipparcos")
        assert str(home / "catalogs.duckdb") in str(info.value)
    finally:
        client.shutdown()
        alertlab.disconnect()
