/**
 * Running aggregates of one window in bounded memory, whatever the number of values:
 * count/min/max exactly, mean and sample standard deviation by Welford's update (one pass,
 * numerically stable), and the median exactly while the window holds at most
 * {@link EXACT_MEDIAN_LIMIT} values, then from a relative-error sketch.
 *
 * The sketch (a logarithmic histogram): a value v ≠ 0 falls in bucket i = ⌈log_γ |v|⌉ of its sign,
 * γ = (1 + α) / (1 − α), which covers (γ^(i−1), γ^i]; its representative 2γ^i / (γ + 1) is within
 * relative error α of every value in the bucket. Zeros are counted apart. The value at any rank is
 * thus returned within relative error α of the true value at that rank, and the median (the mean
 * of the two middle ranks for an even count) within α · max(|lower middle|, |upper middle|).
 * Memory: the buckets of each sign are a dense array spanning at most {@link MAX_SKETCH_BUCKETS}
 * consecutive indexes (4 bytes each); a value beyond that span merges neighbouring buckets
 * pairwise (γ → γ², α → 2α / (1 + α²)), so values spread over many decades widen the bound instead
 * of memory. Every window result carries the bound it achieved (`medianRelativeError`).
 */

/** Values kept exactly per window before the median moves to the sketch. */
export const EXACT_MEDIAN_LIMIT = 512;
/** Relative error of the sketch's median before any merge. */
export const MEDIAN_RELATIVE_ERROR = 0.005;
/** Most buckets per sign in one window's sketch (a span of γ^1024 ≈ 28,000 in |value| at 0.5 %). */
export const MAX_SKETCH_BUCKETS = 1024;
/** Upper bound on the bytes one open window holds for its median (exact values or sketch). */
export const WINDOW_MEDIAN_BYTES = Math.max(EXACT_MEDIAN_LIMIT * 8, 2 * MAX_SKETCH_BUCKETS * 4);

/** Counts of consecutive bucket indexes of one sign (occupied: [min, max], allocated: [lo, lo + length)). */
class DenseBuckets {
  lo = 0;
  counts = new Uint32Array(0);
  private min = 0;
  private max = -1;

  /** Adds one to bucket i; false (nothing added) when the occupied span would pass the maximum. */
  add(i: number): boolean {
    const min = this.max < this.min ? i : Math.min(this.min, i);
    const max = this.max < this.min ? i : Math.max(this.max, i);
    if (max - min + 1 > MAX_SKETCH_BUCKETS) {
      return false;
    }
    if (i < this.lo || i >= this.lo + this.counts.length) {
      this.realloc(min, max, i < this.lo);
    }
    this.min = min;
    this.max = max;
    this.counts[i - this.lo]++;
    return true;
  }

  /** A new array covering [min, max], with room to grow on the side being extended. */
  private realloc(min: number, max: number, down: boolean): void {
    const width = Math.min(MAX_SKETCH_BUCKETS, Math.max(max - min + 1, 2 * this.counts.length, 16));
    const base = down ? max - width + 1 : min;
    const next = new Uint32Array(width);
    for (let k = 0; k < this.counts.length; k++) {
      if (this.counts[k] > 0) {
        next[this.lo + k - base] = this.counts[k];
      }
    }
    this.lo = base;
    this.counts = next;
  }

  /** Bucket i joins ⌈i / 2⌉ (γ → γ²). */
  collapse(): void {
    if (this.max < this.min) {
      return;
    }
    const old = this.counts;
    const oldLo = this.lo;
    this.min = Math.ceil(this.min / 2);
    this.max = Math.ceil(this.max / 2);
    this.lo = this.min;
    this.counts = new Uint32Array(old.length);
    for (let k = 0; k < old.length; k++) {
      if (old[k] > 0) {
        this.counts[Math.ceil((oldLo + k) / 2) - this.lo] += old[k];
      }
    }
  }

  /** [index, count] of the non-empty buckets, ascending. */
  *entries(): Generator<[number, number]> {
    for (let k = 0; k < this.counts.length; k++) {
      if (this.counts[k] > 0) {
        yield [this.lo + k, this.counts[k]];
      }
    }
  }
}

/** A relative-error quantile sketch (see the module comment). */
export class MedianSketch {
  private alpha = MEDIAN_RELATIVE_ERROR;
  private lnGamma = Math.log((1 + MEDIAN_RELATIVE_ERROR) / (1 - MEDIAN_RELATIVE_ERROR));
  private readonly pos = new DenseBuckets();
  private readonly neg = new DenseBuckets();
  private zeros = 0;
  count = 0;
  /** Non-finite values (NaN, ±Infinity) skipped by {@link add}: they have no log bucket. */
  skipped = 0;

