"""Arrow round trips through the real Node engine keep ids, NaN vs null and nested lightcurves."""

from __future__ import annotations

import math

import pyarrow as pa
from conftest import edge_table

import alertlab


def assert_edge_cases(table: pa.Table) -> None:
    expected = edge_table()
    assert table.schema.equals(expected.schema)
    assert table["alertId"].to_pylist() == [2**62 + 1, 2**53 + 1, None, -(2**63)]
    mags = table["mag"].to_pylist()
    assert math.isnan(mags[0]) and mags[1] is None and mags[2] == 18.5
    assert table["mag"].null_count == 1
    assert math.copysign(1.0, mags[3]) == -1.0  # -0.0 survives
    lc = table["lightcurve"].to_pylist()
    assert lc[1] == [] and lc[2] is None
    assert lc[0] == expected["lightcurve"].to_pylist()[0]
    assert math.isnan(lc[3][0]["mjd"])
    assert table["objectId"].to_pylist() == ["ZTF21aaaaaaa", "2533", None, ""]


def test_echo_through_node_keeps_everything(client):
    assert_edge_cases(client.echo(edge_table()))


def test_attach_streams_a_topic_as_record_batches(client):
    with client.attach("test.edge") as stream:
        batches = list(stream)
    assert all(isinstance(b, pa.RecordBatch) for b in batches)
    table = pa.Table.from_batches(batches)
    assert_edge_cases(table)
    # plain .to_pandas() turns an int64 column with nulls into float64 (pandas' default), which
    # rounds ids above 2**53; alertlab.to_pandas keeps them exact with nullable Int64
    df = alertlab.to_pandas(batches[0])
    assert str(df["alertId"].dtype) == "Int64"
    assert int(df["alertId"].iloc[0]) == 2**62 + 1 and int(df["alertId"].iloc[1]) == 2**53 + 1
    assert df["alertId"].isna().tolist() == [False, False, True, False]
    no_nulls = batches[0].filter(batches[0]["alertId"].is_valid())
    assert no_nulls.to_pandas()["alertId"].tolist() == [2**62 + 1, 2**53 + 1, -(2**63)]
    assert stream.end["reason"] == "end"


def test_attach_max_rows_and_topics(client):
    names = [t["name"] for t in client.topics()]
    assert {"test.edge", "test.many"} <= set(names)
    table = client.attach("test.many", max_rows=2500).read_all()
    assert table.num_rows == 2500
    assert table["id"][2499].as_py() == 2**60 + 2499
