"""Python filters: declaration, whole-batch evaluation, and the worker's reply format."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from sample_filters import bright_pandas, by_mag, moody

import alertlab
from alertlab._convert import ipc_bytes
from alertlab._wire import Message
from alertlab.worker import handle, load_filter

BATCH = pa.record_batch({"mag": [12.0, 19.0, float("nan"), None], "ra": [1.0, 2.0, 3.0, 4.0]})


def request(batch: pa.RecordBatch) -> Message:
    header = {"msg_type": "filter_batch_request", "msg_id": "1"}
    return Message(header, {}, {}, {}, [memoryview(ipc_bytes(batch))])


def test_switch_routes_names_and_sends_null_to_default():
    assert by_mag.evaluate(BATCH).tolist() == [0, 1, 2, 2]
    assert by_mag.evaluate(BATCH).dtype == np.int32
    assert set(by_mag.split(BATCH)) == {"bright", "faint", "default"}
    assert by_mag.split(BATCH)["bright"].num_rows == 1


def test_pandas_yesno_and_leftright():
    assert bright_pandas.evaluate(BATCH).tolist() == [0, -1, -1, -1]

    @alertlab.filter(kind="leftright", columns=["mag"])
    def split(batch):
        return np.asarray(batch.column("mag").fill_null(99).to_numpy()) < 18

    assert split.outputs == ["left", "right"]
    assert split.evaluate(BATCH).tolist() == [0, 1, 1, 1]


def test_declarations_are_checked_with_advice():
    with pytest.raises(alertlab.FilterDefinitionError, match="default output"):
        alertlab.filter(kind="switch", outputs=["a", "b"])(lambda b: b)
    with pytest.raises(alertlab.FilterDefinitionError, match="topic suffixes"):
        alertlab.filter(kind="switch", outputs=["a b", "default"])(lambda b: b)
    with pytest.raises(TypeError, match="kind must be"):
        alertlab.filter(kind="maybe")(lambda b: b)

    @alertlab.filter(kind="yesno")
    def wrong_length(batch):
        return [True]

    with pytest.raises(alertlab.FilterDefinitionError, match="one value per row"):
        wrong_length.evaluate(BATCH)
    with pytest.raises(alertlab.FilterDefinitionError, match="lacks"):
        by_mag.evaluate(pa.record_batch({"x": [1]}))


def test_spec_ships_the_source():
    spec = by_mag.spec()
    assert spec["language"] == "python" and spec["kind"] == "switch"
    assert spec["default_output"] == "default" and spec["columns"] == ["mag"]
    assert "def by_mag" in spec["source"]


def test_worker_replies_int32_routing_or_a_traceback():
    content, buffers = handle(by_mag, request(BATCH))
    assert content == {"status": "ok", "num_rows": 4}
    assert np.frombuffer(buffers[0], dtype="<i4").tolist() == [0, 1, 2, 2]
    content, buffers = handle(moody, request(pa.record_batch({"mag": [13.0]})))
    assert content["status"] == "error" and content["ename"] == "ValueError"
    assert any("unlucky" in line for line in content["traceback"]) and buffers == []


def test_load_filter_by_module_or_file(tmp_path):
    assert load_filter("sample_filters:by_mag").name == "by_mag"
    path = tmp_path / "f.py"
    path.write_text("import alertlab\n@alertlab.filter(kind='yesno')\ndef f(b):\n    return []\n")
    assert load_filter(f"{path}:f").kind == "yesno"
    with pytest.raises(alertlab.FilterDefinitionError, match="decorate it"):
        load_filter("sample_filters:not_decorated")


def test_pandas_filters_see_exact_ids_and_null_comparisons_route_like_false():
    batch = pa.record_batch(
        {"diaObjectId": pa.array([2**62 + 1, None, 2**53 + 1], pa.int64()), "mag": [1.0, 2.0, 3.0]}
    )

    @alertlab.alert_filter(kind="yesno", columns=["diaObjectId"], input="pandas")
    def watched(df):
        assert str(df["diaObjectId"].dtype) == "Int64"  # not float64: ids stay exact
        return df["diaObjectId"].isin([2**62 + 1]) | (df["diaObjectId"] > 2**62 + 5)

    assert watched.evaluate(batch).tolist() == [0, -1, -1]


def test_switch_indices_with_nulls_route_per_row_and_only_nulls_to_default():
    # pc.if_else over a column with nulls gives int64 with nulls (floats in numpy), pandas gives
    # nullable Int64: each routed every row to the default output
    import pandas as pd
    import pyarrow.compute as pc

    batch = pa.record_batch({"mag": [18.0, 22.0, None]})

    @alertlab.alert_filter(kind="switch", outputs=["bright", "faint", "default"], columns=["mag"])
    def by_index(b: pa.RecordBatch) -> pa.Array:
        return pc.if_else(pc.less(b["mag"], 20.0), 0, 1)

    assert by_index.evaluate(batch).tolist() == [0, 1, 2]

    @alertlab.alert_filter(kind="switch", outputs=["a", "b", "default"], input="pandas")
    def nullable(df: pd.DataFrame) -> pd.Series:
        return pd.Series([1, None, 0], dtype="Int64")

    assert nullable.evaluate(batch).tolist() == [1, 2, 0]

    @alertlab.alert_filter(kind="switch", outputs=["a", "default"])
    def scores(b: pa.RecordBatch) -> list[float]:
        return [0.5, 0.1, 0.9]

    with pytest.raises(alertlab.FilterDefinitionError, match="fractional"):
        scores.evaluate(batch)
