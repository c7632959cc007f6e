"""A dependency-free PEP 517 / PEP 660 build backend for the ``alertlab`` package.

``scripts/setup.sh`` installs this package with ``pip install --no-build-isolation -e`` into a venv
that has no ``wheel`` package, which setuptools needs for editable installs; this backend needs
only the standard library. Regular wheels contain the package; editable wheels contain a ``.pth``
file pointing at this directory.
"""

from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "alertlab"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _project() -> dict:
    return _pyproject()["project"]


def _package_files() -> list[Path]:
    """Every module, plus the package data that ``[tool.alertlab-build] package-data`` names
    (glob patterns relative to each package folder, e.g. ``py.typed``)."""
    data = _pyproject().get("tool", {}).get("alertlab-build", {}).get("package-data", [])
    files = set((ROOT / PACKAGE).rglob("*.py"))
    for folder in [ROOT / PACKAGE, *(p for p in (ROOT / PACKAGE).rglob("*") if p.is_dir())]:
        for pattern in data:
            files.update(f for f in folder.glob(pattern) if f.is_file())
    return sorted(f for f in files if "__pycache__" not in f.parts)


def _metadata() -> str:
    p = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p.get('description', '')}",
        f"Requires-Python: {p.get('requires-python', '>=3.11')}",
    ]
    lines += [f"Requires-Dist: {d}" for d in p.get("dependencies", [])]
    return "\n".join(lines) + "\n"


def _digest(data: bytes) -> str:
    raw = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={raw}"


def _write_wheel(wheel_directory: str, files: dict[str, bytes]) -> str:
    p = _project()
    name = f"{p['name']}-{p['version']}"
    dist_info = f"{name}.dist-info"
    files = {
        **files,
        f"{dist_info}/METADATA": _metadata().encode(),
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: alertlab-backend\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ).encode(),
        f"{dist_info}/top_level.txt": f"{PACKAGE}\n".encode(),
    }
    record = [f"{path},{_digest(data)},{len(data)}" for path, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    filename = f"{name}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {f.relative_to(ROOT).as_posix(): f.read_bytes() for f in _package_files()}
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, {f"_{PACKAGE}_editable.pth": f"{ROOT}\n".encode()})
