/** Builds the Arrow output table of a match from per-catalog pair columns. */
import {
  Bool,
  Float64,
  Int32,
  Int64,
  Table,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type Vector
} from 'apache-arrow';
import { emptyColumn, type ColumnData, type ColumnKind } from '../catalog/columns.js';
import { repeatedUtf8 } from './repeatedUtf8.js';
import { CrossmatchError } from '../errors.js';
import type { CatalogShape } from './types.js';

/** One catalog's share of the output. */
export interface OutputPart {
  shape: CatalogShape;
  alertRow: Int32Array;
  sepArcsec: Float64Array;
  ids: ColumnData;
  columns: Record<string, ColumnData>;
}

function bitmap(valid: Uint8Array | undefined, n: number): { bits?: Uint8Array; nulls: number } {
  if (!valid) {
    return { nulls: 0 };
  }
  const bits = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i]) {
      bits[i >> 3] |= 1 << (i & 7);
    } else {
      nulls++;
    }
  }
  return nulls === 0 ? { nulls } : { bits, nulls };
}

/** Utf8 vector built straight into offsets + bytes (vectorFromArray is slow on strings). */
export function utf8Vector(values: readonly (string | null)[]): Vector {
  const n = values.length;
  let chars = 0;
  for (let i = 0; i < n; i++) {
    chars += values[i]?.length ?? 0;
  }
  const bytes = new Uint8Array(chars * 3);
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array(n);
  const enc = new TextEncoder();
  let at = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls++;
    } else {
      valid[i] = 1;
      at += enc.encodeInto(v, bytes.subarray(at)).written;
    }
    offsets[i + 1] = at;
  }
  const { bits } = bitmap(nulls > 0 ? valid : undefined, n);
  return makeVector(
    makeData({
      type: new Utf8(),
      length: n,
      nullCount: nulls,
      nullBitmap: bits,
      valueOffsets: offsets,
      data: bytes.subarray(0, at)
    })
  );
}

/** Arrow vector of a column. */
export function toArrowVector(c: ColumnData): Vector {
  const n = c.values.length;
  switch (c.kind) {
    case 'string':
      return utf8Vector(c.values);
    case 'bool':
      return vectorFromArray(
        Array.from(c.values, (v, i) => (c.valid && !c.valid[i] ? null : v !== 0)),
        new Bool()
      );
    case 'double': {
      const { bits, nulls } = bitmap(c.valid, n);
      return makeVector(
        makeData({
          type: new Float64(),
          length: n,
          nullCount: nulls,
          data: c.values,
          nullBitmap: bits
        })
      );
    }
    case 'int': {
      const { bits, nulls } = bitmap(c.valid, n);
      return makeVector(
        makeData({
          type: new Int32(),
          length: n,
          nullCount: nulls,
          data: c.values,
          nullBitmap: bits
        })
      );
    }
    case 'bigint': {
      const { bits, nulls } = bitmap(c.valid, n);
      return makeVector(
        makeData({
          type: new Int64(),
          length: n,
          nullCount: nulls,
          data: c.values,
          nullBitmap: bits
        })
      );
    }
  }
}

/** Concatenates columns of one kind; `undefined` parts (catalog lacks the column) become nulls. */
function concat(
  kind: ColumnKind,
  parts: (ColumnData | undefined)[],
  lengths: number[]
): ColumnData {
  const total = lengths.reduce((a, b) => a + b, 0);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (
    only &&
    only.kind === kind &&
    only.kind !== 'string' &&
    only.values.length === total &&
    only.values.byteLength === only.values.buffer.byteLength
  ) {
    // One catalog: its freshly gathered column becomes the output as is (no second copy).
    return only;
  }
  const out = emptyColumn(kind, total);
  const valid = new Uint8Array(total);
  let anyNull = false;
  let at = 0;
  parts.forEach((p, k) => {
    const n = lengths[k];
    if (!p) {
      anyNull = true;
    } else if (p.kind === 'string' && out.kind === 'string') {
      for (let i = 0; i < n; i++) {
        out.values[at + i] = p.values[i];
      }
      valid.fill(1, at, at + n);
    } else if (p.kind !== 'string' && out.kind !== 'string') {
      (out.values as { set(a: ArrayLike<number | bigint>, o: number): void }).set(p.values, at);
      if (p.valid) {
        valid.set(p.valid, at);
        anyNull = true;
      } else {
        valid.fill(1, at, at + n);
      }
    }
    at += n;
  });
  if (out.kind !== 'string' && anyNull) {
    out.valid = valid;
  }
  return out;
}

function idsAsStrings(c: ColumnData): ColumnData {
  if (c.kind === 'string') {
    return c;
  }
  return {
    kind: 'string',
    values: Array.from(c.values as ArrayLike<number | bigint>, v => String(v))
  };
}

/** Builds the output table (see MatchResult.table for the columns). */
export function buildOutputTable(parts: OutputPart[], columnOrder: string[]): Table {
  const lengths = parts.map(p => p.alertRow.length);
  const allBigint = parts.every(p => p.shape.idKind === 'bigint');
  const kinds = new Map<string, ColumnKind>();
  for (const p of parts) {
    for (const c of p.shape.columns) {
      const prev = kinds.get(c.name);
      if (prev && prev !== c.kind && columnOrder.includes(c.name)) {
        throw new CrossmatchError(
          `Column "${c.name}" is ${prev} in one catalog and ${c.kind} in "${p.shape.name}"; request it from one catalog per call.`,
          { context: { column: c.name, catalog: p.shape.name } }
        );
      }
      kinds.set(c.name, c.kind);
    }
  }
  const vectors: Record<string, Vector> = {
    alertRow: toArrowVector(
      concat(
        'int',
        parts.map(p => ({ kind: 'int', values: p.alertRow })),
        lengths
      )
    ),
    catalog: repeatedUtf8(
      parts.map(p => p.shape.name),
      lengths
    ),
    catalogId: toArrowVector(
      allBigint
        ? concat(
            'bigint',
            parts.map(p => p.ids),
            lengths
          )
        : concat(
            'string',
            parts.map(p => idsAsStrings(p.ids)),
            lengths
          )
    ),
    separationArcsec: toArrowVector(
      concat(
        'double',
        parts.map(p => ({ kind: 'double', values: p.sepArcsec })),
        lengths
      )
    )
  };
  for (const name of columnOrder) {
    const kind = kinds.get(name) ?? 'double';
    vectors[name] = toArrowVector(
      concat(
        kind,
        parts.map(p => p.columns[name]),
        lengths
      )
    );
  }
  return new Table(vectors);
}
