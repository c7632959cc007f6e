"""Tests that need the shared data skip here, naming the missing folder, and fail under CI."""

from __future__ import annotations

import pytest
from conftest import require_data


def test_missing_data_skips_with_the_folder_named(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "present").write_text("x")
    require_data(tmp_path / "present")  # present: nothing happens
    with pytest.raises(pytest.skip.Exception, match=f"{tmp_path / 'alerts'} is missing"):
        require_data(tmp_path / "present", tmp_path / "alerts" / "rubin" / "a.avro")


def test_missing_data_fails_under_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: needs the shared real data"):
        require_data(tmp_path / "alerts")
