/**
 * The in-memory columnar form of catalog data (what loaders produce and what the in-memory matchers
 * hold): typed arrays for numbers, plain arrays only for strings.
 */

/** Logical type of a catalog column. */
export type ColumnKind = 'double' | 'int' | 'bigint' | 'string' | 'bool';

/** One column: values plus an optional validity mask (1 = present). */
export type ColumnData =
  | { kind: 'double'; values: Float64Array; valid?: Uint8Array }
  | { kind: 'int'; values: Int32Array; valid?: Uint8Array }
  | { kind: 'bigint'; values: BigInt64Array; valid?: Uint8Array }
  | { kind: 'bool'; values: Uint8Array; valid?: Uint8Array }
  | { kind: 'string'; values: (string | null)[] };

/** Rows of a catalog before it goes into a zone table. */
export interface ColumnarCatalog {
  /** The catalog's own ids: bigint ids (e.g. HIP numbers) or strings (e.g. "NGC 224"). */
  ids: BigInt64Array | (string | null)[];
  raDeg: Float64Array;
  decDeg: Float64Array;
  /** Extra columns to keep, by name. */
  columns: Record<string, ColumnData>;
}

/** Description of a stored column. */
export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
}

/** DuckDB SQL type of a column kind. */
export function sqlTypeOf(kind: ColumnKind): string {
  switch (kind) {
    case 'double':
      return 'DOUBLE';
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'bool':
      return 'BOOLEAN';
    case 'string':
      return 'VARCHAR';
  }
}

/** Column kind of a DuckDB type name, or undefined when the type needs a cast to VARCHAR. */
export function kindOfSqlType(sqlType: string): ColumnKind | undefined {
  const t = sqlType.toUpperCase();
  if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL' || t.startsWith('DECIMAL')) {
    return 'double';
  }
  if (['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT'].includes(t)) {
    return 'int';
  }
  if (t === 'BIGINT' || t === 'UINTEGER') {
    return 'bigint';
  }
  if (t === 'BOOLEAN') {
    return 'bool';
  }
  if (t === 'VARCHAR') {
    return 'string';
  }
  return undefined;
}

/** Number of rows of a column. */
export function columnLength(c: ColumnData): number {
  return c.values.length;
}

/** A new column holding rows `rows` of `c` (a gather). */
export function takeColumn(c: ColumnData, rows: Int32Array): ColumnData {
  const n = rows.length;
  const takeValid = (valid: Uint8Array | undefined): Uint8Array | undefined => {
    if (!valid) {
      return undefined;
    }
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = valid[rows[i]];
    }
    return out;
  };
  switch (c.kind) {
    case 'double': {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        v[i] = c.values[rows[i]];
      }
      return { kind: 'double', values: v, valid: takeValid(c.valid) };
    }
    case 'int': {
      const v = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        v[i] = c.values[rows[i]];
      }
      return { kind: 'int', values: v, valid: takeValid(c.valid) };
    }
    case 'bigint': {
      // Copy 64-bit words as two 32-bit halves: no BigInt boxing per value.
      const v = new BigInt64Array(n);
      const src = new Int32Array(c.values.buffer, c.values.byteOffset, 2 * c.values.length);
      const dst = new Int32Array(v.buffer);
      for (let i = 0; i < n; i++) {
        const r = rows[i];
        dst[2 * i] = src[2 * r];
        dst[2 * i + 1] = src[2 * r + 1];
      }
      return { kind: 'bigint', values: v, valid: takeValid(c.valid) };
    }
    case 'bool': {
      const v = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        v[i] = c.values[rows[i]];
      }
      return { kind: 'bool', values: v, valid: takeValid(c.valid) };
    }
    case 'string': {
      const v = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        v[i] = c.values[rows[i]];
      }
      return { kind: 'string', values: v };
    }
  }
}

/** An empty column of a kind. */
export function emptyColumn(kind: ColumnKind, n = 0): ColumnData {
  switch (kind) {
    case 'double':
      return { kind, values: new Float64Array(n) };
    case 'int':
      return { kind, values: new Int32Array(n) };
    case 'bigint':
      return { kind, values: new BigInt64Array(n) };
    case 'bool':
      return { kind, values: new Uint8Array(n) };
    case 'string':
      return { kind, values: new Array<string | null>(n).fill(null) };
  }
}

/** Rows [start, end) of a column (typed-array views, no copy for numbers). */
export function sliceColumn(c: ColumnData, start: number, end: number): ColumnData {
  switch (c.kind) {
    case 'string':
      return { kind: 'string', values: c.values.slice(start, end) };
    case 'double':
      return {
        kind: 'double',
        values: c.values.subarray(start, end),
        valid: c.valid?.subarray(start, end)
      };
    case 'int':
      return {
        kind: 'int',
        values: c.values.subarray(start, end),
        valid: c.valid?.subarray(start, end)
      };
    case 'bigint':
      return {
        kind: 'bigint',
        values: c.values.subarray(start, end),
        valid: c.valid?.subarray(start, end)
      };
    case 'bool':
      return {
        kind: 'bool',
        values: c.values.subarray(start, end),
        valid: c.valid?.subarray(start, end)
      };
  }
}

/** Gathers item `item[i]` of column `parts[part[i]]` for every i (all parts of one kind). */
export function gatherColumns(
  kind: ColumnKind,
  parts: ColumnData[],
  part: Int32Array,
  item: Int32Array
): ColumnData {
  const n = part.length;
  const out = emptyColumn(kind, n);
  const anyValid = parts.some(p => p.kind !== 'string' && p.valid);
  const valid = anyValid ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const p = parts[part[i]];
    const k = item[i];
    (out.values as unknown[])[i] = p.values[k];
    if (valid && p.kind !== 'string') {
      valid[i] = p.valid ? p.valid[k] : 1;
    }
  }
  if (valid && out.kind !== 'string') {
    out.valid = valid;
  }
  return out;
}
