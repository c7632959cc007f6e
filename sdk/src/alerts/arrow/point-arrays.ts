/**
 * The lightcurve's per-point buffers (values as Float64Arrays with NaN for null, flags and
 * validity as bitmaps) and the helpers that turn NaNs into null counts and validity bitmaps.
 */

/**
 * The per-point buffers. Each is an allocation of its own, not slices of one: a batch's points
 * (~40 MB per 1,000 real-size Rubin alerts) are handed over with the batch, so the next batch's
 * come from fresh memory unless released. As one block that size, the C allocator maps new pages
 * for every batch and unmaps them when the batch is collected (≈10 page faults per alert, ~40 % of
 * the decode's CPU, measured); as a field each (~6 MB), it mostly reuses the memory the collected
 * batches freed.
 */
export class PointArrays {
  readonly mjd: Float64Array;
  readonly flux: Float64Array;
  readonly fluxErr: Float64Array;
  readonly mag: Float64Array;
  readonly magErr: Float64Array;
  /** Total-flux magnitude and error (Rubin history: science flux and its error until committed). */
  readonly total: Float64Array;
  readonly totalErr: Float64Array;
  /**
   * Upper limits, allocated on the first point that has one (Rubin points never do; an unused
   * buffer would still count as external memory and bring garbage collections forward).
   */
  limit: Float64Array | null = null;
  readonly isDetection: Uint8Array;
  readonly forced: Uint8Array;
  readonly bandValid: Uint8Array;
  /** Validity of mag and magErr, written with the values (they are null for most negative fluxes). */
  readonly magValid: Uint8Array;
  readonly magErrValid: Uint8Array;
  readonly bandOffsets: Int32Array;
  constructor(readonly cap: number) {
    this.mjd = new Float64Array(cap);
    this.flux = new Float64Array(cap);
    this.fluxErr = new Float64Array(cap);
    this.mag = new Float64Array(cap);
    this.magErr = new Float64Array(cap);
    this.total = new Float64Array(cap);
    this.totalErr = new Float64Array(cap);
    this.bandOffsets = new Int32Array(cap + 1);
    // the five bitmaps together (small: cap / 8 bytes each)
    const bitmap = cap >> 3;
    const bits = new ArrayBuffer(5 * bitmap);
    const b = (k: number): Uint8Array => new Uint8Array(bits, k * bitmap, bitmap);
    this.isDetection = b(0);
    this.forced = b(1);
    this.bandValid = b(2);
    this.magValid = b(3);
    this.magErrValid = b(4);
  }
  /**
   * False when any buffer was transferred to another thread (detached): each is transferred on
   * its own (small ones are copied instead), so every one is checked.
   */
  intact(): boolean {
    const n = this.cap;
    return (
      this.mjd.length === n &&
      this.flux.length === n &&
      this.fluxErr.length === n &&
      this.mag.length === n &&
      this.magErr.length === n &&
      this.total.length === n &&
      this.totalErr.length === n &&
      this.bandOffsets.length === n + 1 &&
      this.isDetection.length === n >> 3 &&
      (this.limit === null || this.limit.length === n)
    );
  }
  /** Zeroes the bitmaps (before the buffers are written again; values are always overwritten). */
  clearBitmaps(): void {
    this.isDetection.fill(0);
    this.forced.fill(0);
    this.bandValid.fill(0);
    this.magValid.fill(0);
    this.magErrValid.fill(0);
  }
  /** The upper-limit buffer, allocated on first use. */
  limits(): Float64Array {
    return (this.limit ??= new Float64Array(this.cap));
  }
  /** A copy with twice the capacity. */
  grown(): PointArrays {
    const next = new PointArrays(Math.max(256, this.cap * 2));
    next.mjd.set(this.mjd);
    next.flux.set(this.flux);
    next.fluxErr.set(this.fluxErr);
    next.mag.set(this.mag);
    next.magErr.set(this.magErr);
    next.total.set(this.total);
    next.totalErr.set(this.totalErr);
    if (this.limit) {
      next.limits().set(this.limit);
    }
    next.isDetection.set(this.isDetection);
    next.forced.set(this.forced);
    next.bandValid.set(this.bandValid);
    next.magValid.set(this.magValid);
    next.magErrValid.set(this.magErrValid);
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

/** Sets bits [from, to) of an LSB-first bitmap (whole bytes at once in the middle). */
export function setBits(bits: Uint8Array, from: number, to: number): void {
  let i = from;
  for (; i < to && (i & 7) !== 0; i++) {
    bits[i >> 3] |= 1 << (i & 7);
  }
  const full = (to - i) >> 3;
  if (full > 0) {
    bits.fill(0xff, i >> 3, (i >> 3) + full);
    i += full << 3;
  }
  for (; i < to; i++) {
    bits[i >> 3] |= 1 << (i & 7);
  }
}

/** Clears bits [from, to) of an LSB-first bitmap. */
export function clearBits(bits: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    bits[i >> 3] &= ~(1 << (i & 7));
  }
}
