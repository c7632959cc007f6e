/**
 * Event-time windows (pure logic, no Kafka): tumbling (hop = size) or hopping windows aligned to
 * MJD 0, grouped by a key, over one numeric value. The watermark is the largest event time seen so
 * far (records in offset order). A record joins each of its windows whose end + allowed lateness
 * is still after the watermark; a record with no such window is late. A window is emitted once the
 * watermark reaches end + lateness, with count, min, max, mean, median and the sample standard
 * deviation (n − 1; null below two values).
 */

const SECONDS_PER_DAY = 86_400;

export interface WindowSpec {
  windowSeconds: number;
  hopSeconds: number;
  allowedLatenessSeconds: number;
}

/** One emitted window. */
export interface WindowResult {
  key: string;
  windowStartMjd: number;
  windowEndMjd: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Sample standard deviation (n − 1); null with one value. */
  stddev: number | null;
}

interface OpenWindow {
  k: number;
  key: string;
  values: number[];
  /** Smallest input offset that contributed (what a restart must replay from). */
  minOffset: bigint;
}

/** Summary statistics of a window's values. */
export function summarize(
  values: readonly number[]
): Omit<WindowResult, 'key' | 'windowStartMjd' | 'windowEndMjd'> {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of values) {
    sum += v;
  }
  const mean = sum / n;
  let ss = 0;
  for (const v of values) {
    ss += (v - mean) * (v - mean);
  }
  const mid = n >> 1;
  return {
    count: n,
    min: sorted[0],
    max: sorted[n - 1],
    mean,
    median: n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    stddev: n > 1 ? Math.sqrt(ss / (n - 1)) : null
  };
}

export class WindowState {
  private readonly open = new Map<string, OpenWindow>();
  /** Largest event time seen (MJD); -Infinity before any record. */
  watermarkMjd = -Infinity;

  constructor(private readonly spec: WindowSpec) {}

  private startSec(k: number): number {
    return k * this.spec.hopSeconds;
  }

  /** Window indices containing event time `tSec`: start = k·hop ≤ t < start + size. */
  private windowsOf(tSec: number): number[] {
    const { windowSeconds, hopSeconds } = this.spec;
    const last = Math.floor(tSec / hopSeconds);
    const out: number[] = [];
    for (let k = last; k * hopSeconds + windowSeconds > tSec; k--) {
      out.push(k);
    }
    return out.reverse();
  }

  /** True when window k is closed for the current watermark. */
  private closed(k: number): boolean {
    const endSec = this.startSec(k) + this.spec.windowSeconds;
    return endSec + this.spec.allowedLatenessSeconds <= this.watermarkMjd * SECONDS_PER_DAY;
  }

  /**
   * Adds one record. Returns false when it is late (no open window). `advance` = false replays a
   * record seen before a restart (the watermark already includes it).
   */
  add(mjd: number, key: string, value: number, offset: bigint, advance = true): boolean {
    const tSec = mjd * SECONDS_PER_DAY;
    let joined = false;
    for (const k of this.windowsOf(tSec)) {
      if (this.closed(k)) {
        continue;
      }
      joined = true;
      const id = `${k}\u0000${key}`;
      const w = this.open.get(id);
      if (w) {
        w.values.push(value);
        if (offset < w.minOffset) {
          w.minOffset = offset;
        }
      } else {
        this.open.set(id, { k, key, values: [value], minOffset: offset });
      }
    }
    if (advance && mjd > this.watermarkMjd) {
      this.watermarkMjd = mjd;
    }
    return joined;
  }

  /** Removes and returns the windows the watermark has closed, by end time then key. */
  emit(): WindowResult[] {
    const done = [...this.open.entries()].filter(([, w]) => this.closed(w.k));
    done.sort(([, a], [, b]) => a.k - b.k || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return done.map(([id, w]) => {
      this.open.delete(id);
      const startSec = this.startSec(w.k);
      return {
        key: w.key,
        windowStartMjd: startSec / SECONDS_PER_DAY,
        windowEndMjd: (startSec + this.spec.windowSeconds) / SECONDS_PER_DAY,
        ...summarize(w.values)
      };
    });
  }

  /** Smallest offset any open window needs, or undefined when none is open. */
  minOpenOffset(): bigint | undefined {
    let min: bigint | undefined;
    for (const w of this.open.values()) {
      if (min === undefined || w.minOffset < min) {
        min = w.minOffset;
      }
    }
    return min;
  }

  get openWindows(): number {
    return this.open.size;
  }
}
