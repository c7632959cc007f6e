/**
 * Applies a chunk of decoded alerts to a partition's object state in one synchronous pass, and
 * snapshots each object's row as it stands after its alert (the `obj_*` columns beside the alert).
 * No awaits, no per-alert objects: the hot path of a stage with object state.
 */
import type { RecordBatch } from 'apache-arrow';
import { codesOf, floatsOf, int64sOf, stringsOf } from './arrow-read.js';
import {
  FIELD,
  G_MINUS_R_MAX_DAYS,
  I64_NULL,
  STATE_BANDS,
  STATE_FIELDS,
  TOTAL_MAG_COLUMN,
  bandField,
  bandIndex
} from './schema.js';
import { offsetIn, type ObjectStore } from './store.js';

export interface ApplyOptions {
  /** Window of the rise/decline rate (days). */
  rateWindowDays: number;
  /** Cross-match column prefixes (`xm_<catalog>`), by catalog index. @default [] */
  matchPrefixes?: readonly string[];
}

/** What one chunk did: per-row snapshots (by field) and the slots it touched. */
export interface AppliedChunk {
  /** Per {@link PUBLIC_FIELDS} entry: one value per row (NaN: null; Int64 as BigInt64Array). */
  columns: (Float64Array | BigInt64Array)[];
  /** Slot of each row's object (-1: the alert has no object id). */
  slotOfRow: Int32Array;
  /** Nearest cross-match catalog of each row's object (0: none; k: catalog k - 1). */
  catalogOfRow: Int32Array;
  /** Distinct slots changed, in first-touched order. */
  touched: number[];
}

/** The public state fields with their field index, in column order. */
export const PUBLIC_FIELDS = STATE_FIELDS.map((f, i) => ({ ...f, i })).filter(f => f.public);
const PUBLIC = PUBLIC_FIELDS;
const BANDS = STATE_BANDS.length;
const F = {
  nAlerts: FIELD.nAlerts,
  firstMjd: FIELD.firstMjd,
  lastMjd: FIELD.lastMjd,
  lastAlertId: FIELD.lastAlertId,
  gMinusR: FIELD.gMinusR,
  gMinusRDt: FIELD.gMinusRDtDays,
  xmCatalog: FIELD.xmCatalog,
  xmSep: FIELD.xmSepArcsec,
  xmCount: FIELD.xmCount
};
const B = (name: string): Int32Array =>
  Int32Array.from({ length: BANDS }, (_, b) => bandField(name, b));
const FB = {
  ndet: B('ndet'),
  mag: B('mag'),
  mjd: B('mjd'),
  peakMag: B('peakMag'),
  peakMjd: B('peakMjd'),
  rate: B('rate'),
  totalMag: B('totalMag'),
  anchorMag: B('anchorMag'),
  anchorAge: B('anchorAge')
};
const BAND_BY_CODE = new Int8Array(128).fill(-1);
STATE_BANDS.forEach((b, i) => (BAND_BY_CODE[b.charCodeAt(0)] = i));
const G = bandIndex('g');
const R = bandIndex('r');

/** min/max that treat NaN as "none yet". */
const minOf = (a: number, b: number): number => (Number.isNaN(a) || b < a ? b : a);
const maxOf = (a: number, b: number): number => (Number.isNaN(a) || b > a ? b : a);

/** Updates the detection fields of band `b` with a detection (mjd, mag). */
function detect(
  page: Float64Array[],
  o: number,
  b: number,
  mjd: number,
  mag: number,
  windowDays: number
): void {
  page[FB.ndet[b]][o] += 1;
  const lastMjd = page[FB.mjd[b]][o];
  if (Number.isNaN(lastMjd) || mjd >= lastMjd) {
    // the window anchor: the earliest kept detection within [mjd - window, mjd)
    const from = mjd - windowDays;
    let anchorMjd = lastMjd - page[FB.anchorAge[b]][o]; // NaN without an anchor
    let anchorMag = page[FB.anchorMag[b]][o];
    if (Number.isNaN(anchorMjd) || anchorMjd < from || anchorMjd >= mjd) {
      const ok = !Number.isNaN(lastMjd) && lastMjd >= from && lastMjd < mjd;
      anchorMjd = ok ? lastMjd : NaN;
      anchorMag = ok ? page[FB.mag[b]][o] : NaN;
      page[FB.anchorMag[b]][o] = anchorMag;
    }
    page[FB.anchorAge[b]][o] = mjd - anchorMjd;
    page[FB.rate[b]][o] = Number.isNaN(anchorMjd) ? NaN : (mag - anchorMag) / (mjd - anchorMjd);
    page[FB.mag[b]][o] = mag;
    page[FB.mjd[b]][o] = mjd;
  }
  const peak = page[FB.peakMag[b]][o];
  if (Number.isNaN(peak) || mag < peak) {
    page[FB.peakMag[b]][o] = mag;
    page[FB.peakMjd[b]][o] = mjd;
  }
  if (b === G || b === R) {
    const gMjd = page[FB.mjd[G]][o];
    const rMjd = page[FB.mjd[R]][o];
    const dt = Math.abs(gMjd - rMjd);
    if (dt <= G_MINUS_R_MAX_DAYS) {
      page[F.gMinusR][o] = page[FB.mag[G]][o] - page[FB.mag[R]][o];
      page[F.gMinusRDt][o] = dt;
    }
  }
}

