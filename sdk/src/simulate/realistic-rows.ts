/**
 * History rows for the realistic mode: pools of prvDiaSource and prvDiaForcedSource records
 * encoded once (null patterns and varint widths varying from row to row, as in the real packets),
 * each with the byte offsets of the fields an alert rewrites (ids, visit, time, position, fluxes).
 * An alert's history is these templates copied and patched in place: same layout variety as real
 * rows, distinct values in every row, no per-row schema walk.
 *
 * Patchable fields keep a fixed encoded width: ids are kept in [2^55, 2^62) (a 9-byte zig-zag
 * varint; Rubin's ids are ~1.7·10^17 ≈ 2^57), visits in [2^40, 2^41) (6 bytes; Rubin's
 * YYYYMMDD·10^5 + seq for 2025–2199), doubles and floats are fixed-width anyway.
 */
import { SimulationError } from '../errors.js';
import { ByteWriter } from './avro/bytes.js';
import type { DatumWriter } from './avro/compile.js';
import type { Rng } from './rng.js';
import type { RubinAlert } from './rubin-encoder.js';

export const BANDS6 = ['u', 'g', 'r', 'i', 'z', 'y'] as const;

/** Byte offsets (within one encoded row) of the fields an alert rewrites; -1 when absent. */
export interface RowOffsets {
  id: number;
  objectId: number;
  visit: number;
  mjd: number;
  processedMjd: number;
  ra: number;
  dec: number;
  psfFlux: number;
  scienceFlux: number;
}

export interface RowPool {
  rows: Uint8Array[];
  offsets: RowOffsets[];
}

const TWO_32 = 4294967296;

/** Splits a non-negative integer below 2^62 given as bigint into 32-bit halves. */
export function splitId(id: bigint): { hi: number; lo: number } {
  return { hi: Number(id >> 32n), lo: Number(id & 0xffffffffn) };
}

/**
 * Writes the zig-zag varint of the non-negative integer hi·2^32 + lo in exactly `width` bytes
 * (the caller keeps the value in the range that has that width).
 */
export function writeVarintFixed(
  buf: Uint8Array,
  pos: number,
  hi: number,
  lo: number,
  width: number
): void {
  // zig-zag of a non-negative n is 2n
  let h = ((hi << 1) | (lo >>> 31)) >>> 0;
  let l = (lo << 1) >>> 0;
  for (let i = 0; i < width; i++) {
    const b = l & 0x7f;
    l = ((l >>> 7) | ((h & 0x7f) << 25)) >>> 0;
    h = h >>> 7;
    buf[pos + i] = i < width - 1 ? b | 0x80 : b;
  }
}

function find(row: Uint8Array, pattern: Uint8Array, what: string): number {
  const hay = Buffer.from(row.buffer, row.byteOffset, row.byteLength);
  const at = hay.indexOf(pattern);
  if (at < 0 || hay.indexOf(pattern, at + 1) >= 0) {
    throw new SimulationError(`Realistic rows: sentinel of ${what} not found once in its row.`, {
      context: { what }
    });
  }
  return at;
}

function doubleBytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
}

function floatBytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return b;
}

function varintBytes(hi: number, lo: number, width: number): Uint8Array {
  const b = new Uint8Array(width);
  writeVarintFixed(b, 0, hi, lo, width);
  return b;
}

/** A sentinel id in the 9-byte range, distinct per call. */
function sentinelId(rng: Rng): { hi: number; lo: number; id: bigint } {
  const hi = 0x01000000 + rng.int(0x3e000000);
  const lo = rng.uint32();
  return { hi, lo, id: BigInt(hi) * BigInt(TWO_32) + BigInt(lo) };
}

/** A sentinel visit in the 6-byte range. */
function sentinelVisit(rng: Rng): { v: number } {
  return { v: 2 ** 40 + 1 + rng.int(2 ** 30) * 1024 + rng.int(1024) };
}

const maybe = (rng: Rng, p: number, v: () => unknown): unknown => (rng.next() < p ? v() : null);

