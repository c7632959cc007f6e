"""Conversions at the edge: the Python API speaks pandas / pyarrow / astropy, the wire carries
Arrow IPC and plain degrees. Integer columns never pass through float: 64-bit ids stay exact on
every path (pandas nullable ``Int64`` where a column has nulls, astropy ``MaskedColumn``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pyarrow as pa

from .errors import ProtocolError

if TYPE_CHECKING:
    import pandas as pd
    from astropy.coordinates import SkyCoord
    from astropy.table import Table
    from astropy.units import Quantity

#: What the API accepts as a table of alerts or positions.
TableLike: TypeAlias = "pa.Table | pa.RecordBatch | pd.DataFrame | Table | SkyCoord"
#: What a cross-match returns: the caller's flavour (pyarrow in -> pyarrow Table, pandas in ->
#: DataFrame, astropy Table or SkyCoord in -> astropy Table).
MatchResult: TypeAlias = "pa.Table | pd.DataFrame | Table"
#: A position: a SkyCoord (one or many), or ra/dec given separately.
PositionLike: TypeAlias = "SkyCoord"
#: An angle: astropy Angle/Quantity in any angular unit, or a bare number (degrees for a
#: position, arcseconds for a radius).
AngleLike: TypeAlias = "float | int | Quantity"

RA_NAMES = ("ra", "RA", "ra_deg", "raDeg", "RAJ2000", "RA_ICRS", "_RAJ2000")
DEC_NAMES = ("dec", "DEC", "Dec", "dec_deg", "decDeg", "DEJ2000", "DE_ICRS", "_DEJ2000")


def ipc_bytes(table: pa.Table | pa.RecordBatch) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write(table)
    return sink.getvalue()


def read_ipc(buffer: bytes | memoryview | pa.Buffer) -> pa.Table:
    """Arrow IPC stream bytes (any buffer, zero-copy) -> pyarrow Table."""
    return pa.ipc.open_stream(pa.py_buffer(buffer)).read_all()


def iter_ipc_batches(buffer: bytes | memoryview | pa.Buffer) -> Iterator[pa.RecordBatch]:
    yield from pa.ipc.open_stream(pa.py_buffer(buffer))


def _astropy_table_to_arrow(table: Table) -> pa.Table:
    from astropy.coordinates import SkyCoord
    from astropy.units import Quantity

    arrays: dict[str, pa.Array] = {}
    for name in table.colnames:
        col = table[name]
        if isinstance(col, SkyCoord):
            icrs = col.icrs
            arrays[f"{name}_ra"] = pa.array(np.asarray(icrs.ra.deg, dtype=np.float64))
            arrays[f"{name}_dec"] = pa.array(np.asarray(icrs.dec.deg, dtype=np.float64))
            continue
        mask = np.asarray(getattr(col, "mask", np.zeros(len(col), bool)), dtype=bool)
        if _is_angle(col):
            quantity = col if isinstance(col, Quantity) else col.quantity
            values = np.asarray(quantity.to_value("deg"))
        else:
            values = np.ma.getdata(np.asarray(col))
        arrays[name] = pa.array(values, mask=mask if mask.any() else None)
    return pa.table(arrays)


def _is_angle(col: object) -> bool:
    unit = getattr(col, "unit", None)
    return unit is not None and getattr(unit, "physical_type", None) == "angle"


def to_arrow_table(data: TableLike) -> pa.Table:
    """pandas DataFrame, pyarrow Table/RecordBatch, astropy Table or SkyCoord -> pyarrow Table."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    mod = type(data).__module__
    if mod.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    if mod.startswith("astropy"):
        from astropy.coordinates import SkyCoord
        from astropy.table import Table

        if isinstance(data, SkyCoord):
            icrs = data.icrs
            return pa.table(
                {
                    "ra": np.atleast_1d(np.asarray(icrs.ra.deg, dtype=np.float64)),
                    "dec": np.atleast_1d(np.asarray(icrs.dec.deg, dtype=np.float64)),
                }
            )
        if isinstance(data, Table):
            return _astropy_table_to_arrow(data)
    raise ProtocolError(
        f"Cannot send a {type(data).__name__}: pass a pandas DataFrame, a pyarrow Table or "
        "RecordBatch, an astropy Table or a SkyCoord."
    )


