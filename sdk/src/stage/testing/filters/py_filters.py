"""Python filters for the stage tests (the same routing as the SQL/TypeScript sample switch)."""

import alertlab
import pyarrow as pa
import pyarrow.compute as pc


@alertlab.filter(
    kind="switch",
    outputs=["sso", "long", "blue", "other"],
    default="other",
    columns=["isMovingObject", "ndet", "gMinusR"],
)
def sample_switch(batch: pa.RecordBatch):
    moving = pc.fill_null(batch["isMovingObject"], False)
    long = pc.greater_equal(batch["ndet"], 20)
    blue = pc.fill_null(pc.less(batch["gMinusR"], 0.3), False)
    return pc.if_else(
        moving,
        "sso",
        pc.if_else(
            long, "long", pc.if_else(blue, "blue", pa.scalar(None, pa.string()))
        ),
    )


@alertlab.filter(kind="yesno", columns=["alertId"])
def moody(batch: pa.RecordBatch):
    ids = batch["alertId"].to_pylist()
    bad = [i for i in ids if i % 10 == 3]
    if bad:
        raise ValueError(f"moody Python filter refuses alert {bad[0]}")
    return [True] * len(ids)
