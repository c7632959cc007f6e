/**
 * The lightcurve's per-point buffers (values as Float64Arrays with NaN for null, flags and band
 * validity as bitmaps) and the helpers that turn NaNs into null counts and validity bitmaps.
 */

/** The per-point buffers, allocated together (one hidden class, no keyed stores when hot). */
export class PointArrays {
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
    return next;
  }
}

/** Rounds a capacity up to a multiple of 8 (whole bitmap bytes), at least 256. */
export const capacity = (n: number): number => Math.max(256, (n + 7) & ~7);

/** Number of NaN values in v[from, to). */
export function nanCount(v: Float64Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    if (v[i] !== v[i]) {
      n++;
    }
  }
  return n;
}

/** Validity bitmap of the first m values (bit set where the value is not NaN). */
export function validity(v: Float64Array, m: number, allNull: boolean): Uint8Array {
  const bits = new Uint8Array(((m + 63) >> 6) << 3);
  if (allNull) {
    return bits;
  }
  for (let i = 0; i < m; i++) {
    if (v[i] === v[i]) {
      bits[i >> 3] |= 1 << (i & 7);
    }
  }
  return bits;
}
