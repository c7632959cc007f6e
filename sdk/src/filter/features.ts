import {
  Field,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  makeData,
  type Data
} from 'apache-arrow';

/** Bands in the order used for `latestMag_<band>`. */
export const FEATURE_BANDS = ['u', 'g', 'r', 'i', 'z', 'y'] as const;

/**
 * Lightcurve feature columns added to every batch before a filter runs. Detections are lightcurve
 * entries with `isDetection` true and a finite `mag`; the lightcurve includes the current detection.
 * - `ndet` Int32: number of detections so far.
 * - `latestMag_<band>` Float64 for u g r i z y: magnitude of the latest detection in that band.
 * - `latestTotalMag_<band>` Float64 for u g r i z y: its total-flux magnitude (lightcurve
 *   `totalMag`: ZTF's DC magnitude, Rubin's from scienceFlux), null where it has none.
 * - `riseRate` Float64, mag/day: from the latest two detections in the band of the latest detection,
 *   `(magPrevious − magLatest) / (mjdLatest − mjdPrevious)`: positive when the source brightens.
 * - `declineRate` Float64, mag/day: `−riseRate`, positive when the source fades. Both null with fewer
 *   than two detections in that band or equal epochs.
 * - `daysSinceFirstDetection` Float64: latest minus first detection MJD (0 for a single detection).
 * - `gMinusR` Float64: latest g minus latest r when their epochs are within {@link G_MINUS_R_MAX_DAYS}.
 */
export const LIGHTCURVE_FEATURES = [
  'ndet',
  ...FEATURE_BANDS.map(b => `latestMag_${b}`),
  ...FEATURE_BANDS.map(b => `latestTotalMag_${b}`),
  'riseRate',
  'declineRate',
  'daysSinceFirstDetection',
  'gMinusR'
] as const;

const FEATURE_NAMES = new Set<string>(LIGHTCURVE_FEATURES.map(f => f.toLowerCase()));

/** Whether `name` is one of the {@link LIGHTCURVE_FEATURES}, case-insensitively (as SQL resolves it). */
export function isFeatureName(name: string): boolean {
  return FEATURE_NAMES.has(name.toLowerCase());
}

/** Largest epoch difference (days) between the g and r detections used for `gMinusR`. */
export const G_MINUS_R_MAX_DAYS = 1;

const BAND_BY_BYTE = new Int8Array(128).fill(-1);
FEATURE_BANDS.forEach((b, i) => (BAND_BY_BYTE[b.charCodeAt(0)] = i));

function bit(bits: Uint8Array | undefined, index: number): boolean {
  return bits === undefined || bits.length === 0 || (bits[index >> 3] & (1 << (index & 7))) !== 0;
}

/** A nullable Float64 output column under construction. */
class FloatColumn {
  readonly values: Float64Array;
  readonly valid: Uint8Array;
  nullCount = 0;
  constructor(n: number) {
    this.values = new Float64Array(n);
    this.valid = new Uint8Array(Math.ceil(n / 64) * 8);
  }
  set(row: number, value: number): void {
    this.values[row] = value;
    this.valid[row >> 3] |= 1 << (row & 7);
  }
  setNull(row: number): void {
    this.values[row] = NaN;
    this.nullCount++;
  }
  data(): Data {
    const n = this.values.length;
    return makeData({
      type: new Float64(),
      length: n,
      nullCount: this.nullCount,
      nullBitmap: this.nullCount ? this.valid : undefined,
      data: this.values
    });
  }
}

function childByName(struct: Data, name: string): Data | undefined {
  const fields = (struct.type as Struct).children;
  const i = fields.findIndex(f => f.name === name);
  return i < 0 ? undefined : struct.children[i];
}

/**
 * Returns the batch with the {@link LIGHTCURVE_FEATURES} columns appended, computed in one pass over
 * the `lightcurve` List<Struct> buffers (no per-row objects). A batch without `lightcurve`, or that
 * already has the feature columns, comes back unchanged.
 */
export function withLightcurveFeatures(batch: RecordBatch): RecordBatch {
  const lcIndex = batch.schema.fields.findIndex(f => f.name === 'lightcurve');
  if (lcIndex < 0 || batch.schema.fields.some(f => f.name === 'ndet')) {
    return batch;
  }
  const features = computeFeatures(batch.data.children[lcIndex], batch.numRows);
  const fields = [
    ...batch.schema.fields,
    ...features.map(([name, data]) => new Field(name, data.type, name !== 'ndet'))
  ];
  const children = [...batch.data.children, ...features.map(([, data]) => data)];
  const struct = makeData({
    type: new Struct(fields),
    length: batch.numRows,
    nullCount: 0,
    children
  });
  return new RecordBatch(new Schema(fields, batch.schema.metadata), struct);
}

