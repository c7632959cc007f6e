/**
 * The `lightcurve` column: List<Struct<mjd, band, flux, fluxErr, mag, magErr, isDetection,
 * upperLimitMag, forced>>, one list per alert (history + current detection).
 *
 * Lightcurves are most of a decoded batch's memory (hundreds of points per Rubin alert), so each
 * point is written once, straight into plain Float64Arrays (NaN for null) and the boolean and band
 * validity bitmaps; only null counts are kept per point. Validity bitmaps of the numeric fields
 * are built at `finish()`, in one pass, for the fields that have nulls. Rubin history arrives
 * whole per array (`pushRaw`: ranges copied, magnitudes derived in one loop); the current point
 * (`pushFromSlots`) takes slot indices, not numbers, so no double is boxed.
 * `finish()` hands the buffers over as they are; the next batch starts at the capacity the last
 * one needed.
 */
import { Bool, Field, Float64, List, Struct, Utf8, makeData, type Data } from 'apache-arrow';
import type { Slots } from '../avro/slots.js';
import {
  LN_TO_MAG,
  MAG_ERR_FACTOR,
  NJY_AB_ZERO_POINT,
  abMagFromNjy,
  magErrFromFlux
} from '../schema.js';
import { PointArrays, capacity, nanCount, validity } from './point-arrays.js';
import { NULL_BAND, type RawF64, type RawPoints } from './raw-points.js';

export class LightcurveColumn {
  private a = new PointArrays(256);
  private bandBytes = new Uint8Array(256);
  private offsets = new Int32Array(65);
  /** Nulls so far per numeric field, and band nulls. */
  private nMjd = 0;
  private nFlux = 0;
  private nFluxErr = 0;
  private nMag = 0;
  private nMagErr = 0;
  private nLimit = 0;
  /** Points [0, limitFilled) have their upperLimitMag written; later ones are null (NaN) lazily. */
  private limitFilled = 0;
  private nBand = 0;
  /** Closed rows (alerts). */
  length = 0;
  /** Points so far. */
  points = 0;

  /**
   * Appends one point to the open row. Numeric NaN → null. With `magFromFlux`, `mag`/`magErr`
   * are ignored and derived from the flux in nJy (see abMagFromNjy). The band is `bandLen` bytes
   * of `band` from `bandStart`, or null when `band` is null.
   */
  push(
    mjd: number,
    flux: number,
    fluxErr: number,
    mag: number,
    magErr: number,
    magFromFlux: boolean,
    isDetection: boolean,
    upperLimitMag: number,
    forced: boolean,
    band: Uint8Array | null,
    bandStart: number,
    bandLen: number
  ): void {
    const i = this.open();
    if (magFromFlux) {
      mag = abMagFromNjy(flux);
      magErr = magErrFromFlux(flux, fluxErr);
    }
    this.values(i, mjd, flux, fluxErr, mag, magErr, upperLimitMag);
    this.flags(i, isDetection, forced);
    this.band(i, band, bandStart, bandLen);
  }

  /**
   * Appends a flux point read from decoder slots (indices into `s`): mjd, psfFlux and psfFluxErr
   * in nJy, magnitudes derived from the flux, a detection unless `forced`, no upper limit, and the
   * band as the string slot's bytes in `buf`.
   */
  pushFromSlots(
    s: Slots,
    mjd: number,
    flux: number,
    fluxErr: number,
    band: number,
    forced: boolean,
    buf: Uint8Array
  ): void {
    const i = this.open();
    const sn = s.isNull;
    const sf = s.num;
    const f = sn[flux] === 0 ? sf[flux] : NaN;
    const fe = sn[fluxErr] === 0 ? sf[fluxErr] : NaN;
    this.values(
      i,
      sn[mjd] === 0 ? sf[mjd] : NaN,
      f,
      fe,
      abMagFromNjy(f),
      magErrFromFlux(f, fe),
      NaN
    );
    this.flags(i, !forced, forced);
    this.band(i, sn[band] === 0 ? buf : null, s.start[band], s.len[band]);
  }

