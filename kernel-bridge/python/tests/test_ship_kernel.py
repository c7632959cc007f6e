"""Shipping from a real IPython kernel (ipykernel through nbclient): cells are compiled the way a
notebook compiles them, and the shipped module routes like the notebook's filter."""

from __future__ import annotations

import json

import nbformat
import pyarrow as pa
from nbclient import NotebookClient
from notebook_cells import CELL_FILTER, CELL_HELPERS, CELL_IMPORTS

from alertlab.worker import load_filter

CELL_CLASS = """
from dataclasses import dataclass
import astropy.units as u


@dataclass(frozen=True)
class Cut:
    limit: float


RADIUS = 2 * u.arcsec


@alertlab.filter(kind="yesno", columns=["mag"])
def under(batch):
    assert RADIUS.to_value("arcsec") == 2.0
    under = pc.fill_null(pc.less(batch["mag"], Cut(21.5).limit), False)
    return under.to_numpy(zero_copy_only=False)
"""

REPORT = """
import json
keys = ("source", "entry", "carried")
print(json.dumps([{k: f.spec()[k] for k in keys} for f in (by_brightness, under)]))
"""


def test_a_filter_from_kernel_cells_ships_with_its_helpers(tmp_path):
    nb = nbformat.v4.new_notebook()
    cells = [CELL_IMPORTS, CELL_HELPERS, CELL_FILTER, CELL_CLASS, REPORT]
    nb.cells = [nbformat.v4.new_code_cell(c.strip()) for c in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {}}).execute()
    switch, yesno = json.loads(nb.cells[-1].outputs[0]["text"].strip().splitlines()[-1])
    assert {"finite", "is_bright", "label", "LIMITS", "np", "pc", "isfinite"} <= set(
        switch["carried"]
    )
    assert {"Cut", "RADIUS", "pc", "dataclass"} <= set(yesno["carried"])
    batch = pa.record_batch({"mag": [18.0, 23.0, None, float("nan"), 21.4]})
    for out, expected in ((switch, [0, 1, 2, 2, 0]), (yesno, [0, -1, -1, -1, 0])):
        path = tmp_path / f"{out['entry']}.py"
        path.write_text(out["source"])
        shipped = load_filter(f"{path}:{out['entry']}")
        assert shipped.evaluate(batch).tolist() == expected