  /** The relative error bound now (grows only when buckets were merged). */
  get relativeError(): number {
    return this.alpha;
  }

  /** Bucket slots allocated (both signs): never more than 2 × {@link MAX_SKETCH_BUCKETS}. */
  get buckets(): number {
    return this.pos.counts.length + this.neg.counts.length;
  }

  add(v: number): void {
    if (!Number.isFinite(v)) {
      this.skipped++;
      return;
    }
    this.count++;
    if (v === 0) {
      this.zeros++;
      return;
    }
    const store = v > 0 ? this.pos : this.neg;
    const m = Math.log(Math.abs(v));
    while (!store.add(Math.ceil(m / this.lnGamma))) {
      this.pos.collapse();
      this.neg.collapse();
      this.lnGamma *= 2;
      this.alpha = (2 * this.alpha) / (1 + this.alpha * this.alpha);
    }
  }

  private representative(i: number): number {
    const gamma = Math.exp(this.lnGamma);
    return (2 * Math.exp(i * this.lnGamma)) / (gamma + 1);
  }

  /** The values at 0-based ranks `ranks` (ascending), each within relative error α. */
  valuesAt(ranks: number[]): number[] {
    // ascending order: negatives by decreasing magnitude, zeros, positives by increasing one
    const runs: Array<[number, number]> = [
      ...[...this.neg.entries()]
        .reverse()
        .map(([i, n]): [number, number] => [-this.representative(i), n]),
      [0, this.zeros],
      ...[...this.pos.entries()].map(([i, n]): [number, number] => [this.representative(i), n])
    ];
    const out: number[] = [];
    let seen = 0;
    let k = 0;
    for (const [value, n] of runs) {
      seen += n;
      while (k < ranks.length && ranks[k] < seen) {
        out.push(value);
        k++;
      }
    }
    return out;
  }
}

/** What a window reports besides its key and bounds. */
export interface WindowSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Sample standard deviation (n − 1); null with one value. */
  stddev: number | null;
  /** True when the median came from every value (≤ {@link EXACT_MEDIAN_LIMIT}). */
  medianExact: boolean;
  /** Bound on the median's error relative to the middle values (0 when exact). */
  medianRelativeError: number;
}

/** One window's running aggregates (bounded memory). */
export class RunningStats {
  count = 0;
  min = Infinity;
  max = -Infinity;
  private mean = 0;
  private m2 = 0;
  private exact: number[] | undefined = [];
  private sketch: MedianSketch | undefined;
  /** Non-finite values (NaN, ±Infinity) skipped by {@link add}, not counted in `count`. */
  skipped = 0;

  add(v: number): void {
    if (!Number.isFinite(v)) {
      this.skipped++;
      return;
    }
    this.count++;
    if (v < this.min) {
      this.min = v;
    }
    if (v > this.max) {
      this.max = v;
    }
    const d = v - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (v - this.mean);
    if (this.exact !== undefined) {
      this.exact.push(v);
      if (this.exact.length > EXACT_MEDIAN_LIMIT) {
        this.sketch = new MedianSketch();
        for (const x of this.exact) {
          this.sketch.add(x);
        }
        this.exact = undefined;
      }
    } else {
      this.sketch?.add(v);
    }
  }

  /** Values held for the exact median (0 once the sketch took over) and sketch buckets. */
  get footprint(): { values: number; buckets: number } {
    return { values: this.exact?.length ?? 0, buckets: this.sketch?.buckets ?? 0 };
  }

  summary(): WindowSummary {
    const n = this.count;
    const mid = n >> 1;
    let median: number;
    let error = 0;
    if (this.exact !== undefined) {
      const sorted = Float64Array.from(this.exact).sort();
      median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    } else {
      const s = this.sketch as MedianSketch;
      const [a, b] = s.valuesAt(n % 2 === 1 ? [mid, mid] : [mid - 1, mid]);
      // clamped to the exact extremes: never outside the data
      median = Math.min(this.max, Math.max(this.min, (a + b) / 2));
      error = s.relativeError;
    }
    return {
      count: n,
      min: this.min,
      max: this.max,
      mean: this.mean,
      median,
      stddev: n > 1 ? Math.sqrt(Math.max(0, this.m2) / (n - 1)) : null,
      medianExact: this.exact !== undefined,
      medianRelativeError: error
    };
  }
}