function computeFeatures(list: Data, n: number): Array<[string, Data]> {
  const offsets = list.valueOffsets as Int32Array;
  const entries = list.children[0];
  const get = (name: string): Data => {
    const child = childByName(entries, name);
    if (child === undefined) {
      throw new Error(`lightcurve struct has no "${name}" field`);
    }
    return child;
  };
  const mjdD = get('mjd');
  const magD = get('mag');
  const bandD = get('band');
  const detD = childByName(entries, 'isDetection');
  const totalD = childByName(entries, 'totalMag');
  const total = totalD?.values as Float64Array | undefined;
  const mjd = mjdD.values as Float64Array;
  const mag = magD.values as Float64Array;
  const bandOffsets = bandD.valueOffsets as Int32Array;
  const bandBytes = bandD.values as Uint8Array;
  const det = detD?.values as Uint8Array | undefined;

  const ndet = new Int32Array(n);
  const latest = FEATURE_BANDS.map(() => new FloatColumn(n));
  const latestTotal = FEATURE_BANDS.map(() => new FloatColumn(n));
  const tTotal = new Float64Array(6);
  const rise = new FloatColumn(n);
  const decline = new FloatColumn(n);
  const since = new FloatColumn(n);
  const gr = new FloatColumn(n);
  const tLast = new Float64Array(6);
  const mLast = new Float64Array(6);
  const tPrev = new Float64Array(6);
  const mPrev = new Float64Array(6);

  for (let row = 0; row < n; row++) {
    tLast.fill(-Infinity);
    tPrev.fill(-Infinity);
    let count = 0;
    let first = Infinity;
    let last = -Infinity;
    let lastBand = -1;
    const listValid = bit(list.nullBitmap, list.offset + row);
    const from = listValid ? offsets[row] : 0;
    const to = listValid ? offsets[row + 1] : 0;
    for (let e = from; e < to; e++) {
      if (
        detD !== undefined &&
        !(bit(detD.nullBitmap, detD.offset + e) && bit(det, detD.offset + e))
      ) {
        continue;
      }
      const m = mag[e];
      const t = mjd[e];
      if (
        !bit(magD.nullBitmap, magD.offset + e) ||
        !Number.isFinite(m) ||
        !bit(mjdD.nullBitmap, mjdD.offset + e)
      ) {
        continue;
      }
      const bandByte = bandOffsets[e + 1] > bandOffsets[e] ? bandBytes[bandOffsets[e]] : 0;
      const b =
        bit(bandD.nullBitmap, bandD.offset + e) && bandByte < 128 ? BAND_BY_BYTE[bandByte] : -1;
      count++;
      first = Math.min(first, t);
      if (t >= last) {
        last = t;
        lastBand = b;
      }
      if (b >= 0) {
        if (t >= tLast[b]) {
          tPrev[b] = tLast[b];
          mPrev[b] = mLast[b];
          tLast[b] = t;
          mLast[b] = m;
          tTotal[b] =
            totalD !== undefined && total !== undefined && bit(totalD.nullBitmap, totalD.offset + e)
              ? total[e]
              : NaN;
        } else if (t > tPrev[b]) {
          tPrev[b] = t;
          mPrev[b] = m;
        }
      }
    }
    ndet[row] = count;
    for (let b = 0; b < 6; b++) {
      if (tLast[b] > -Infinity) {
        latest[b].set(row, mLast[b]);
      } else {
        latest[b].setNull(row);
      }
      if (tLast[b] > -Infinity && Number.isFinite(tTotal[b])) {
        latestTotal[b].set(row, tTotal[b]);
      } else {
        latestTotal[b].setNull(row);
      }
    }
    const dt = lastBand >= 0 ? tLast[lastBand] - tPrev[lastBand] : NaN;
    if (dt > 0 && Number.isFinite(dt)) {
      const rate = (mPrev[lastBand] - mLast[lastBand]) / dt;
      rise.set(row, rate);
      decline.set(row, -rate);
    } else {
      rise.setNull(row);
      decline.setNull(row);
    }
    if (count > 0) {
      since.set(row, last - first);
    } else {
      since.setNull(row);
    }
    const g = 1;
    const r = 2;
    if (
      tLast[g] > -Infinity &&
      tLast[r] > -Infinity &&
      Math.abs(tLast[g] - tLast[r]) <= G_MINUS_R_MAX_DAYS
    ) {
      gr.set(row, mLast[g] - mLast[r]);
    } else {
      gr.setNull(row);
    }
  }
  return [
    ['ndet', makeData({ type: new Int32(), length: n, nullCount: 0, data: ndet })],
    ...FEATURE_BANDS.map((b, i): [string, Data] => [`latestMag_${b}`, latest[i].data()]),
    ...FEATURE_BANDS.map((b, i): [string, Data] => [`latestTotalMag_${b}`, latestTotal[i].data()]),
    ['riseRate', rise.data()],
    ['declineRate', decline.data()],
    ['daysSinceFirstDetection', since.data()],
    ['gMinusR', gr.data()]
  ];
}
