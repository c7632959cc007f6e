"""Promotion ships what a notebook filter uses (helpers, constants, imports, closures) and refuses,
by name, what cannot travel to a stage worker."""

from __future__ import annotations

import socket
import sys

import numpy as np
import pyarrow as pa
import pytest
from notebook_cells import Notebook, brightness_notebook

import alertlab
from alertlab.controller import ControllerError, manifest_of
from alertlab.worker import load_filter

BATCH = pa.record_batch({"mag": [18.0, 23.0, None, float("nan"), 21.4], "ra": [1.0] * 5})


def load_shipped(tmp_path, flt: alertlab.Filter) -> alertlab.Filter:
    """Loads the shipped module exactly as a stage worker does (a file, by path)."""
    spec = flt.spec()
    path = tmp_path / f"{spec['entry']}.py"
    path.write_text(spec["source"])
    return load_filter(f"{path}:{spec['entry']}")


def test_helpers_constants_and_imports_from_other_cells_travel(tmp_path):
    nb = brightness_notebook()
    flt = nb["by_brightness"]
    assert isinstance(flt, alertlab.Filter)
    spec = flt.spec()
    source = spec["source"]
    for line in (
        "import numpy as np",
        "import pyarrow.compute as pc",
        "from math import isfinite",
        "LIMITS = {'bright': 21.5, 'names': ('bright', 'faint')}",
        "def finite(values):",
        "def is_bright(mag):",
        "def label(mag):",
    ):
        assert line in source, f"{line!r} missing from:\n{source}"
    assert "@alertlab.filter" not in source  # the declaration is re-applied, not re-parsed
    assert set(spec["carried"]) >= {"np", "pc", "isfinite", "LIMITS", "finite", "label"}
    assert "BRIGHT" not in spec["carried"]  # LIMITS holds its value; BRIGHT itself is unused
    shipped = load_shipped(tmp_path, flt)
    assert shipped.kind == "switch" and shipped.outputs == ["bright", "faint", "other"]
    assert shipped.columns == ["mag"]
    expected = flt.evaluate(BATCH).tolist()
    assert expected == [0, 1, 2, 2, 0]
    assert shipped.evaluate(BATCH).tolist() == expected


def test_closures_defaults_and_lambdas_travel(tmp_path):
    nb = Notebook()
    nb.run(
        """
        import alertlab
        import numpy as np
        SCALE = 2.0
        double = lambda x: x * SCALE
        def make(threshold, names=("hit",)):
            limit = np.float64(threshold)
            @alertlab.filter(kind="yesno", outputs=list(names), columns=["mag"])
            def over(batch, k=SCALE):
                mags = np.nan_to_num(batch.column("mag").to_numpy(zero_copy_only=False), nan=0)
                return double(mags) > limit * k
            return over
        over = make(19.0)
        """
    )
    flt = nb["over"]
    source = flt.spec()["source"]
    assert "limit = __import__('numpy').float64(19.0)" in source
    assert "double = lambda x: x * SCALE" in source and "SCALE = 2.0" in source
    assert load_shipped(tmp_path, flt).evaluate(BATCH).tolist() == flt.evaluate(BATCH).tolist()
    assert flt.evaluate(BATCH).tolist() == [-1, 0, -1, -1, 0]


def test_astropy_quantities_travel_as_values_and_units(tmp_path):
    nb = Notebook()
    nb.run(
        """
        import alertlab
        import astropy.units as u
        from astropy.coordinates import Angle
        LIMIT = 20 * u.mag
        FIELD = Angle(2, u.deg)
        @alertlab.filter(kind="yesno", columns=["mag", "ra"])
        def inside(batch):
            mag = batch.column("mag").to_numpy(zero_copy_only=False) * u.mag
            ra = batch.column("ra").to_numpy(zero_copy_only=False) * u.deg
            return (mag < LIMIT) & (ra < FIELD)
        """
    )
    flt = nb["inside"]
    source = flt.spec()["source"]
    assert "import astropy.units as u" in source and "Angle(2.0, 'deg')" in source
    shipped = load_shipped(tmp_path, flt)
    assert shipped.evaluate(BATCH).tolist() == flt.evaluate(BATCH).tolist() == [0, -1, -1, -1, -1]


def test_a_class_with_source_travels_and_names_must_not_collide(tmp_path):
    nb = Notebook()
    nb.run(
        """
        import alertlab
        FACTOR = 1.0
        class Cut:
            LIMIT = 20.0 * FACTOR
            HALF = LIMIT / 2
            def apply(self, batch):
                return batch.column("mag").to_numpy(zero_copy_only=False) < self.LIMIT
        CUT = 3
        @alertlab.filter(kind="yesno", columns=["mag"])
        def cut(batch):
            return Cut().apply(batch)
        """
    )
    flt = nb["cut"]
    assert "class Cut:" in flt.spec()["source"]
    assert load_shipped(tmp_path, flt).evaluate(BATCH).tolist() == [0, -1, -1, -1, -1]


