/**
 * Numeric-first column transfer between typed arrays and DuckDB: appender data chunks in (typed
 * array copies into the chunk's vector memory), chunk vectors out. Strings and booleans go value by
 * value; they are never on the cross-match hot path.
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBVector,
  INTEGER,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBResult,
  type DuckDBType
} from '@duckdb/node-api';
import { emptyColumn, type ColumnData, type ColumnKind } from './columns.js';

/** The parts of a node-api numeric vector we use: its typed view on the chunk's memory. */
interface RawVector {
  items?: Float64Array | Int32Array | BigInt64Array;
  validity?: { data: BigUint64Array | null };
  setItem(i: number, v: unknown): void;
  getItem(i: number): unknown;
  flush(): void;
}

function duckTypeOf(kind: ColumnKind): DuckDBType {
  switch (kind) {
    case 'double':
      return DOUBLE;
    case 'int':
      return INTEGER;
    case 'bigint':
      return BIGINT;
    case 'bool':
      return BOOLEAN;
    case 'string':
      return VARCHAR;
  }
}

function fillVector(vec: RawVector, col: ColumnData, off: number, m: number): void {
  if (col.kind === 'string') {
    for (let i = 0; i < m; i++) {
      vec.setItem(i, col.values[off + i]);
    }
  } else if (col.kind === 'bool') {
    for (let i = 0; i < m; i++) {
      vec.setItem(i, col.valid && !col.valid[off + i] ? null : col.values[off + i] !== 0);
    }
  } else {
    const items = vec.items as Float64Array | Int32Array | BigInt64Array;
    (items as { set(a: ArrayLike<number | bigint>): void }).set(col.values.subarray(off, off + m));
    if (col.valid) {
      for (let i = 0; i < m; i++) {
        if (!col.valid[off + i]) {
          vec.setItem(i, null);
        }
      }
    }
  }
  vec.flush();
}

/**
 * Appends columns (all of the same length) to an existing table whose columns match in order and
 * kind, one data chunk of DuckDB's standard size at a time.
 */
export async function appendColumns(
  con: DuckDBConnection,
  table: string,
  cols: ColumnData[],
  onProgress?: (doneRows: number, totalRows: number) => void
): Promise<void> {
  const n = cols.length === 0 ? 0 : cols[0].values.length;
  const types = cols.map(c => duckTypeOf(c.kind));
  const size = DuckDBVector.standardSize();
  const appender = await con.createAppender(table);
  try {
    for (let off = 0; off < n; off += size) {
      const m = Math.min(size, n - off);
      const chunk = DuckDBDataChunk.create(types, m);
      chunk.rowCount = m;
      for (let c = 0; c < cols.length; c++) {
        fillVector(chunk.getColumnVector(c) as unknown as RawVector, cols[c], off, m);
      }
      appender.appendDataChunk(chunk);
      if (onProgress && (off / size) % 64 === 0) {
        onProgress(off + m, n);
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  onProgress?.(n, n);
}

/** Growable column used while reading result chunks. */
class ColumnReader {
  private col: ColumnData;
  private valid: Uint8Array | undefined;
  length = 0;
  constructor(readonly kind: ColumnKind) {
    this.col = emptyColumn(kind, 1024);
  }
  private ensure(extra: number): void {
    const cap = this.col.values.length;
    if (this.length + extra <= cap) {
      return;
    }
    const next = emptyColumn(this.kind, Math.max(cap * 2, this.length + extra));
    if (next.kind === 'string' && this.col.kind === 'string') {
      for (let i = 0; i < this.length; i++) {
        next.values[i] = this.col.values[i];
      }
    } else if (next.kind !== 'string' && this.col.kind !== 'string') {
      (next.values as { set(a: ArrayLike<number | bigint>): void }).set(this.col.values);
    }
    this.col = next;
    if (this.valid) {
      const v = new Uint8Array(next.values.length);
      v.set(this.valid);
      this.valid = v;
    }
  }
  read(vec: RawVector, m: number): void {
    this.ensure(m);
    const base = this.length;
    const col = this.col;
    const hasNulls = !vec.items || (vec.validity?.data ?? null) !== null;
    if (col.kind !== 'string' && col.kind !== 'bool' && vec.items) {
      (col.values as { set(a: ArrayLike<number | bigint>, o: number): void }).set(
        vec.items.subarray(0, m),
        base
      );
    }
    if (hasNulls || col.kind === 'string' || col.kind === 'bool') {
      for (let i = 0; i < m; i++) {
        const v = vec.getItem(i);
        if (col.kind === 'string') {
          col.values[base + i] = v === null ? null : String(v);
          continue;
        }
        if (v === null) {
          if (!this.valid) {
            this.valid = new Uint8Array(col.values.length).fill(1);
          }
          this.valid[base + i] = 0;
        } else if (col.kind === 'bool') {
          col.values[base + i] = v === true ? 1 : 0;
        }
      }
    }
    this.length += m;
  }
  finish(): ColumnData {
    const n = this.length;
    const c = this.col;
    if (c.kind === 'string') {
      return { kind: 'string', values: c.values.slice(0, n) };
    }
    const valid = this.valid?.slice(0, n);
    switch (c.kind) {
      case 'double':
        return { kind: 'double', values: c.values.slice(0, n), valid };
      case 'int':
        return { kind: 'int', values: c.values.slice(0, n), valid };
      case 'bigint':
        return { kind: 'bigint', values: c.values.slice(0, n), valid };
      case 'bool':
        return { kind: 'bool', values: c.values.slice(0, n), valid };
    }
  }
}

/**
 * Reads every chunk of a result into columns of the given kinds (the query must produce exactly
 * those DuckDB types, e.g. by casting).
 */
export async function readColumns(
  result: DuckDBResult,
  kinds: ColumnKind[]
): Promise<ColumnData[]> {
  const readers = kinds.map(k => new ColumnReader(k));
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) {
      break;
    }
    const m = chunk.rowCount;
    for (let c = 0; c < readers.length; c++) {
      readers[c].read(chunk.getColumnVector(c) as unknown as RawVector, m);
    }
  }
  return readers.map(r => r.finish());
}
