/**
 * Alert positions and moving-object flags, taken column by column from the input.
 */
import type { RecordBatch, Table, Vector } from 'apache-arrow';
import { unitVectors } from '../catalog/sky.js';
import { CrossmatchError } from '../errors.js';
import type { AlertInput } from './types.js';

/** Alerts ready to match. */
export interface PreparedAlerts {
  n: number;
  raDeg: Float64Array;
  decDeg: Float64Array;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  /** 1 = position usable (finite RA, |Dec| ≤ 90). */
  valid: Uint8Array;
  /** 1 = solar-system object (from the batch columns); all 0 for plain positions. */
  moving: Uint8Array;
}

function isArrow(input: AlertInput): input is RecordBatch | Table {
  return typeof (input as RecordBatch).getChild === 'function';
}

function floatColumn(v: Vector, n: number): { values: Float64Array; valid: Uint8Array } {
  const values = new Float64Array(n);
  const valid = new Uint8Array(n).fill(1);
  if (v.nullCount === 0) {
    values.set(v.toArray() as ArrayLike<number>);
    return { values, valid };
  }
  for (let i = 0; i < n; i++) {
    const x = v.get(i) as number | null;
    if (x === null) {
      valid[i] = 0;
    } else {
      values[i] = x;
    }
  }
  return { values, valid };
}

/**
 * Flags solar-system objects: `isMovingObject` true, or Rubin `ssObjectId` set (non-null, non-zero),
 * or ZTF `ssnamenr` non-empty with `ssdistnr` in [0, maxSsDistArcsec] (ZTF writes −999 for none).
 */
export function movingObjectMask(batch: RecordBatch | Table, maxSsDistArcsec: number): Uint8Array {
  const n = batch.numRows;
  const out = new Uint8Array(n);
  const flag = batch.getChild('isMovingObject');
  const ssObjectId = batch.getChild('ssObjectId');
  const ssnamenr = batch.getChild('ssnamenr');
  const ssdistnr = batch.getChild('ssdistnr');
  for (let i = 0; i < n; i++) {
    if (flag && flag.get(i) === true) {
      out[i] = 1;
      continue;
    }
    if (ssObjectId) {
      const id = ssObjectId.get(i) as bigint | number | null;
      if (id !== null && id !== undefined && BigInt(id) !== 0n) {
        out[i] = 1;
        continue;
      }
    }
    if (ssnamenr) {
      const name = ssnamenr.get(i) as string | null;
      if (name && name.trim() !== '' && name !== 'null') {
        const d = ssdistnr ? (ssdistnr.get(i) as number | null) : null;
        if (d === null || (d >= 0 && d <= maxSsDistArcsec)) {
          out[i] = 1;
        }
      }
    }
  }
  return out;
}

/** Positions, unit vectors, validity and moving flags of the input alerts. */
export function prepareAlerts(input: AlertInput, maxSsDistArcsec: number): PreparedAlerts {
  let raDeg: Float64Array;
  let decDeg: Float64Array;
  let valid: Uint8Array;
  let moving: Uint8Array;
  if (isArrow(input)) {
    const ra = input.getChild('ra');
    const dec = input.getChild('dec');
    if (!ra || !dec) {
      throw new CrossmatchError(
        'Cross-match input has no "ra"/"dec" columns: pass canonical alert batches or {raDeg, decDeg}.',
        { context: { columns: input.schema.fields.map(f => f.name) } }
      );
    }
    const r = floatColumn(ra, input.numRows);
    const d = floatColumn(dec, input.numRows);
    raDeg = r.values;
    decDeg = d.values;
    valid = r.valid;
    for (let i = 0; i < valid.length; i++) {
      valid[i] &= d.valid[i];
    }
    moving = movingObjectMask(input, maxSsDistArcsec);
  } else {
    if (input.raDeg.length !== input.decDeg.length) {
      throw new CrossmatchError(
        `raDeg has ${input.raDeg.length} values but decDeg has ${input.decDeg.length}; pass equal lengths.`
      );
    }
    raDeg = input.raDeg;
    decDeg = input.decDeg;
    valid = new Uint8Array(raDeg.length).fill(1);
    moving = new Uint8Array(raDeg.length);
  }
  const n = raDeg.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(raDeg[i]) || !(Math.abs(decDeg[i]) <= 90)) {
      valid[i] = 0;
    }
  }
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  unitVectors(raDeg, decDeg, x, y, z);
  const ra = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = raDeg[i] % 360;
    ra[i] = v < 0 ? v + 360 : v;
  }
  return { n, raDeg: ra, decDeg, x, y, z, valid, moving };
}
