"""What a user's type checker sees of the public API: backtest returns a BacktestReport for data
or an archive and a GateEvidence for input=<topic> (overloads, not a union to narrow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import alertlab

USER_CODE = """
import alertlab
f = alertlab.sql_filter("mag < 19", kind="yesno")
report = alertlab.backtest(f, [])
alerts: int = report.total_alerts
archived = alertlab.backtest(f, archive="stage", nights=("2026-01-01", "2026-01-02"))
chunks: int = archived.chunks
gate = alertlab.backtest(f, input="alerts-rubin")
sampled: int = gate["sampledAlerts"]
"""


def mypy(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "user.py").write_text(code)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", *cache, "user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backtest_results_are_typed_per_call(tmp_path):
    ok = mypy(tmp_path, USER_CODE)
    assert ok.returncode == 0, ok.stdout
    wrong = mypy(tmp_path, USER_CODE + "wrong: int = gate.total_alerts\n")
    assert wrong.returncode == 1 and "total_alerts" in wrong.stdout, wrong.stdout


def test_input_and_data_together_are_refused():
    f = alertlab.sql_filter("mag < 19", kind="yesno")
    with pytest.raises(ValueError, match="pass it alone"):
        alertlab.backtest(f, [], input="alerts-rubin")  # type: ignore[call-overload]
