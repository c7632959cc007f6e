/** Flattening of JSON alerts' scalar fields into columns (see json.ts). */
import type { AlertColumns } from './arrow/alert-columns.js';
import {
  BoolColumn,
  Float32Column,
  Float64Column,
  Int32Column,
  Int64Column,
  type ColumnBuilder
} from './arrow/columns.js';
import { Utf8Column } from './arrow/varlen.js';
import type { JsonValue } from './bigjson.js';

type Obj = { [k: string]: JsonValue };
const ID_NAME = /(Id|id|^candid|^pid)$/;
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON number, bigint or numeric string as a number (NaN otherwise). */
export const num = (v: JsonValue | undefined): number =>
  typeof v === 'number'
    ? v
    : typeof v === 'bigint'
      ? Number(v)
      : typeof v === 'string' && v.trim() !== ''
        ? Number(v)
        : NaN;

/** A JSON integer (number, bigint or digit string) as an exact bigint. */
export const id = (v: JsonValue | undefined): bigint | undefined => {
  if (typeof v === 'bigint') {
    return v;
  }
  if (
    (typeof v === 'number' && Number.isInteger(v)) ||
    (typeof v === 'string' && /^-?\d+$/.test(v))
  ) {
    return BigInt(v);
  }
  return undefined;
};

const SKIP = new Set([
  'cutoutScience',
  'cutoutTemplate',
  'cutoutDifference',
  'prvDiaSources',
  'prvDiaForcedSources',
  'prv_candidates'
]);

/** Top-level scalars, the main record's scalars by name, other objects' scalars as `<key>_<name>`. */
export function flatten(
  cols: AlertColumns,
  alert: Obj,
  main: Obj,
  mainKey: string,
  prefixes: Record<string, string>
): void {
  const used = new Set<string>();
  const put = (name: string, v: JsonValue): void => {
    if (used.has(name) || v === null || typeof v === 'object') {
      return;
    }
    used.add(name);
    const kind =
      typeof v === 'boolean'
        ? 'boolean'
        : typeof v === 'string'
          ? 'string'
          : typeof v === 'bigint' || (Number.isInteger(v) && ID_NAME.test(name))
            ? 'long'
            : 'double';
    const col = cols.existingColumn(name) ?? cols.column(name, kind);
    if (col && col.length === cols.rows) {
      appendAs(col, v);
    }
  };
  for (const [k, v] of Object.entries(alert)) {
    if (!SKIP.has(k) && k !== mainKey && !isObj(v)) {
      put(k, v);
    }
  }
  for (const [k, v] of Object.entries(main)) {
    put(k, v);
  }
  for (const [k, v] of Object.entries(alert)) {
    if (k !== mainKey && !SKIP.has(k) && isObj(v)) {
      for (const [f, x] of Object.entries(v)) {
        put(`${prefixes[k] ?? `${k}_`}${f}`, x);
      }
    }
  }
}

/** Appends a JSON scalar to a builder of any type, converting (null when it does not fit). */
function appendAs(col: ColumnBuilder, v: JsonValue): void {
  if (col instanceof Int64Column) {
    const x = typeof v === 'boolean' ? undefined : id(v as JsonValue);
    return x === undefined ? col.appendNull() : col.appendBigInt(x);
  }
  if (col instanceof Float64Column || col instanceof Float32Column || col instanceof Int32Column) {
    const x = typeof v === 'boolean' ? Number(v) : num(v);
    return Number.isNaN(x) && typeof v !== 'number' ? col.appendNull() : col.append(x);
  }
  if (col instanceof BoolColumn) {
    return typeof v === 'boolean' ? col.append(v) : col.appendNull();
  }
  if (col instanceof Utf8Column) {
    return col.appendString(typeof v === 'string' ? v : String(v));
  }
  col.appendNull();
}