  /**
   * Appends every raw point of one lightcurve array at once (Rubin prvDiaSources /
   * prvDiaForcedSources as the reader wrote them): flux in nJy, magnitudes derived here in one
   * loop, a detection unless `forced`, no upper limit. A field the array does not have is null.
   */
  pushRaw(raw: RawPoints, forced: boolean): void {
    const m = raw.length;
    if (m === 0) {
      return;
    }
    const i0 = this.points;
    while (i0 + m > this.a.cap) {
      this.a = this.a.grown();
    }
    const a = this.a;
    const end = i0 + m;
    // Copies first, then one tight loop for the magnitudes (a fused loop measured 2× slower).
    this.nMjd += copyPoints(a.mjd, raw.mjd, m, i0);
    this.nFlux += copyPoints(a.flux, raw.flux, m, i0);
    this.nFluxErr += copyPoints(a.fluxErr, raw.fluxErr, m, i0);
    const flux = a.flux;
    const fluxErr = a.fluxErr;
    const mag = a.mag;
    const magErr = a.magErr;
    // abMagFromNjy / magErrFromFlux, written out: V8 does not inline them in this loop
    // (constants in locals: module bindings are re-read with a hole check on every iteration)
    const zp = NJY_AB_ZERO_POINT;
    const lnToMag = LN_TO_MAG;
    const errFactor = MAG_ERR_FACTOR;
    for (let i = i0; i < end; i++) {
      const f = flux[i];
      mag[i] = f > 0 ? zp - lnToMag * Math.log(f) : NaN;
      magErr[i] = f > 0 ? (errFactor * fluxErr[i]) / f : NaN;
    }
    this.nMag += nanCount(mag, i0, end);
    this.nMagErr += nanCount(magErr, i0, end);
    this.nLimit += m; // no upper limits: left unwritten (see limitFilled)
    setBits(forced ? a.forced : a.isDetection, i0, end);
    this.bandsFrom(raw, i0, m);
    this.points = end;
  }

  private bandsFrom(raw: RawPoints, i0: number, m: number): void {
    const a = this.a;
    const codes = raw.band.codes;
    const have = raw.band.n === m;
    const dict = raw.band.dict.bytes;
    let at = a.bandOffsets[i0];
    let longest = 1;
    for (const d of dict) {
      longest = Math.max(longest, d.length);
    }
    if (at + m * longest > this.bandBytes.length) {
      const next = new Uint8Array(Math.max(this.bandBytes.length * 2, at + m * longest));
      next.set(this.bandBytes);
      this.bandBytes = next;
    }
    const bytes = this.bandBytes;
    const offsets = a.bandOffsets;
    const valid = a.bandValid;
    if (longest === 1 && have) {
      // every band name is one byte (u g r i z y): a table lookup per point
      const byteOf = raw.band.dict.byteOf;
      let nulls = 0;
      for (let k = 0, i = i0; k < m; k++, i++) {
        const code = codes[k];
        if (code === NULL_BAND) {
          nulls++;
        } else {
          bytes[at++] = byteOf[code];
          valid[i >> 3] |= 1 << (i & 7);
        }
        offsets[i + 1] = at;
      }
      this.nBand += nulls;
      return;
    }
    for (let k = 0; k < m; k++) {
      const i = i0 + k;
      const code = have ? codes[k] : NULL_BAND;
      if (code === NULL_BAND) {
        this.nBand++;
      } else {
        const d = dict[code];
        bytes.set(d, at);
        at += d.length;
        valid[i >> 3] |= 1 << (i & 7);
      }
      offsets[i + 1] = at;
    }
  }

  /** Index of the next point, growing the buffers when full. */
  private open(): number {
    const i = this.points;
    if (i >= this.a.cap) {
      this.a = this.a.grown();
    }
    this.points = i + 1;
    return i;
  }

