/**
 * The `lightcurve` column: List<Struct<mjd, band, flux, fluxErr, mag, magErr, isDetection,
 * upperLimitMag, forced, totalMag, totalMagErr>>, one list per alert (history + current detection).
 * totalMag/totalMagErr are total-flux magnitudes (see total-flux.ts): ZTF's DC magnitude, Rubin's
 * from scienceFlux (its history arrays write the science flux through sinks; converted on commit).
 *
 * Lightcurves are most of a decoded batch's memory (hundreds of points per Rubin alert), so each
 * point is written once, straight into plain Float64Arrays (NaN for null) and the boolean and band
 * validity bitmaps; only null counts are kept per point. The magnitudes' validity bitmaps are
 * written with them (difference-image fluxes are often negative, so they nearly always have
 * nulls); those of the other numeric fields are built at `finish()` when they have nulls. History
 * (Rubin) is written by the reader straight into these buffers through `sinks`, committed per array
 * (`commitPoints`: magnitudes derived in one loop over points still in cache); the current point
 * (`pushFromSlots`) takes slot indices, not numbers, so no double is boxed.
 * `finish()` hands the buffers over as they are; the next batch starts at the capacity the last
 * one needed.
 */
import { Bool, Field, Float64, List, Struct, Utf8, makeData, type Data } from 'apache-arrow';
import type { Slots } from '../avro/slots.js';
import { abMagFromNjy, magErrFromFlux } from '../schema.js';
import { PointNulls, derivePoints } from './point-magnitudes.js';
import { PointArrays, capacity, clearBits, nanCount, setBits, validity } from './point-arrays.js';
import { PointBandSink, PointF64Sink, type PointBuffers } from './raw-points.js';

export class LightcurveColumn implements PointBuffers {
  private a = new PointArrays(256);
  private offsets = new Int32Array(65);
  /** Nulls so far per numeric field, and band nulls (committed points only). */
  private nMjd = 0;
  private nFlux = 0;
  private nFluxErr = 0;
  private nMag = 0;
  private nMagErr = 0;
  /** Nulls so far of totalMag and totalMagErr (committed points). */
  private nTotal = 0;
  private nTotalErr = 0;
  private nLimit = 0;
  /** Points [0, limitFilled) have their upperLimitMag written; later ones are null (NaN) lazily. */
  private limitFilled = 0;
  private nBand = 0;
  /** Null counts of the points the last `derivePoints` went over (reused, not allocated). */
  private readonly nulls = new PointNulls();
  /** Closed rows (alerts). */
  length = 0;
  /** Points so far (committed). */
  points = 0;
  /** Where a reader writes history points (see raw-points.ts); committed with commitPoints. */
  readonly sinks = {
    mjd: new PointF64Sink(this, this.a.mjd),
    flux: new PointF64Sink(this, this.a.flux),
    fluxErr: new PointF64Sink(this, this.a.fluxErr),
    band: new PointBandSink(this, this.a.bandOffsets, this.a.bandValid),
    sciFlux: new PointF64Sink(this, this.a.total),
    sciFluxErr: new PointF64Sink(this, this.a.totalErr)
  };

  /** Buffers handed back by `recycle`, used by the next batch instead of fresh memory. */
  private spare: PointArrays | null = null;
  /** The point buffers of the last finished batch. */
  handed: PointArrays | null = null;
  /** Capacity of the next fresh buffers: a quarter more than the last batch needed. */
  private nextCap = 256;
  /**
   * Recycled buffers of at least this capacity are taken (a sixteenth more than the last batch
   * needed): they were made with a quarter more than the batch before it, so a batch a little
   * bigger than that one still takes them, where fresh memory costs page faults.
   */
  private reuseCap = 256;

