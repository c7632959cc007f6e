"""alertlab.backtest against a real engine: SQL, TypeScript and Python filters over pyarrow,
pandas, astropy and lists of batches; counts, routed rows (int64 ids exact, features added), dead
letters with reasons, and the yield per night from the data's event times."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import LIGHTCURVE, point

import alertlab
from alertlab.backtesting import BacktestReport

N = 600
BASE_ID = 2**60 + 7  # far above 2**53: a float round trip would lose it


def alerts(n: int = N, start: int = 0) -> pa.Table:
    """Alerts over two observing nights; every 7th has no detection in its lightcurve."""
    rng = np.random.default_rng(42 + start)
    mags = rng.uniform(16, 22, n)
    mjd = 61000.6 + np.arange(start, start + n) * (1.5 / N)  # 1.5 days: day_obs 61000 and 61001
    curves = []
    for i in range(n):
        count = 0 if (start + i) % 7 == 0 else 1 + (start + i) % 5
        curves.append([point(mjd[i] - 3 + j, "gr"[j % 2], 18 + j * 0.1) for j in range(count)])
    return pa.table(
        {
            "alertId": pa.array(BASE_ID + np.arange(start, start + n), pa.int64()),
            "objectId": pa.array([f"OBJ{(start + i) // 3}" for i in range(n)]),
            "survey": pa.array(["rubin" if (start + i) % 2 else "ztf" for i in range(n)]),
            "mjd": pa.array(mjd),
            "mag": pa.array(mags),
            "lightcurve": pa.array(curves, LIGHTCURVE),
        }
    )


def expected_bright(t: pa.Table) -> set[int]:
    keep = pc.and_(pc.less(t["mag"], 19.0), pc.equal(t["survey"], "rubin"))
    return set(t.filter(keep)["alertId"].to_pylist())


BRIGHT = alertlab.sql_filter("mag < 19 AND survey = 'rubin'")


def test_sql_filter_on_a_pyarrow_table_reports_counts_rows_and_yield(client):
    t = alerts()
    report = client.backtest(BRIGHT, t, batch_rows=100)
    assert isinstance(report, BacktestReport)
    want = expected_bright(t)
    assert report.total_alerts == N and report.chunks == 6
    assert report.counts == {"pass": len(want)}
    assert report.dropped == N - len(want) and report.dead_lettered == 0
    routed = report.routed["pass"]
    assert routed["alertId"].type == pa.int64()
    assert set(routed["alertId"].to_pylist()) == want  # exact above 2**53
    assert "ndet" in routed.column_names  # the stage's lightcurve features were added
    et = report.event_time
    assert et is not None and et.distinct_nights == 2 and et.nights == 2
    assert report.per_night["pass"] == pytest.approx(len(want) / 2)
    assert report.outputs["pass"].estimated_per_night == round(len(want) / N * 10_000_000)
    assert report.summary().column("count").to_pylist() == [len(want)]


def test_every_input_flavour_routes_the_same_alerts(client):
    t = alerts()
    digest = client.backtest(BRIGHT, t).outputs["pass"].digest
    flavours = {
        "batch": t.combine_chunks().to_batches()[0],
        "batches": t.to_batches(max_chunksize=128),
        "pandas": t.drop_columns(["lightcurve"]).to_pandas(),
        "astropy": __import__("astropy.table", fromlist=["Table"]).Table.from_pandas(
            t.drop_columns(["lightcurve"]).to_pandas()
        ),
    }
    for name, data in flavours.items():
        report = client.backtest(BRIGHT, data)
        assert report.outputs["pass"].digest == digest, name
        assert report.total_alerts == N, name
    # a categorical column (pandas' way to hold a band or a survey) reads as plain strings
    by_survey = alertlab.sql_filter("survey = 'rubin'", kind="yesno")
    frame = t.drop_columns(["lightcurve"]).to_pandas().astype({"survey": "category"})
    report = client.backtest(by_survey, frame)
    assert report.dead_lettered == 0 and report.counts == {"pass": N // 2}


def test_a_lightcurve_feature_switch_and_a_ts_filter(client):
    t = alerts()
    by_ndet = alertlab.sql_filter(
        "CASE WHEN ndet >= 4 THEN 'long' WHEN ndet = 0 THEN 'none' END",
        kind="switch",
        outputs=["long", "none", "other"],
        default="other",
    )
    report = client.backtest(by_ndet, t)
    ndet = np.array([len(c) for c in t["lightcurve"].to_pylist()])
    assert report.counts == {
        "long": int((ndet >= 4).sum()),
        "none": int((ndet == 0).sum()),
        "other": int(((ndet > 0) & (ndet < 4)).sum()),
    }
    ts = alertlab.ts_filter(
        "import { defineFilter } from '@alertlab/sdk';\n"
        "export default defineFilter({ kind: 'leftright', columns: ['mag'],\n"
        "  fn: (batch, cols) => Array.from({ length: batch.numRows },\n"
        "    (_, i) => (cols.mag.get(i) as number) < 19) });\n",
        kind="leftright",
    )
    lr = client.backtest(ts, t)
    bright = int(pc.sum(pc.less(t["mag"], 19.0)).as_py())
    assert lr.counts == {"left": bright, "right": N - bright}


@alertlab.alert_filter(kind="yesno", columns=["mag", "survey"])
def bright_rubin(batch: pa.RecordBatch) -> pa.Array:
    return pc.and_(pc.less(batch["mag"], 19.0), pc.equal(batch["survey"], "rubin"))


def test_a_python_filter_runs_in_a_worker_and_routes_as_it_does_here(client):
    t = alerts()
    report = client.backtest(bright_rubin, t)
    local = bright_rubin.evaluate(t.combine_chunks().to_batches()[0])
    here = set(t.filter(pa.array(local == 0))["alertId"].to_pylist())
    assert set(report.routed["pass"]["alertId"].to_pylist()) == here == expected_bright(t)
    assert report.language == "python"


LIMIT = 19.5


@alertlab.alert_filter(kind="yesno", columns=["alertId", "mag"])
def picky(batch: pa.RecordBatch) -> pa.Array:
    if pc.any(pc.equal(pc.bit_wise_and(batch["alertId"], 63), 5)).as_py():
        raise ValueError("picky refuses a chunk")
    return pc.less(batch["mag"], LIMIT)


def test_chunks_a_filter_fails_on_are_dead_lettered_with_the_reason(client):
    t = alerts()
    report = client.backtest(picky, t, batch_rows=50)
    ids = np.array(t["alertId"].to_pylist(), dtype=np.int64)
    failed_chunks = {i // 50 for i in range(N) if ids[i] & 63 == 5}
    dead = sum(min(50, N - c * 50) for c in failed_chunks)
    assert 0 < dead < N
    assert report.dead_lettered == dead
    assert report.dead_letters.num_rows == dead
    assert set(report.dead_letters["dead_letter_code"].to_pylist()) == {"filter-error"}
    assert "picky refuses a chunk" in report.dead_letters["dead_letter_reason"][0].as_py()
    assert report.dead_letter_groups[0].chunks == sorted(failed_chunks)
    kept = t.filter(pa.array([i // 50 not in failed_chunks for i in range(N)]))
    assert report.counts["pass"] == int(pc.sum(pc.less(kept["mag"], LIMIT)).as_py())


def test_bad_calls_are_clear_errors(client):
    with pytest.raises(alertlab.FilterDefinitionError, match="needs data"):
        client.backtest(BRIGHT)
    with pytest.raises(alertlab.FilterDefinitionError, match="export default"):
        alertlab.ts_filter("const x = 1")
    with pytest.raises(ValueError, match="empty list of batches"):
        client.backtest(BRIGHT, [])
    with pytest.raises(ValueError, match="nights= selects nights of an archive"):
        client.backtest(BRIGHT, alerts(10), nights=("2026-02-24", "2026-02-25"))
    # as in a stage, a column the batch lacks dead-letters the chunk, and the reason names it
    report = client.backtest(alertlab.sql_filter("no_such_column > 1"), alerts(10))
    assert report.dead_lettered == 10 and report.counts == {"pass": 0}
    assert "no_such_column" in report.dead_letter_groups[0].reason
    # what a notebook cell shows: a short summary, not every routed row and column
    shown = repr(report)
    assert len(shown.splitlines()) <= 5, shown
    assert "pass: 0 alerts" in shown and "dead letters (filter-error): 10 alerts" in shown
    with pytest.raises(alertlab.RemoteError) as info:
        client.backtest(alertlab.sql_filter("mag <"), alerts(10))
    assert info.value.code == "bad-request" and "could not be built" in str(info.value)


def test_crossmatch_radii_follow_the_angle_rule():
    import astropy.units as u
    from astropy.coordinates import Angle

    from alertlab.backtesting import crossmatch_specs

    specs = crossmatch_specs(["hipparcos", ("tycho2", 2 * u.arcsec), ("dso", Angle(0.01, "deg"))])
    assert specs == [
        {"name": "hipparcos", "radius_arcsec": 1.0},
        {"name": "tycho2", "radius_arcsec": 2.0},
        {"name": "dso", "radius_arcsec": pytest.approx(36.0)},
    ]


def test_an_archive_span_backtests_like_the_same_alerts_in_memory(client, tmp_path):
    import pyarrow.parquet as pq

    t = alerts()
    nights = {"2026-02-24": t.slice(0, 250), "2026-02-25": t.slice(250)}
    for night, part in nights.items():
        folder = tmp_path / f"night={night}"
        folder.mkdir()
        last = part.num_rows - 1
        pq.write_table(part, folder / f"alerts-p0-{0:020d}-{last:020d}.parquet")
    by_ndet = alertlab.sql_filter("ndet >= 3 AND mag < 20", kind="leftright")
    whole = client.backtest(by_ndet, t)
    archived = client.backtest(by_ndet, archive=str(tmp_path))
    assert archived.outputs == whole.outputs
    assert archived.source["archive"] == str(tmp_path)
    one = client.backtest(by_ndet, archive=str(tmp_path), nights=("2026-02-25", "2026-02-25"))
    assert one.total_alerts == N - 250
    assert sum(one.counts.values()) == N - 250
    # nights the archive does not hold, or not dates: an error saying so, not an empty report
    with pytest.raises(alertlab.RemoteError, match="holds 2026-02-24 to 2026-02-25") as info:
        client.backtest(by_ndet, archive=str(tmp_path), nights=("2025-01-01", "2025-01-07"))
    assert info.value.code == "not-found"
    with pytest.raises(alertlab.RemoteError, match="YYYY-MM-DD"):
        client.backtest(by_ndet, archive=str(tmp_path), nights=("2026/02/24", "2026/02/25"))
