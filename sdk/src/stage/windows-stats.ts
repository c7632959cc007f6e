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
 * Memory: at most {@link MAX_SKETCH_BUCKETS} buckets; past that, neighbouring buckets are merged
 * pairwise (γ → γ², α → 2α / (1 + α²)), so values spread over many decades widen the bound instead
 * of memory. Every window result carries the bound it achieved (`medianRelativeError`).
 */

/** Values kept exactly per window before the median moves to the sketch. */
export const EXACT_MEDIAN_LIMIT = 1024;
/** Relative error of the sketch's median before any merge. */
export const MEDIAN_RELATIVE_ERROR = 0.005;
/** Most buckets (both signs) one window's sketch holds. */
export const MAX_SKETCH_BUCKETS = 2048;

/** A relative-error quantile sketch (see the module comment). */
export class MedianSketch {
  private alpha = MEDIAN_RELATIVE_ERROR;
  private lnGamma = Math.log((1 + MEDIAN_RELATIVE_ERROR) / (1 - MEDIAN_RELATIVE_ERROR));
  private readonly pos = new Map<number, number>();
  private readonly neg = new Map<number, number>();
  private zeros = 0;
  count = 0;

  /** The relative error bound now (grows only when buckets were merged). */
  get relativeError(): number {
    return this.alpha;
  }

  get buckets(): number {
    return this.pos.size + this.neg.size;
  }

  add(v: number): void {
    this.count++;
    if (v === 0) {
      this.zeros++;
      return;
    }
    const store = v > 0 ? this.pos : this.neg;
    const i = Math.ceil(Math.log(Math.abs(v)) / this.lnGamma);
    store.set(i, (store.get(i) ?? 0) + 1);
    if (this.pos.size + this.neg.size > MAX_SKETCH_BUCKETS) {
      this.collapse();
    }
  }

  /** γ → γ²: bucket i joins ⌈i / 2⌉. */
  private collapse(): void {
    for (const store of [this.pos, this.neg]) {
      const merged = new Map<number, number>();
      for (const [i, n] of store) {
        const j = Math.ceil(i / 2);
        merged.set(j, (merged.get(j) ?? 0) + n);
      }
      store.clear();
      for (const [j, n] of merged) {
        store.set(j, n);
      }
    }
    this.lnGamma *= 2;
    this.alpha = (2 * this.alpha) / (1 + this.alpha * this.alpha);
  }

  private representative(i: number): number {
    const gamma = Math.exp(this.lnGamma);
    return (2 * Math.exp(i * this.lnGamma)) / (gamma + 1);
  }

  /** The values at 0-based ranks `ranks` (ascending), each within relative error α. */
  valuesAt(ranks: number[]): number[] {
    // ascending order: negatives by decreasing magnitude, zeros, positives by increasing one
    const negIdx = [...this.neg.keys()].sort((a, b) => b - a);
    const posIdx = [...this.pos.keys()].sort((a, b) => a - b);
    const runs: Array<[number, number]> = [
      ...negIdx.map((i): [number, number] => [-this.representative(i), this.neg.get(i) ?? 0]),
      [0, this.zeros],
      ...posIdx.map((i): [number, number] => [this.representative(i), this.pos.get(i) ?? 0])
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

  add(v: number): void {
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
