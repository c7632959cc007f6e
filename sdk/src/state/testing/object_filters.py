"""Python filter for the object-state tests: objects with an r detection pass."""

import alertlab
import pyarrow as pa
import pyarrow.compute as pc


@alertlab.filter(kind="yesno", columns=["obj_ndet_r"])
def has_r(batch: pa.RecordBatch):
    return pc.greater_equal(batch["obj_ndet_r"], 1)