  private values(
    i: number,
    mjd: number,
    flux: number,
    fluxErr: number,
    mag: number,
    magErr: number,
    limit: number
  ): void {
    const a = this.a;
    a.mjd[i] = mjd;
    a.flux[i] = flux;
    a.fluxErr[i] = fluxErr;
    a.mag[i] = mag;
    a.magErr[i] = magErr;
    if (this.limitFilled < i) {
      a.upperLimitMag.fill(NaN, this.limitFilled, i);
    }
    a.upperLimitMag[i] = limit;
    this.limitFilled = i + 1;
    this.nMjd += mjd !== mjd ? 1 : 0;
    this.nFlux += flux !== flux ? 1 : 0;
    this.nFluxErr += fluxErr !== fluxErr ? 1 : 0;
    this.nMag += mag !== mag ? 1 : 0;
    this.nMagErr += magErr !== magErr ? 1 : 0;
    this.nLimit += limit !== limit ? 1 : 0;
  }

  private flags(i: number, isDetection: boolean, forced: boolean): void {
    const bit = 1 << (i & 7);
    if (isDetection) {
      this.a.isDetection[i >> 3] |= bit;
    }
    if (forced) {
      this.a.forced[i >> 3] |= bit;
    }
  }

  private band(i: number, band: Uint8Array | null, start: number, len: number): void {
    const a = this.a;
    const at = a.bandOffsets[i];
    if (band === null) {
      this.nBand++;
      a.bandOffsets[i + 1] = at;
      return;
    }
    let bytes = this.bandBytes;
    if (at + len > bytes.length) {
      bytes = new Uint8Array(Math.max(bytes.length * 2, at + len));
      bytes.set(this.bandBytes);
      this.bandBytes = bytes;
    }
    for (let k = 0; k < len; k++) {
      bytes[at + k] = band[start + k];
    }
    a.bandValid[i >> 3] |= 1 << (i & 7);
    a.bandOffsets[i + 1] = at + len;
  }

