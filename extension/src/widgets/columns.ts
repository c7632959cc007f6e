import { tableFromIPC, type Table } from 'apache-arrow';

/** Bytes as a widget trait delivers them (DataView) or as a custom message buffer. */
export type BinaryLike = DataView | ArrayBuffer | Uint8Array;

function asBytes(data: BinaryLike): Uint8Array {
  if (data instanceof Uint8Array) {
    return data;
  }
  if (data instanceof DataView) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return new Uint8Array(data);
}

/** Decodes an Arrow IPC stream (what the Python side sends) into a table. */
export function decodeArrow(data: BinaryLike | null | undefined): Table | null {
  if (!data) {
    return null;
  }
  const bytes = asBytes(data);
  return bytes.byteLength === 0 ? null : tableFromIPC(bytes);
}

/** A Float64 column as a typed array; nulls and missing columns become NaN. */
export function floatColumn(table: Table, name: string): Float64Array {
  const out = new Float64Array(table.numRows);
  const col = table.getChild(name);
  if (!col) {
    return out.fill(NaN);
  }
  if (col.nullCount === 0 && col.data.length === 1) {
    const values = col.toArray() as ArrayLike<number>;
    out.set(values);
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    const v = col.get(i) as number | null;
    out[i] = v === null ? NaN : Number(v);
  }
  return out;
}

/** A string column (nulls as ''); `fallback` fills a missing column. */
export function stringColumn(table: Table, name: string, fallback = ''): string[] {
  const col = table.getChild(name);
  const out = new Array<string>(table.numRows);
  for (let i = 0; i < out.length; i++) {
    const v = col ? (col.get(i) as string | null) : null;
    out[i] = v === null ? fallback : String(v);
  }
  return out;
}

/** A boolean column as 0/1 bytes; a missing column is all `fallback`. */
export function boolColumn(table: Table, name: string, fallback = true): Uint8Array {
  const col = table.getChild(name);
  const out = new Uint8Array(table.numRows);
  for (let i = 0; i < out.length; i++) {
    const v = col ? (col.get(i) as boolean | null) : null;
    out[i] = (v === null ? fallback : v) ? 1 : 0;
  }
  return out;
}

/** A 64-bit id as its exact decimal string (ids stay exact: never narrowed to number). */
export function idString(table: Table, name: string, row: number): string {
  const v = table.getChild(name)?.get(row) as bigint | number | null | undefined;
  return v === null || v === undefined ? '' : v.toString();
}

/** Row-wise concatenation of tables with the same schema (live appends). */
export function concatTables(tables: Table[]): Table | null {
  if (tables.length === 0) {
    return null;
  }
  return tables.slice(1).reduce((acc, t) => acc.concat(t), tables[0]);
}
