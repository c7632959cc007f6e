import { DataType, Precision, Type } from 'apache-arrow';
import { BIGINT, BOOLEAN, DOUBLE, FLOAT, INTEGER, SMALLINT, TINYINT, UBIGINT, UINTEGER, USMALLINT, UTINYINT, VARCHAR } from '@duckdb/node-api';
export const KIND_INFO = {
    f64: { duckType: DOUBLE, sqlType: 'DOUBLE', byteWidth: 8 },
    f32: { duckType: FLOAT, sqlType: 'FLOAT', byteWidth: 4 },
    i8: { duckType: TINYINT, sqlType: 'TINYINT', byteWidth: 1 },
    i16: { duckType: SMALLINT, sqlType: 'SMALLINT', byteWidth: 2 },
    i32: { duckType: INTEGER, sqlType: 'INTEGER', byteWidth: 4 },
    i64: { duckType: BIGINT, sqlType: 'BIGINT', byteWidth: 8 },
    u8: { duckType: UTINYINT, sqlType: 'UTINYINT', byteWidth: 1 },
    u16: { duckType: USMALLINT, sqlType: 'USMALLINT', byteWidth: 2 },
    u32: { duckType: UINTEGER, sqlType: 'UINTEGER', byteWidth: 4 },
    u64: { duckType: UBIGINT, sqlType: 'UBIGINT', byteWidth: 8 },
    bool: { duckType: BOOLEAN, sqlType: 'BOOLEAN', byteWidth: 0 },
    utf8: { duckType: VARCHAR, sqlType: 'VARCHAR', byteWidth: 0 },
    'large-utf8': { duckType: VARCHAR, sqlType: 'VARCHAR', byteWidth: 0 },
    'dict-utf8': { duckType: VARCHAR, sqlType: 'VARCHAR', byteWidth: 0 }
};
const INT_KINDS = {
    s8: 'i8',
    s16: 'i16',
    s32: 'i32',
    s64: 'i64',
    u8: 'u8',
    u16: 'u16',
    u32: 'u32',
    u64: 'u64'
};
/**
 * The transfer kind of an Arrow type, or `undefined` when DuckDB cannot take it simply (lists,
 * structs, binaries, timestamps...): such columns are left out of the DuckDB table.
 */
export function columnKindOf(type) {
    switch (type.typeId) {
        case Type.Float: {
            const precision = type.precision;
            if (precision === Precision.DOUBLE) {
                return 'f64';
            }
            return precision === Precision.SINGLE ? 'f32' : undefined;
        }
        case Type.Int: {
            const { bitWidth, isSigned } = type;
            return INT_KINDS[`${isSigned ? 's' : 'u'}${bitWidth}`];
        }
        case Type.Bool:
            return 'bool';
        case Type.Utf8:
            return 'utf8';
        case Type.LargeUtf8:
            return 'large-utf8';
        case Type.Dictionary: {
            const dict = type;
            return DataType.isUtf8(dict.dictionary) && DataType.isInt(dict.indices)
                ? 'dict-utf8'
                : undefined;
        }
        default:
            return undefined;
    }
}
/** Splits a schema's fields into those DuckDB takes and those left out (nested, binary, ...). */
export function planColumns(fields) {
    const columns = [];
    const skipped = [];
    fields.forEach((field, index) => {
        const kind = columnKindOf(field.type);
        if (kind === undefined) {
            skipped.push(field.name);
        }
        else {
            columns.push({ index, name: field.name, kind });
        }
    });
    return { columns, skipped };
}
/** Double-quotes an identifier for DuckDB SQL. */
export function quoteIdent(name) {
    return `"${name.replaceAll('"', '""')}"`;
}