def without_dictionaries(table: pa.Table) -> pa.Table:
    """Dictionary-encoded columns (pandas categoricals: a ``band`` column, say) as plain values,
    the way alerts decoded from Kafka carry them, so SQL filters and the stage's code read them."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            plain = table.column(i).cast(field.type.value_type)
            table = table.set_column(i, pa.field(field.name, plain.type, field.nullable), plain)
    return table


def with_ra_dec(table: pa.Table) -> pa.Table:
    """Ensures float64 ``ra``/``dec`` columns (degrees) exist, copying from common aliases."""
    names = set(table.column_names)
    for target, aliases in (("ra", RA_NAMES), ("dec", DEC_NAMES)):
        if target in names:
            continue
        source = next((a for a in aliases if a in names), None)
        if source is None:
            raise ProtocolError(
                f"The table has no {target} column (looked for {', '.join(aliases)}). "
                f"Add `{target}` in degrees or pass a SkyCoord."
            )
        table = table.append_column(target, table[source].cast(pa.float64()))
    return table


def like_input(result: pa.Table, original: object) -> MatchResult:
    """Returns results in the caller's flavour: pandas in, pandas out; astropy in (Table or
    SkyCoord), astropy Table out; else the pyarrow Table. Integer ids stay exact on every path."""
    mod = type(original).__module__
    if mod.startswith("pandas"):
        return to_pandas(result)
    if mod.startswith("astropy"):
        return to_astropy(result)
    return result


def to_astropy(table: pa.Table) -> Table:
    """pyarrow Table -> astropy Table, column by column (no pandas round trip): numbers keep
    their dtype, nulls become masks (a float NaN stays a NaN, distinct from a null), strings
    and nested values (lightcurves) become object columns."""
    from astropy.table import Column, MaskedColumn
    from astropy.table import Table as AstropyTable

    columns: list[Column] = []
    for name, col in zip(table.column_names, table.columns, strict=True):
        kind = col.type
        nulls = col.null_count > 0
        mask = col.is_null().to_numpy(zero_copy_only=False) if nulls else None
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            fill = False if pa.types.is_boolean(kind) else 0
            data = (col.fill_null(fill) if nulls else col).to_numpy()
        else:
            data = np.empty(len(col), dtype=object)
            data[:] = col.to_pylist()
        if mask is not None:
            columns.append(MaskedColumn(data, name=name, mask=mask))
        else:
            columns.append(Column(data, name=name))
    return AstropyTable(columns, copy=False)


def degrees(value: AngleLike, what: str) -> float:
    """Angle / Quantity (any angular unit) / bare number (degrees) -> float degrees."""
    if hasattr(value, "to_value"):
        return float(value.to_value("deg"))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProtocolError(
            f"{what} must be an angle (astropy Angle/Quantity or degrees)."
        ) from None


def arcsec(value: AngleLike, what: str = "radius") -> float:
    """Angle / Quantity (any angular unit) / bare number (arcseconds) -> float arcseconds."""
    if hasattr(value, "to_value"):
        return float(value.to_value("arcsec"))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProtocolError(
            f"{what} must be an angle (astropy Angle/Quantity or arcsec)."
        ) from None


def to_pandas(data: pa.RecordBatch | pa.Table) -> pd.DataFrame:
    """Like ``.to_pandas()`` but integer columns with nulls stay exact (pandas nullable ``Int64``
    etc.) instead of becoming float64, which silently rounds 64-bit ids above 2**53."""
    import pandas as pd

    mapping = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.UInt8Dtype(),
        pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
    }
    return data.to_pandas(types_mapper=mapping.get)