  /** Ends the current alert's list. */
  closeRow(): void {
    if (this.length + 2 > this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.offsets[++this.length] = this.points;
  }

  /** Undoes everything after `rows` closed rows (a rejected alert). */
  truncate(rows: number): void {
    this.length = Math.min(this.length, rows);
    const keep = this.offsets[this.length];
    const a = this.a;
    const end = this.points;
    this.nMjd -= nanCount(a.mjd, keep, end);
    this.nFlux -= nanCount(a.flux, keep, end);
    this.nFluxErr -= nanCount(a.fluxErr, keep, end);
    this.nMag -= nanCount(a.mag, keep, end);
    this.nMagErr -= nanCount(a.magErr, keep, end);
    const filled = Math.min(end, this.limitFilled);
    this.nLimit -= nanCount(a.upperLimitMag, keep, filled) + (end - Math.max(keep, filled));
    this.limitFilled = Math.min(this.limitFilled, keep);
    for (let i = keep; i < end; i++) {
      const mask = ~(1 << (i & 7));
      if ((a.bandValid[i >> 3] & ~mask) === 0) {
        this.nBand--;
      }
      a.isDetection[i >> 3] &= mask;
      a.forced[i >> 3] &= mask;
      a.bandValid[i >> 3] &= mask;
    }
    this.points = keep;
  }

  /** The Arrow type of this column. */
  static type(): List<Struct> {
    return new List(new Field('item', new Struct(lightcurveFields()), false));
  }

  /**
   * The upperLimitMag values of the first m points: a shared all-NaN array when none has a limit
   * (Rubin: its buffer is never written, so no fresh memory is touched), else the unwritten tail
   * filled with NaN.
   */
  private limits(m: number): Float64Array {
    if (this.nLimit === m) {
      return allNaN(m);
    }
    this.a.upperLimitMag.fill(NaN, this.limitFilled, m);
    return this.a.upperLimitMag;
  }

  /** Builds the Arrow data and starts a new batch with the same capacity. */
  finish(): Data {
    const n = this.length;
    const m = this.points;
    const a = this.a;
    const bitmapBytes = (m + 7) >> 3;
    const f64 = (v: Float64Array, nulls: number): Data =>
      makeData({
        type: new Float64(),
        length: m,
        data: v.subarray(0, m),
        ...(nulls === 0
          ? { nullCount: 0 }
          : { nullBitmap: validity(v, m, nulls === m), nullCount: nulls })
      });
    const bool = (v: Uint8Array): Data =>
      makeData({ type: new Bool(), length: m, nullCount: 0, data: v.subarray(0, bitmapBytes) });
    const band = makeData({
      type: new Utf8(),
      length: m,
      valueOffsets: a.bandOffsets.subarray(0, m + 1),
      data: this.bandBytes.subarray(0, a.bandOffsets[m]),
      ...(this.nBand === 0
        ? { nullCount: 0 }
        : { nullBitmap: a.bandValid.subarray(0, bitmapBytes), nullCount: this.nBand })
    });
    const children = [
      f64(a.mjd, this.nMjd),
      band,
      f64(a.flux, this.nFlux),
      f64(a.fluxErr, this.nFluxErr),
      f64(a.mag, this.nMag),
      f64(a.magErr, this.nMagErr),
      bool(a.isDetection),
      f64(this.limits(m), this.nLimit),
      bool(a.forced)
    ];
    const struct = makeData({
      type: new Struct(lightcurveFields()),
      length: m,
      nullCount: 0,
      children
    });
    const data = makeData({
      type: LightcurveColumn.type(),
      length: n,
      nullCount: 0,
      valueOffsets: this.offsets.subarray(0, n + 1),
      child: struct
    });
    this.a = new PointArrays(capacity(m));
    this.bandBytes = new Uint8Array(Math.max(256, a.bandOffsets[m]));
    this.offsets = new Int32Array(Math.max(64, n) + 1);
    this.length = 0;
    this.points = 0;
    this.limitFilled = 0;
    this.nMjd =
      this.nFlux =
      this.nFluxErr =
      this.nMag =
      this.nMagErr =
      this.nLimit =
      this.nBand =
        0;
    return data;
  }
}

/** Copies `m` raw values to `dst` at `at` (all NaN when the array lacks the field); returns the NaNs. */
function copyPoints(dst: Float64Array, src: RawF64, m: number, at: number): number {
  if (src.n !== m) {
    dst.fill(NaN, at, at + m);
    return m;
  }
  dst.set(src.v.subarray(0, m), at);
  return nanCount(dst, at, at + m);
}

let sharedNaN = new Float64Array(0);

/** m NaNs, shared by every batch (read-only once handed to Arrow; replaced, never written, to grow). */
function allNaN(m: number): Float64Array {
  if (sharedNaN.length < m) {
    sharedNaN = new Float64Array(Math.max(m, sharedNaN.length * 2)).fill(NaN);
  }
  return sharedNaN.subarray(0, m);
}

/** Sets bits [from, to) of an LSB-first bitmap. */
function setBits(bits: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    bits[i >> 3] |= 1 << (i & 7);
  }
}

/** The struct fields of a lightcurve point, in order. */
export function lightcurveFields(): Field[] {
  const f = (name: string, type: Float64 | Utf8 | Bool): Field => new Field(name, type, true);
  return [
    f('mjd', new Float64()),
    f('band', new Utf8()),
    f('flux', new Float64()),
    f('fluxErr', new Float64()),
    f('mag', new Float64()),
    f('magErr', new Float64()),
    f('isDetection', new Bool()),
    f('upperLimitMag', new Float64()),
    f('forced', new Bool())
  ];
}
