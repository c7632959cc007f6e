/**
 * The `lightcurve` column: List<Struct<mjd, band, flux, fluxErr, mag, magErr, isDetection,
 * upperLimitMag, forced>>, one list per alert (history + current detection).
 *
 * Lightcurves are most of a decoded batch's memory (hundreds of points per Rubin alert), so each
 * point is written once: numeric values into plain Float64Arrays and their validity, the
 * booleans and the band validity straight into bitmaps. A null (NaN) value is not written at all,
 * so a field that stays null (ZTF fluxes, Rubin upper limits) never touches its pages. `finish()`
 * hands the buffers over as they are. The next batch starts at the capacity the last one needed.
 */
import { Bool, Field, Float64, List, Struct, Utf8, makeData, type Data } from 'apache-arrow';
import { abMagFromNjy, magErrFromFlux } from '../schema.js';

/** The per-point buffers, allocated together (one hidden class, no keyed stores when hot). */
class PointArrays {
  readonly mjd: Float64Array;
  readonly flux: Float64Array;
  readonly fluxErr: Float64Array;
  readonly mag: Float64Array;
  readonly magErr: Float64Array;
  readonly upperLimitMag: Float64Array;
  readonly isDetection: Uint8Array;
  readonly forced: Uint8Array;
  readonly bandValid: Uint8Array;
  readonly bandOffsets: Int32Array;
  /** Validity bitmaps of mjd, flux, fluxErr, mag, magErr, upperLimitMag. */
  readonly vMjd: Uint8Array;
  readonly vFlux: Uint8Array;
  readonly vFluxErr: Uint8Array;
  readonly vMag: Uint8Array;
  readonly vMagErr: Uint8Array;
  readonly vLimit: Uint8Array;
  constructor(readonly cap: number) {
    this.mjd = new Float64Array(cap);
    this.flux = new Float64Array(cap);
    this.fluxErr = new Float64Array(cap);
    this.mag = new Float64Array(cap);
    this.magErr = new Float64Array(cap);
    this.upperLimitMag = new Float64Array(cap);
    this.isDetection = new Uint8Array(cap >> 3);
    this.forced = new Uint8Array(cap >> 3);
    this.bandValid = new Uint8Array(cap >> 3);
    this.bandOffsets = new Int32Array(cap + 1);
    this.vMjd = new Uint8Array(cap >> 3);
    this.vFlux = new Uint8Array(cap >> 3);
    this.vFluxErr = new Uint8Array(cap >> 3);
    this.vMag = new Uint8Array(cap >> 3);
    this.vMagErr = new Uint8Array(cap >> 3);
    this.vLimit = new Uint8Array(cap >> 3);
  }
  /** A copy with twice the capacity. */
  grown(): PointArrays {
    const next = new PointArrays(this.cap * 2);
    next.mjd.set(this.mjd);
    next.flux.set(this.flux);
    next.fluxErr.set(this.fluxErr);
    next.mag.set(this.mag);
    next.magErr.set(this.magErr);
    next.upperLimitMag.set(this.upperLimitMag);
    next.isDetection.set(this.isDetection);
    next.forced.set(this.forced);
    next.bandValid.set(this.bandValid);
    next.bandOffsets.set(this.bandOffsets);
    next.vMjd.set(this.vMjd);
    next.vFlux.set(this.vFlux);
    next.vFluxErr.set(this.vFluxErr);
    next.vMag.set(this.vMag);
    next.vMagErr.set(this.vMagErr);
    next.vLimit.set(this.vLimit);
    return next;
  }
}

