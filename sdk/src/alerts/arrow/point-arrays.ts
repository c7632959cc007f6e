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
    // One allocation for all of them (one backing store for V8 to track, not ten): the six
    // Float64 arrays first (8-byte aligned), then bandOffsets, then the three bitmaps.
    const f64 = 8 * cap;
    const buf = new ArrayBuffer(6 * f64 + 4 * (cap + 1) + 3 * (cap >> 3));
    const f = (k: number): Float64Array => new Float64Array(buf, k * f64, cap);
    this.mjd = f(0);
    this.flux = f(1);
    this.fluxErr = f(2);
    this.mag = f(3);
    this.magErr = f(4);
    this.upperLimitMag = f(5);
    this.bandOffsets = new Int32Array(buf, 6 * f64, cap + 1);
    const bits = 6 * f64 + 4 * (cap + 1);
    this.isDetection = new Uint8Array(buf, bits, cap >> 3);
    this.forced = new Uint8Array(buf, bits + (cap >> 3), cap >> 3);
    this.bandValid = new Uint8Array(buf, bits + 2 * (cap >> 3), cap >> 3);
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