  /**
   * Takes back the point buffers of a finished batch that nothing reads any more, for the next
   * batch to write over (fresh memory costs page faults and zeroing: ~20 % of a Rubin decode).
   */
  recycle(a: PointArrays): void {
    // not reusable when its memory was transferred to another thread (detached)
    if (a === this.a || a === this.spare || a.cap === 0 || !a.intact()) {
      return;
    }
    if (this.a.cap === 0 && a.cap >= this.reuseCap) {
      a.clearBitmaps(); // the batch being built has no buffers yet: it gets these
      this.a = a;
      this.bind();
    } else if (this.spare === null || a.cap > this.spare.cap) {
      this.spare = a;
    }
  }

  /**
   * Doubles the point buffers (a sink or a push found them full). After `finish` the column holds
   * empty buffers until the first point: then it takes recycled ones if big enough (bitmaps
   * cleared), else fresh ones of `nextCap`, so that a slightly bigger batch does not double and
   * copy them, and a batch whose predecessor is recycled allocates nothing.
   */
  growPoints(): void {
    if (this.a.cap > 0) {
      this.a = this.a.grown();
    } else {
      const spare = this.spare;
      this.spare = null;
      if (spare !== null && spare.cap >= this.reuseCap) {
        spare.clearBitmaps();
        this.a = spare;
      } else {
        this.a = new PointArrays(this.nextCap);
      }
    }
    this.bind();
  }

  reservePoints(points: number): void {
    while (this.a.cap < points) {
      this.growPoints();
    }
  }

  private bind(): void {
    const s = this.sinks;
    const a = this.a;
    s.mjd.v = a.mjd;
    s.flux.v = a.flux;
    s.fluxErr.v = a.fluxErr;
    s.band.offsets = a.bandOffsets;
    s.band.valid = a.bandValid;
    s.sciFlux.v = a.total;
    s.sciFluxErr.v = a.totalErr;
  }