def test_a_dataclass_from_a_cell_travels(tmp_path):
    nb = Notebook()
    nb.run(
        "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass Cut:\n    limit: float\n"
    )
    nb.run(
        """
        import alertlab
        CUT = Cut(19.5)
        @alertlab.filter(kind="yesno", columns=["mag"])
        def below(batch):
            return batch.column("mag").to_numpy(zero_copy_only=False) < Cut(20.0).limit
        """
    )
    with nb.main():
        source = nb["below"].spec()["source"]  # type: ignore[attr-defined]
    assert "@dataclass(frozen=True)\nclass Cut:" in source
    assert "from dataclasses import dataclass" in source
    with nb.main():
        shipped = load_shipped(tmp_path, nb["below"])  # type: ignore[arg-type]
    assert shipped.evaluate(BATCH).tolist() == [0, -1, -1, -1, -1]


def refusal(nb: Notebook, name: str) -> str:
    with pytest.raises(alertlab.ShipError) as info:
        nb["f"].spec()  # type: ignore[attr-defined]
    assert info.value.name == name
    return str(info.value)


def notebook_using(setup: str, expression: str) -> Notebook:
    nb = Notebook()
    nb.run(setup)
    nb.run(
        f"""
        import alertlab
        @alertlab.filter(kind="yesno")
        def f(batch):
            return [bool({expression})] * batch.num_rows
        """
    )
    return nb


def test_what_cannot_travel_is_refused_by_name(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("x")
    nb = notebook_using(f"handle = open({str(path)!r})", "handle.read()")
    try:
        assert "open file" in refusal(nb, "handle")
    finally:
        nb["handle"].close()  # type: ignore[attr-defined]

    sock = socket.socket()
    try:
        nb = notebook_using("", "conn")
        nb.ns["conn"] = sock
        assert "socket" in refusal(nb, "conn")
    finally:
        sock.close()

    nb = notebook_using("BIG = list(range(300_000))", "len(BIG)")
    assert "bigger than 1,000,000 bytes" in refusal(nb, "BIG")
    nb = notebook_using("import numpy as np\nARR = np.zeros(200_000)", "ARR.sum()")
    assert "bigger than" in refusal(nb, "ARR")

    nb = notebook_using("import pandas as pd\nDF = pd.DataFrame({'a': [1]})", "len(DF)")
    assert "pandas.DataFrame object" in refusal(nb, "DF")

    nb = notebook_using("pair = (lambda x: x, lambda y: y)[0]", "pair(1)")
    assert "exactly one lambda" in refusal(nb, "pair")

    nb = Notebook()
    nb.run(
        """
        import alertlab
        def make(limit):
            @alertlab.filter(kind="yesno")
            def f(batch, k=limit):
                return [k] * batch.num_rows
            return f
        f = make(True)
        """
    )
    assert "not a notebook global" in refusal(nb, "limit")

    nb = Notebook()
    nb.run("class Hidden:\n    pass\n", keep_source=False)
    nb.run("import alertlab\n@alertlab.filter(kind='yesno')\ndef f(b):\n    return Hidden()\n")
    assert "class 'Hidden'" in refusal(nb, "Hidden")


def test_subclasses_of_plain_constants_are_refused_not_flattened():
    # a namedtuple travelled as a bare tuple (NT.a then failed in the worker), an IntEnum member
    # as its repr "<Level.HIGH: 2>" (not source), a defaultdict as a dict without its default
    nb = notebook_using("import collections\nNT = collections.namedtuple('NT', 'a')(1)", "NT.a")
    assert "NT object" in refusal(nb, "NT")
    setup = "import enum\nclass Level(enum.IntEnum):\n    HIGH = 2\nLEVEL = Level.HIGH"
    assert "Level object" in refusal(notebook_using(setup, "LEVEL > 1"), "LEVEL")
    nb = notebook_using("import collections\nD = collections.defaultdict(int)", "D['x'] == 0")
    assert "defaultdict object" in refusal(nb, "D")


def test_a_module_from_the_notebook_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "local_cuts.py").write_text("LIMIT = 20\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        nb = notebook_using("import local_cuts", "local_cuts.LIMIT")
        message = refusal(nb, "local_cuts")
        assert "'local_cuts'" in message and "not installed" in message
    finally:
        sys.modules.pop("local_cuts", None)


def test_promote_needs_a_topic_and_never_takes_the_data_format():
    @alertlab.alert_filter(kind="yesno", columns=["mag"], input="pandas")
    def bright(df):
        return (df["mag"] < 18).to_numpy()

    assert bright.input_format == "pandas"
    with pytest.raises(ControllerError, match="No input topic") as info:
        alertlab.promote(bright)
    assert "'pandas' is the batch type" in str(info.value)
    with pytest.raises(ControllerError, match="disagree"):
        alertlab.promote(bright, "a", input="b")
    manifest = manifest_of(bright, "alerts.rubin")
    assert manifest["input"] == {"topic": "alerts.rubin"}
    assert "input='pandas'" in str(manifest["filter"]["source"])  # type: ignore[index]


def test_star_import_does_not_shadow_builtins():
    names: dict[str, object] = {}
    exec("from alertlab import *", names)
    import builtins

    assert not [n for n in names if hasattr(builtins, n) and not n.startswith("__")]
    assert alertlab.filter is alertlab.alert_filter and "alert_filter" in alertlab.__all__
    assert np.int64  # numpy imported for the module's type annotations
