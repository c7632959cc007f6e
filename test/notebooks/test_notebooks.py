"""Executes every numbered notebook in notebooks/ end to end against the running stack.

    .venv/bin/python -m pytest test/notebooks -v

A missing piece of the stack fails the notebook's test with a message naming it (see conftest.py);
a failing cell fails it with the cell's source and traceback. Each notebook's run time is printed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from conftest import NOTEBOOK_DIR, Stack, selected_notebooks
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT_S = int(os.environ.get("ALERTLAB_NOTEBOOK_CELL_TIMEOUT_S", "180"))
NOTEBOOKS = selected_notebooks()


def test_notebooks_exist() -> None:
    assert NOTEBOOKS, (
        f"no notebooks matched in {NOTEBOOK_DIR} (ALERTLAB_NOTEBOOKS filter?)"
    )


def test_notebooks_are_stored_without_outputs() -> None:
    dirty = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and (
                cell.outputs or cell.execution_count is not None
            ):
                dirty.append(f"{path.name} cell {i}")
    assert not dirty, (
        f"notebooks carry outputs: {dirty}. Clear them with "
        "`jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`."
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, stack: Stack) -> None:
    missing = stack.missing(path.stem)
    if missing:
        pytest.fail(
            f"{path.name} needs a running stack; missing:\n  " + "\n  ".join(missing),
            pytrace=False,
        )
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name} failed:\n{err}", pytrace=False)
    finally:
        elapsed = time.perf_counter() - started
        print(f"\n{path.name}: {elapsed:.1f} s")
        out_dir = os.environ.get("ALERTLAB_NOTEBOOK_OUTPUT_DIR")
        if out_dir:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, Path(out_dir) / path.name)
