/** Reading Arrow columns of a decoded batch without per-value objects (whole batch at a time). */
import type { Data, RecordBatch } from 'apache-arrow';

/** A column as raw buffers: values, validity (undefined: no nulls) and its offset. */
export interface RawColumn {
  data: Data;
  valid: Uint8Array | undefined;
  offset: number;
}

export function rawColumn(batch: RecordBatch, name: string): RawColumn | undefined {
  const i = batch.schema.fields.findIndex(f => f.name === name);
  if (i < 0) {
    return undefined;
  }
  const data = batch.data.children[i];
  const valid = data.nullCount > 0 ? (data.nullBitmap as Uint8Array | undefined) : undefined;
  return { data, valid, offset: data.offset };
}

export function isValid(c: RawColumn, row: number): boolean {
  if (c.valid === undefined || c.valid.length === 0) {
    return true;
  }
  const at = c.offset + row;
  return (c.valid[at >> 3] & (1 << (at & 7))) !== 0;
}

/** A numeric column as numbers per row (NaN where null or absent). */
export function floatsOf(batch: RecordBatch, name: string): Float64Array {
  const out = new Float64Array(batch.numRows).fill(NaN);
  const c = rawColumn(batch, name);
  if (c === undefined) {
    return out;
  }
  const values = c.data.values as ArrayLike<number | bigint>;
  for (let r = 0; r < out.length; r++) {
    if (isValid(c, r)) {
      out[r] = Number(values[c.offset + r]);
    }
  }
  return out;
}

/** An Int64 column as bigints per row (`nullValue` where null or absent). */
export function int64sOf(batch: RecordBatch, name: string, nullValue: bigint): BigInt64Array {
  const out = new BigInt64Array(batch.numRows).fill(nullValue);
  const c = rawColumn(batch, name);
  if (c === undefined) {
    return out;
  }
  const values = c.data.values as ArrayLike<bigint | number>;
  for (let r = 0; r < out.length; r++) {
    if (isValid(c, r)) {
      out[r] = BigInt(values[c.offset + r]);
    }
  }
  return out;
}

/** A Utf8 column as strings per row (null where null or absent). */
export function stringsOf(batch: RecordBatch, name: string): (string | null)[] {
  const out: (string | null)[] = new Array<string | null>(batch.numRows).fill(null);
  const c = rawColumn(batch, name);
  if (c === undefined) {
    return out;
  }
  const offsets = c.data.valueOffsets as Int32Array;
  const bytes = c.data.values as Uint8Array;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let r = 0; r < out.length; r++) {
    if (isValid(c, r)) {
      out[r] = buf.toString('utf8', offsets[c.offset + r], offsets[c.offset + r + 1]);
    }
  }
  return out;
}

/**
 * A Utf8 column of one-character codes mapped through `byCode` (a table by character code, -1
 * for none) per row, without making strings; -1 where null, absent or longer than one byte.
 */
export function codesOf(batch: RecordBatch, name: string, byCode: Int8Array): Int8Array {
  const out = new Int8Array(batch.numRows).fill(-1);
  const c = rawColumn(batch, name);
  if (c === undefined) {
    return out;
  }
  const offsets = c.data.valueOffsets as Int32Array;
  const bytes = c.data.values as Uint8Array;
  for (let r = 0; r < out.length; r++) {
    const a = offsets[c.offset + r];
    if (offsets[c.offset + r + 1] - a === 1 && isValid(c, r)) {
      out[r] = byCode[bytes[a] & 127];
    }
  }
  return out;
}
