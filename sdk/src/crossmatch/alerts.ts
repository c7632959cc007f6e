/**
 * Alert positions and moving-object flags, taken column by column from the input.
 */
import type { RecordBatch, Table, Vector } from 'apache-arrow';
import { CrossmatchError } from '../errors.js';
import { unitVectorsFast } from './trig.js';
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

/**
 * A column's values as float64 and, when it has nulls, its validity (1 = value). A single-chunk
 * float64 column without nulls is returned as a view of its data (nothing copied: the batch
 * outlives the call, and the values are only read).
 */
function floatColumn(v: Vector, n: number): { values: Float64Array; valid?: Uint8Array } {
  if (v.nullCount === 0) {
    const data = v.data.length === 1 ? v.data[0].values : undefined;
    if (data instanceof Float64Array && data.length >= n) {
      return { values: data.length === n ? data : data.subarray(0, n) };
    }
    const values = new Float64Array(n);
    values.set(v.toArray() as ArrayLike<number>);
    return { values };
  }
  const values = new Float64Array(n);
  const valid = new Uint8Array(n).fill(1);
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
  return movingObjectsOf(batch, maxSsDistArcsec) ?? new Uint8Array(batch.numRows);
}

/** {@link movingObjectMask}, or undefined when the batch has none of the columns that flag one. */
function movingObjectsOf(
  batch: RecordBatch | Table,
  maxSsDistArcsec: number
): Uint8Array | undefined {
  const n = batch.numRows;
  const flag = batch.getChild('isMovingObject');
  const ssObjectId = batch.getChild('ssObjectId');
  const ssnamenr = batch.getChild('ssnamenr');
  const ssdistnr = batch.getChild('ssdistnr');
  if (!flag && !ssObjectId && !ssnamenr) {
    return undefined;
  }
  const out = new Uint8Array(n);
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

/**
 * Grow-only arrays that {@link prepareAlerts} fills instead of allocating, so a matcher that
 * handles batch after batch does not churn 300 KB of ArrayBuffers per 10k alerts (each churned
 * buffer counts as external memory and brings V8's "external memory pressure" collections into
 * the timed path). Hold one per concurrent call.
 */
export class AlertScratch {
  private cap = 0;
  ra = new Float64Array(0);
  x = new Float64Array(0);
  y = new Float64Array(0);
  z = new Float64Array(0);
  valid = new Uint8Array(0);
  moving = new Uint8Array(0);
  rows = new Int32Array(0);

  /** Makes room for n alerts (the arrays are then at least n long). */
  reserve(n: number): void {
    if (n <= this.cap) {
      return;
    }
    const cap = this.cap === 0 ? n : Math.max(n, Math.ceil(this.cap * 1.5));
    this.ra = new Float64Array(cap);
    this.x = new Float64Array(cap);
    this.y = new Float64Array(cap);
    this.z = new Float64Array(cap);
    this.valid = new Uint8Array(cap);
    this.moving = new Uint8Array(cap);
    this.rows = new Int32Array(cap);
    this.cap = cap;
  }
}

/**
 * Positions, unit vectors, validity and moving flags of the input alerts. With `scratch` the
 * arrays are views into it (valid until the scratch is used again); without, they are fresh.
 * With `vectors` false the unit vectors are left NaN, for an engine that computes them only for
 * the alerts that have candidates ({@link PairEngine.lazyVectors}).
 */
export function prepareAlerts(
  input: AlertInput,
  maxSsDistArcsec: number,
  scratch: AlertScratch = new AlertScratch(),
  vectors = true
): PreparedAlerts {
  let raIn: Float64Array;
  let decDeg: Float64Array;
  let n: number;
  let decValid: Uint8Array | undefined;
  let raValid: Uint8Array | undefined;
  let movingIn: Uint8Array | undefined;
  if (isArrow(input)) {
    const ra = input.getChild('ra');
    const dec = input.getChild('dec');
    if (!ra || !dec) {
      throw new CrossmatchError(
        'Cross-match input has no "ra"/"dec" columns: pass canonical alert batches or {raDeg, decDeg}.',
        { context: { columns: input.schema.fields.map(f => f.name) } }
      );
    }
    n = input.numRows;
    const r = floatColumn(ra, n);
    const d = floatColumn(dec, n);
    raIn = r.values;
    decDeg = d.values;
    raValid = r.valid;
    decValid = d.valid;
    movingIn = movingObjectsOf(input, maxSsDistArcsec);
  } else {
    if (input.raDeg.length !== input.decDeg.length) {
      throw new CrossmatchError(
        `raDeg has ${input.raDeg.length} values but decDeg has ${input.decDeg.length}; pass equal lengths.`
      );
    }
    raIn = input.raDeg;
    decDeg = input.decDeg;
    n = raIn.length;
  }
  scratch.reserve(n);
  const raDeg = scratch.ra.subarray(0, n);
  const valid = scratch.valid.subarray(0, n);
  const moving = scratch.moving.subarray(0, n);
  if (movingIn) {
    moving.set(movingIn);
  } else {
    moving.fill(0);
  }
  for (let i = 0; i < n; i++) {
    let v = raIn[i];
    if (!(v >= 0 && v < 360)) {
      v %= 360;
      v = v < 0 ? v + 360 : v;
      // −1e-17 % 360 + 360 rounds to 360: fold it back to 0.
      v = v >= 360 ? 0 : v;
    }
    raDeg[i] = v;
    const d = decDeg[i];
    valid[i] = Number.isFinite(v) && d >= -90 && d <= 90 ? 1 : 0;
  }
  for (const v of [raValid, decValid]) {
    if (v) {
      for (let i = 0; i < n; i++) {
        valid[i] &= v[i];
      }
    }
  }
  const x = scratch.x.subarray(0, n);
  const y = scratch.y.subarray(0, n);
  const z = scratch.z.subarray(0, n);
  if (vectors) {
    unitVectorsFast(raDeg, decDeg, x, y, z, n);
  } else {
    x.fill(NaN);
  }
  return { n, raDeg, decDeg, x, y, z, valid, moving };
}
