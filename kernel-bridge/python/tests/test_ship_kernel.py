"""Shipping from a real IPython kernel (ipykernel through nbclient): cells are compiled the way a
notebook compiles them, and the shipped module routes like the notebook's filter."""

from __future__ import annotations

import json

import nbformat
import pyarrow as pa
from nbclient import NotebookClient
from notebook_cells import CELL_FILTER, CELL_HELPERS, CELL_IMPORTS

from alertlab.worker import load_filter

REPORT = """
import json
spec = by_brightness.spec()
print(json.dumps({"source": spec["source"], "entry": spec["entry"], "carried": spec["carried"]}))
"""


def test_a_filter_from_kernel_cells_ships_with_its_helpers(tmp_path):
    nb = nbformat.v4.new_notebook()
    cells = [CELL_IMPORTS, CELL_HELPERS, CELL_FILTER, REPORT]
    nb.cells = [nbformat.v4.new_code_cell(c.strip()) for c in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {}}).execute()
    out = json.loads(nb.cells[-1].outputs[0]["text"].strip().splitlines()[-1])
    assert {"finite", "is_bright", "label", "LIMITS", "np", "pc", "isfinite"} <= set(out["carried"])
    path = tmp_path / "shipped.py"
    path.write_text(out["source"])
    shipped = load_filter(f"{path}:{out['entry']}")
    batch = pa.record_batch({"mag": [18.0, 23.0, None, float("nan"), 21.4]})
    assert shipped.evaluate(batch).tolist() == [0, 1, 2, 2, 0]
