/**
 * Sinks through which a generated reader writes lightcurve points (Rubin prvDiaSources /
 * prvDiaForcedSources) straight into the lightcurve column's buffers: mjd, flux and flux error as
 * Float64 (NaN for null) and the band as Utf8 bytes, offsets and validity. No callback, copy or
 * recoding per point; the column then derives magnitudes over the new points while they are still
 * in cache (see LightcurveColumn.commitPoints).
 *
 * Each sink keeps its own count of points written; the column brings the counts together when it
 * commits a range (a field the array lacks is then null) and resets them on truncate and finish.
 */

/** What the sinks ask when a buffer is full. */
export interface PointBuffers {
  /** Doubles the point capacity and rebinds every sink to the new buffers. */
  growPoints(): void;
  /** Grows until there is room for `points` points (rebinding every sink). */
  reservePoints(points: number): void;
}

/** One Float64 field of the points, with the `append`/`appendNull` calls a generated reader makes. */
export class PointF64Sink {
  /** Points written (the index of the next one). */
  n = 0;
  /**
   * Generated readers may write `v[n++]` directly, after `reserve(count)` for a block of items,
   * and store `n` back after the block (see codegen's direct sinks).
   */
  readonly direct = true;
  constructor(
    private readonly owner: PointBuffers,
    public v: Float64Array
  ) {}
  /** Makes room for `count` more points (`v` may be replaced: read it after). */
  reserve(count: number): void {
    if (this.n + count > this.v.length) {
      this.owner.reservePoints(this.n + count);
    }
  }
  append(x: number): void {
    const i = this.n;
    if (i >= this.v.length) {
      this.owner.growPoints();
    }
    this.v[i] = x;
    this.n = i + 1;
  }
  appendNull(): void {
    this.append(NaN);
  }
}

/** The band of the points as Utf8 (bytes, offsets, validity bits), with a reader's calls. */
export class PointBandSink {
  /** Points written (the index of the next one). */
  n = 0;
  /** Nulls written since the column last committed. */
  nulls = 0;
  /** The bytes of every band so far in the batch (owned here; grows independently). */
  bytes = new Uint8Array(256);
  constructor(
    private readonly owner: PointBuffers,
    public offsets: Int32Array,
    public valid: Uint8Array
  ) {}

  appendBytes(b: Uint8Array, p: number, len: number): void {
    const i = this.n;
    if (i + 1 >= this.offsets.length) {
      this.owner.growPoints();
    }
    const offsets = this.offsets;
    const at = offsets[i];
    const end = at + len;
    if (end > this.bytes.length) {
      this.growBytes(end);
    }
    const bytes = this.bytes;
    if (len === 1) {
      bytes[at] = b[p];
    } else {
      for (let k = 0; k < len; k++) {
        bytes[at + k] = b[p + k];
      }
    }
    offsets[i + 1] = end;
    this.valid[i >> 3] |= 1 << (i & 7);
    this.n = i + 1;
  }

  appendNull(): void {
    const i = this.n;
    if (i + 1 >= this.offsets.length) {
      this.owner.growPoints();
    }
    this.offsets[i + 1] = this.offsets[i];
    this.nulls++;
    this.n = i + 1;
  }

  /** Makes room for `need` band bytes. */
  growBytes(need: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, need));
    next.set(this.bytes);
    this.bytes = next;
  }
}