/** A full diaSource record with the null pattern of the real packets (dipole fields sometimes set). */
export function syntheticDiaSource(rng: Rng): RubinAlert {
  const snr = rng.logUniform(5, 300);
  const err = rng.logUniform(40, 2000);
  const flux = snr * err * (rng.next() < 0.4 ? -1 : 1);
  const dipole = rng.next() < 0.15;
  const trail = rng.next() < 0.9;
  const bbox = 15 + rng.int(40);
  const f = (lo: number, hi: number) => Math.fround(rng.uniform(lo, hi));
  const rec: RubinAlert = {
    diaSourceId: 0n,
    visit: 0n,
    detector: rng.int(189),
    diaObjectId: 0n,
    ssObjectId: null,
    parentDiaSourceId: rng.next() < 0.8 ? 0n : BigInt(rng.uint32()) * 64n,
    midpointMjdTai: 0,
    ra: 0,
    raErr: f(2e-6, 3e-5),
    dec: 0,
    decErr: f(2e-6, 3e-5),
    ra_dec_Cov: f(-1e-11, 1e-11),
    x: f(0, 4072),
    xErr: f(0.02, 0.6),
    y: f(0, 4000),
    yErr: f(0.02, 0.6),
    centroid_flag: rng.next() < 0.05,
    apFlux: flux * (1 + 0.05 * rng.normal()),
    apFluxErr: err * 1.6,
    apFlux_flag: false,
    apFlux_flag_apertureTruncated: rng.next() < 0.02,
    isNegative: flux < 0,
    snr,
    psfFlux: 0,
    psfFluxErr: err,
    psfLnL: null,
    psfChi2: f(100, 5000),
    psfNdata: bbox * bbox,
    psfFlux_flag: false,
    psfFlux_flag_edge: rng.next() < 0.03,
    psfFlux_flag_noGoodPixels: false,
    trailFlux: maybe(rng, trail ? 1 : 0, () => flux * 1.04),
    trailFluxErr: maybe(rng, trail ? 1 : 0, () => f(5, 50)),
    trailRa: maybe(rng, trail ? 1 : 0, () => rng.uniform(0, 360)),
    trailRaErr: null,
    trailDec: maybe(rng, trail ? 1 : 0, () => rng.uniform(-70, 15)),
    trailDecErr: null,
    trailLength: maybe(rng, trail ? 1 : 0, () => f(0, 3)),
    trailLengthErr: null,
    trailAngle: maybe(rng, trail ? 1 : 0, () => f(-90, 90)),
    trailAngleErr: null,
    trailChi2: null,
    trailNdata: rng.int(3000),
    trail_flag_edge: false,
    scienceFlux: 0,
    scienceFluxErr: err * 1.02,
    forced_PsfFlux_flag: false,
    forced_PsfFlux_flag_edge: false,
    forced_PsfFlux_flag_noGoodPixels: false,
    templateFlux: f(0, 3e5),
    templateFluxErr: f(5, 100),
    ixx: f(0.1, 0.5),
    iyy: f(0.1, 0.5),
    ixy: f(-0.1, 0.1),
    ixxPSF: f(0.2, 0.3),
    iyyPSF: f(0.2, 0.3),
    ixyPSF: f(-0.01, 0.01),
    shape_flag: rng.next() < 0.05,
    shape_flag_no_pixels: false,
    shape_flag_not_contained: false,
    shape_flag_parent_source: false,
    extendedness: f(0, 1),
    reliability: f(0, 1),
    band: BANDS6[rng.int(6)],
    isDipole: dipole,
    dipoleFitAttempted: dipole || rng.next() < 0.5,
    timeProcessedMjdTai: 0,
    timeWithdrawnMjdTai: null,
    bboxSize: bbox,
    dipoleNdata: dipole ? rng.int(2000) : 0
  };
  if (dipole) {
    for (const k of ['MeanFlux', 'MeanFluxErr', 'FluxDiff', 'FluxDiffErr', 'Length', 'Angle']) {
      rec[`dipole${k}`] = f(-1000, 1000);
    }
    rec.dipoleChi2 = f(0, 5000);
  }
  const flagNames = [
    'bad',
    'cr',
    'crCenter',
    'edge',
    'nodata',
    'nodataCenter',
    'interpolated',
    'interpolatedCenter',
    'offimage',
    'saturated',
    'saturatedCenter',
    'suspect',
    'suspectCenter',
    'streak',
    'streakCenter',
    'injected',
    'injectedCenter',
    'injected_template',
    'injected_templateCenter'
  ];
  rec.pixelFlags = rng.next() < 0.1;
  for (const n of flagNames) {
    rec[`pixelFlags_${n}`] = rng.next() < 0.03;
  }
  rec.glint_trail = false;
  return rec;
}