/** Rounds a capacity up to a multiple of 8 (whole bitmap bytes), at least 256. */
const capacity = (n: number): number => Math.max(256, (n + 7) & ~7);

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
    const i = this.points;
    if (i >= this.a.cap) {
      this.a = this.a.grown();
    }
    const a = this.a;
    if (magFromFlux) {
      mag = abMagFromNjy(flux);
      magErr = magErrFromFlux(flux, fluxErr);
    }
    const byte = i >> 3;
    const bit = 1 << (i & 7);
    if (mjd === mjd) {
      a.mjd[i] = mjd;
      a.vMjd[byte] |= bit;
    } else {
      this.nMjd++;
    }
    if (flux === flux) {
      a.flux[i] = flux;
      a.vFlux[byte] |= bit;
    } else {
      this.nFlux++;
    }
    if (fluxErr === fluxErr) {
      a.fluxErr[i] = fluxErr;
      a.vFluxErr[byte] |= bit;
    } else {
      this.nFluxErr++;
    }
    if (mag === mag) {
      a.mag[i] = mag;
      a.vMag[byte] |= bit;
    } else {
      this.nMag++;
    }
    if (magErr === magErr) {
      a.magErr[i] = magErr;
      a.vMagErr[byte] |= bit;
    } else {
      this.nMagErr++;
    }
    if (upperLimitMag === upperLimitMag) {
      a.upperLimitMag[i] = upperLimitMag;
      a.vLimit[byte] |= bit;
    } else {
      this.nLimit++;
    }
    if (isDetection) {
      a.isDetection[byte] |= bit;
    }
    if (forced) {
      a.forced[byte] |= bit;
    }
    const at = a.bandOffsets[i];
    if (band === null) {
      this.nBand++;
      a.bandOffsets[i + 1] = at;
    } else {
      let bytes = this.bandBytes;
      if (at + bandLen > bytes.length) {
        bytes = new Uint8Array(Math.max(bytes.length * 2, at + bandLen));
        bytes.set(this.bandBytes);
        this.bandBytes = bytes;
      }
      for (let k = 0; k < bandLen; k++) {
        bytes[at + k] = band[bandStart + k];
      }
      a.bandValid[byte] |= bit;
      a.bandOffsets[i + 1] = at + bandLen;
    }
    this.points = i + 1;
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
    const cleared = (v: Uint8Array, i: number): number => (v[i >> 3] & (1 << (i & 7)) ? 0 : 1);
    for (let i = keep; i < this.points; i++) {
      this.nMjd -= cleared(a.vMjd, i);
      this.nFlux -= cleared(a.vFlux, i);
      this.nFluxErr -= cleared(a.vFluxErr, i);
      this.nMag -= cleared(a.vMag, i);
      this.nMagErr -= cleared(a.vMagErr, i);
      this.nLimit -= cleared(a.vLimit, i);
      this.nBand -= cleared(a.bandValid, i);
      const mask = ~(1 << (i & 7));
      for (const v of [a.vMjd, a.vFlux, a.vFluxErr, a.vMag, a.vMagErr, a.vLimit]) {
        v[i >> 3] &= mask;
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

  /** Builds the Arrow data and starts a new batch with the same capacity. */
  finish(): Data {
    const n = this.length;
    const m = this.points;
    const a = this.a;
    const bitmapBytes = (m + 7) >> 3;
    const f64 = (v: Float64Array, valid: Uint8Array, nulls: number): Data =>
      makeData({
        type: new Float64(),
        length: m,
        data: v.subarray(0, m),
        ...(nulls === 0
          ? { nullCount: 0 }
          : { nullBitmap: valid.subarray(0, bitmapBytes), nullCount: nulls })
      });
    const bool = (v: Uint8Array): Data =>
      makeData({ type: new Bool(), length: m, nullCount: 0, data: v.subarray(0, (m + 7) >> 3) });
    const band = makeData({
      type: new Utf8(),
      length: m,
      valueOffsets: a.bandOffsets.subarray(0, m + 1),
      data: this.bandBytes.subarray(0, a.bandOffsets[m]),
      ...(this.nBand === 0
        ? { nullCount: 0 }
        : { nullBitmap: a.bandValid.subarray(0, (m + 7) >> 3), nullCount: this.nBand })
    });
    const children = [
      f64(a.mjd, a.vMjd, this.nMjd),
      band,
      f64(a.flux, a.vFlux, this.nFlux),
      f64(a.fluxErr, a.vFluxErr, this.nFluxErr),
      f64(a.mag, a.vMag, this.nMag),
      f64(a.magErr, a.vMagErr, this.nMagErr),
      bool(a.isDetection),
      f64(a.upperLimitMag, a.vLimit, this.nLimit),
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