/**
 * Applies the batch's alerts (in row order) to `store`. Rows without an object id are skipped
 * (their snapshot is null). Reads `objectId`, `alertId`, `mjd`, `band`, `mag`,
 * `daysSinceFirstDetection`, `totalMag` and the `xm_<catalog>_count`/`_sepArcsec` columns.
 */
export function applyChunk(
  store: ObjectStore,
  batch: RecordBatch,
  options: ApplyOptions
): AppliedChunk {
  const n = batch.numRows;
  const ids = stringsOf(batch, 'objectId');
  const bands = codesOf(batch, 'band', BAND_BY_CODE);
  const alertIds = int64sOf(batch, 'alertId', I64_NULL);
  const mjds = floatsOf(batch, 'mjd');
  const mags = floatsOf(batch, 'mag');
  const since = floatsOf(batch, 'daysSinceFirstDetection');
  const total = floatsOf(batch, TOTAL_MAG_COLUMN);
  const prefixes = options.matchPrefixes ?? [];
  const xmCounts = prefixes.map(p => floatsOf(batch, `${p}_count`));
  const xmSeps = prefixes.map(p => floatsOf(batch, `${p}_sepArcsec`));
  const columns = PUBLIC.map(f =>
    f.kind === 'i64' ? new BigInt64Array(n).fill(I64_NULL) : new Float64Array(n).fill(NaN)
  );
  const floatAt = PUBLIC.map((f, k) => (f.kind === 'i64' ? -1 : k)).filter(k => k >= 0);
  const floatCols = floatAt.map(k => columns[k] as Float64Array);
  const floatField = floatAt.map(k => PUBLIC[k].i);
  const idCols = PUBLIC.map((f, k) => (f.kind === 'i64' ? k : -1)).filter(k => k >= 0);
  const slotOfRow = new Int32Array(n).fill(-1);
  const catalogOfRow = new Int32Array(n);
  const touched: number[] = [];
  const seen = new Uint8Array(store.size + n); // slots touched in this chunk
  for (let r = 0; r < n; r++) {
    const id = ids[r];
    if (id === null || id === '') {
      continue;
    }
    const slot = store.slotOf(id);
    slotOfRow[r] = slot;
    if (seen[slot] === 0) {
      seen[slot] = 1;
      touched.push(slot);
    }
    const page = store.page(slot) as Float64Array[];
    const o = offsetIn(slot);
    page[F.nAlerts][o] += 1;
    if (alertIds[r] !== I64_NULL) {
      (page[F.lastAlertId] as unknown as BigInt64Array)[o] = alertIds[r];
    }
    const mjd = mjds[r];
    const mag = mags[r];
    const b = bands[r];
    if (!Number.isNaN(mjd) && !Number.isNaN(mag)) {
      const first = Number.isNaN(since[r]) ? mjd : mjd - since[r];
      page[F.firstMjd][o] = minOf(page[F.firstMjd][o], first);
      page[F.lastMjd][o] = maxOf(page[F.lastMjd][o], mjd);
      if (b >= 0) {
        detect(page, o, b, mjd, mag, options.rateWindowDays);
      }
    }
    if (b >= 0 && !Number.isNaN(total[r])) {
      page[FB.totalMag[b]][o] = total[r];
    }
    if (prefixes.length > 0) {
      let count = 0;
      for (let k = 0; k < prefixes.length; k++) {
        const c = xmCounts[k][r];
        count += Number.isNaN(c) ? 0 : c;
        const sep = xmSeps[k][r];
        const best = page[F.xmSep][o];
        if (!Number.isNaN(sep) && (Number.isNaN(best) || sep < best)) {
          page[F.xmSep][o] = sep;
          page[F.xmCatalog][o] = k + 1;
        }
      }
      page[F.xmCount][o] = count;
      catalogOfRow[r] = page[F.xmCatalog][o];
    }
    for (let k = 0; k < floatCols.length; k++) {
      floatCols[k][r] = page[floatField[k]][o];
    }
    for (const k of idCols) {
      (columns[k] as BigInt64Array)[r] = (page[PUBLIC[k].i] as unknown as BigInt64Array)[o];
    }
  }
  return { columns, slotOfRow, catalogOfRow, touched };
}