/** A diaForcedSource record (every field set but timeWithdrawnMjdTai, as in the real packets). */
export function syntheticForcedSource(rng: Rng): RubinAlert {
  const err = rng.logUniform(40, 2000);
  return {
    diaForcedSourceId: 0n,
    diaObjectId: 0n,
    ra: 0,
    dec: 0,
    visit: 0n,
    detector: rng.int(189),
    psfFlux: 0,
    psfFluxErr: err,
    midpointMjdTai: 0,
    scienceFlux: 0,
    scienceFluxErr: err * 1.02,
    band: BANDS6[rng.int(6)],
    timeProcessedMjdTai: 0,
    timeWithdrawnMjdTai: null
  };
}

/**
 * Encodes `count` rows made by `make` with sentinel values in the patchable fields and finds
 * where they landed. `idField` names the row's own id (diaSourceId or diaForcedSourceId).
 */
export function buildRowPool(
  rng: Rng,
  write: DatumWriter,
  make: (rng: Rng) => RubinAlert,
  idField: string,
  count: number
): RowPool {
  const w = new ByteWriter(4096);
  const rows: Uint8Array[] = [];
  const offsets: RowOffsets[] = [];
  while (rows.length < count) {
    const rec = make(rng);
    const id = sentinelId(rng);
    const obj = sentinelId(rng);
    const visit = sentinelVisit(rng);
    const mjd = rng.uniform(60000, 62000);
    const processed = mjd + 0.01 + rng.next() * 1e-3;
    const ra = rng.uniform(0, 360);
    const dec = rng.uniform(-89, 89);
    const psf = Math.fround(rng.uniform(-1e5, 1e5));
    const sci = Math.fround(rng.uniform(1e5, 9e5));
    Object.assign(rec, {
      [idField]: id.id,
      diaObjectId: obj.id,
      visit: BigInt(visit.v),
      midpointMjdTai: mjd,
      timeProcessedMjdTai: processed,
      ra,
      dec,
      psfFlux: psf,
      scienceFlux: sci
    });
    w.pos = 0;
    write(w, rec);
    const row = w.toBytes();
    const vis = Math.floor(visit.v / TWO_32);
    try {
      offsets.push({
        id: find(row, varintBytes(id.hi, id.lo, 9), idField),
        objectId: find(row, varintBytes(obj.hi, obj.lo, 9), 'diaObjectId'),
        visit: find(row, varintBytes(vis, visit.v - vis * TWO_32, 6), 'visit'),
        mjd: find(row, doubleBytes(mjd), 'midpointMjdTai'),
        processedMjd: find(row, doubleBytes(processed), 'timeProcessedMjdTai'),
        ra: find(row, doubleBytes(ra), 'ra'),
        dec: find(row, doubleBytes(dec), 'dec'),
        psfFlux: find(row, floatBytes(psf), 'psfFlux'),
        scienceFlux: find(row, floatBytes(sci), 'scienceFlux')
      });
      rows.push(row);
    } catch {
      // an ambiguous sentinel (vanishingly rare): draw the row again
    }
  }
  return { rows, offsets };
}