  /** Points the sinks at the next point (before a reader writes an alert's history). */
  beginPoints(): void {
    const s = this.sinks;
    const i = this.points;
    s.mjd.n = s.flux.n = s.fluxErr.n = s.band.n = s.sciFlux.n = s.sciFluxErr.n = i;
    s.band.nulls = 0;
  }

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
    bandLen: number,
    totalMag = NaN,
    totalMagErr = NaN
  ): void {
    const i = this.open();
    if (magFromFlux) {
      mag = abMagFromNjy(flux);
      magErr = magErrFromFlux(flux, fluxErr);
    }
    this.values(i, mjd, flux, fluxErr, mag, magErr, upperLimitMag);
    this.setTotal(i, totalMag, totalMagErr);
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
    buf: Uint8Array,
    sciFlux = -1,
    sciFluxErr = -1
  ): void {
    const i = this.open();
    const sn = s.isNull;
    const sf = s.num;
    const f = sn[flux] === 0 ? sf[flux] : NaN;
    const fe = sn[fluxErr] === 0 ? sf[fluxErr] : NaN;
    const sci = sciFlux >= 0 && sn[sciFlux] === 0 ? sf[sciFlux] : NaN;
    const sciErr = sciFluxErr >= 0 && sn[sciFluxErr] === 0 ? sf[sciFluxErr] : NaN;
    this.setTotal(i, abMagFromNjy(sci), magErrFromFlux(sci, sciErr));
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
   * Commits the points the reader wrote through `sinks` since the last commit (one Rubin history
   * array): a field the array lacks is null; flux in nJy, magnitudes (PSF and total flux) derived
   * here in one loop over the new points, a detection unless `forced`, no upper limit.
   */
  commitPoints(forced: boolean): void {
    const s = this.sinks;
    const i0 = this.points;
    const end = Math.max(s.mjd.n, s.flux.n, s.fluxErr.n, s.band.n, s.sciFlux.n, s.sciFluxErr.n);
    if (end === i0) {
      return;
    }
    const a = this.a;
    // a field the array does not have: null for its points (the capacity is there: end ≤ cap)
    fillNaN(a.total, s.sciFlux.n, end);
    fillNaN(a.totalErr, s.sciFluxErr.n, end);
    fillNaN(a.mjd, s.mjd.n, end);
    fillNaN(a.flux, s.flux.n, end);
    fillNaN(a.fluxErr, s.fluxErr.n, end);
    const offsets = a.bandOffsets;
    for (let i = s.band.n; i < end; i++) {
      offsets[i + 1] = offsets[i];
      s.band.nulls++;
    }
    this.nBand += s.band.nulls;
    s.band.nulls = 0;
    s.mjd.n = s.flux.n = s.fluxErr.n = s.band.n = s.sciFlux.n = s.sciFluxErr.n = end;
    const n = derivePoints(a, i0, end, this.nulls);
    this.nMag += n.mag;
    this.nMagErr += n.magErr;
    this.nTotal += n.total;
    this.nTotalErr += n.totalErr;
    this.nFlux += n.flux;
    this.nMjd += n.mjd;
    this.nFluxErr += n.fluxErr;
    this.nLimit += end - i0; // no upper limits: left unwritten (see limitFilled)
    setBits(forced ? a.forced : a.isDetection, i0, end);
    this.points = end;
  }

  /** Writes point i's total-flux magnitude and error (NaN: null). */
  private setTotal(i: number, total: number, totalErr: number): void {
    this.a.total[i] = total;
    this.a.totalErr[i] = totalErr;
    this.nTotal += total !== total ? 1 : 0;
    this.nTotalErr += totalErr !== totalErr ? 1 : 0;
  }

  /** Index of the next point, growing the buffers when full. */
  private open(): number {
    const i = this.points;
    if (i >= this.a.cap) {
      this.growPoints();
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
    const bit = 1 << (i & 7);
    if (mag === mag) {
      a.magValid[i >> 3] |= bit;
    } else {
      this.nMag++;
    }
    if (magErr === magErr) {
      a.magErrValid[i >> 3] |= bit;
    } else {
      this.nMagErr++;
    }
    if (limit === limit) {
      const limits = a.limits();
      if (this.limitFilled < i) {
        limits.fill(NaN, this.limitFilled, i);
      }
      limits[i] = limit;
      this.limitFilled = i + 1;
    } else {
      this.nLimit++;
    }
    this.nMjd += mjd !== mjd ? 1 : 0;
    this.nFlux += flux !== flux ? 1 : 0;
    this.nFluxErr += fluxErr !== fluxErr ? 1 : 0;
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
    const sink = this.sinks.band;
    if (at + len > sink.bytes.length) {
      sink.growBytes(at + len);
    }
    const bytes = sink.bytes;
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

  /** Undoes everything after `rows` closed rows (a rejected alert), committed or not. */
  truncate(rows: number): void {
    this.length = Math.min(this.length, rows);
    const keep = this.offsets[this.length];
    const a = this.a;
    const end = this.points;
    const s = this.sinks;
    const written = Math.max(
      end,
      s.mjd.n,
      s.flux.n,
      s.fluxErr.n,
      s.band.n,
      s.sciFlux.n,
      s.sciFluxErr.n
    );
    this.nMjd -= nanCount(a.mjd, keep, end);
    this.nFlux -= nanCount(a.flux, keep, end);
    this.nFluxErr -= nanCount(a.fluxErr, keep, end);
    this.nMag -= nanCount(a.mag, keep, end);
    this.nMagErr -= nanCount(a.magErr, keep, end);
    this.nTotal -= nanCount(a.total, keep, end);
    this.nTotalErr -= nanCount(a.totalErr, keep, end);
    const filled = Math.min(end, this.limitFilled);
    const limits = a.limit;
    this.nLimit -= (limits ? nanCount(limits, keep, filled) : 0) + (end - Math.max(keep, filled));
    this.limitFilled = Math.min(this.limitFilled, keep);
    for (let i = keep; i < end; i++) {
      if ((a.bandValid[i >> 3] & (1 << (i & 7))) === 0) {
        this.nBand--;
      }
    }
    for (const bits of [a.isDetection, a.forced, a.bandValid, a.magValid, a.magErrValid]) {
      clearBits(bits, keep, written);
    }
    this.points = keep;
    this.beginPoints();
  }

  /** The Arrow type of this column. */
  static type(): List<Struct> {
    return new List(new Field('item', new Struct(lightcurveFields()), false));
  }

  /**
   * The upperLimitMag values of the first m points: a shared all-NaN array when none has a limit
   * (Rubin: no buffer is allocated), else the unwritten tail filled with NaN.
   */
  private limits(m: number): Float64Array {
    if (this.nLimit === m) {
      return allNaN(m);
    }
    const limits = this.a.limits();
    limits.fill(NaN, this.limitFilled, m);
    return limits;
  }

  /** Builds the Arrow data and starts a new batch with the same capacity. */
  finish(): Data {
    const n = this.length;
    const m = this.points;
    const a = this.a;
    const bitmapBytes = (m + 7) >> 3;
    const f64 = (v: Float64Array, nulls: number, bits?: Uint8Array): Data =>
      makeData({
        type: new Float64(),
        length: m,
        data: v.subarray(0, m),
        ...(nulls === 0
          ? { nullCount: 0 }
          : {
              nullBitmap: bits ? bits.subarray(0, bitmapBytes) : validity(v, m, nulls === m),
              nullCount: nulls
            })
      });
    const bool = (v: Uint8Array): Data =>
      makeData({ type: new Bool(), length: m, nullCount: 0, data: v.subarray(0, bitmapBytes) });
    const bandBytes = this.sinks.band.bytes;
    const band = makeData({
      type: new Utf8(),
      length: m,
      valueOffsets: a.bandOffsets.subarray(0, m + 1),
      data: bandBytes.subarray(0, a.bandOffsets[m]),
      ...(this.nBand === 0
        ? { nullCount: 0 }
        : { nullBitmap: a.bandValid.subarray(0, bitmapBytes), nullCount: this.nBand })
    });
    const children = [
      f64(a.mjd, this.nMjd),
      band,
      f64(a.flux, this.nFlux),
      f64(a.fluxErr, this.nFluxErr),
      f64(a.mag, this.nMag, a.magValid),
      f64(a.magErr, this.nMagErr, a.magErrValid),
      bool(a.isDetection),
      f64(this.limits(m), this.nLimit),
      bool(a.forced),
      f64(a.total, this.nTotal),
      f64(a.totalErr, this.nTotalErr)
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
    this.handed = a;
    this.nextCap = capacity(m + (m >> 2));
    this.reuseCap = capacity(m + (m >> 4));
    this.a = new PointArrays(0);
    this.sinks.band.bytes = new Uint8Array(Math.max(256, a.bandOffsets[m]));
    this.bind();
    this.offsets = new Int32Array(Math.max(64, n) + 1);
    this.length = 0;
    this.points = 0;
    this.beginPoints();
    this.limitFilled = 0;
    this.nMjd =
      this.nFlux =
      this.nFluxErr =
      this.nMag =
      this.nMagErr =
      this.nTotal =
      this.nTotalErr =
      this.nLimit =
      this.nBand =
        0;
    return data;
  }
}

/** Fills v[from, to) with NaN (nothing when from ≥ to). */
function fillNaN(v: Float64Array, from: number, to: number): void {
  if (from < to) {
    v.fill(NaN, from, to);
  }
}

let sharedNaN = new Float64Array(0);

/** True for memory that batches share (never to be transferred to another thread). */
export function sharedAcrossBatches(buffer: ArrayBufferLike): boolean {
  return buffer === sharedNaN.buffer;
}

/** m NaNs, shared by every batch (read-only once handed to Arrow; replaced, never written, to grow). */
function allNaN(m: number): Float64Array {
  if (sharedNaN.length < m) {
    sharedNaN = new Float64Array(Math.max(m, sharedNaN.length * 2)).fill(NaN);
  }
  return sharedNaN.subarray(0, m);
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
    f('forced', new Bool()),
    f('totalMag', new Float64()),
    f('totalMagErr', new Float64())
  ];
}
