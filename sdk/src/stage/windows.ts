/**
 * Event-time windows (pure logic, no Kafka): tumbling (hop = size) or hopping windows aligned to
 * MJD 0, grouped by a key, over one numeric value. All window arithmetic is in integer
 * milliseconds of MJD (safe integers: |MJD| ≤ {@link MAX_ABS_MJD}), so the windows of a record are
 * found in at most ⌈size / hop⌉ steps whatever its time — never a float loop.
 *
 * The watermark is the largest event time accepted so far (records in offset order), and it never
 * runs ahead of processing time plus the allowed future skew: a record beyond now + skew is
 * `future` (it joins no window and does not move the watermark), so one bad clock cannot make
 * every later record late. A record joins each of its windows whose end + allowed lateness is
 * still after the watermark; a record with no such window is `late`. A window is emitted once the
 * watermark reaches end + lateness, with count, min, max, mean, median and the sample standard
 * deviation (n − 1; null below two values).
 *
 * Memory is bounded whatever the data: an open window holds running aggregates, not its values
 * (windows-stats.ts: exact count/min/max/mean/stddev; the median exact up to 512 values, then
 * from a sketch within a stated relative error, given in each result), and at most
 * `maxOpenWindows` windows (keys × windows) are open at once: a record that needs a new window
 * beyond that is `overflow` (it joins no window; its event time still moves the watermark, so
 * open windows keep closing).
 */
import { RunningStats, type WindowSummary } from './windows-stats.js';

export const MS_PER_DAY = 86_400_000;
/** MJD of the Unix epoch (1970-01-01). */
export const UNIX_EPOCH_MJD = 40_587;
/** Event times outside ±this MJD are refused (`out-of-range`): ms of MJD stay safe integers. */
export const MAX_ABS_MJD = 1e7;
/** Most windows one record may join (⌈windowSeconds / hopSeconds⌉); manifests beyond are refused. */
export const MAX_WINDOWS_PER_RECORD = 1000;
/** How far ahead of processing time an event time may be. @default 3600 s */
export const DEFAULT_MAX_FUTURE_SKEW_SECONDS = 3600;
/**
 * Most windows (keys × windows) open at once in one WindowState: with at most
 * WINDOW_MEDIAN_BYTES (8 KiB) of median state each, ~0.5 GB in the worst case. @default 50000
 */
export const DEFAULT_MAX_OPEN_WINDOWS = 50_000;

export interface WindowSpec {
  windowSeconds: number;
  hopSeconds: number;
  allowedLatenessSeconds: number;
  /** Event times later than now + this are `future`. @default {@link DEFAULT_MAX_FUTURE_SKEW_SECONDS} */
  maxFutureSkewSeconds?: number;
  /** Records needing a new window beyond this many open ones are `overflow`. @default {@link DEFAULT_MAX_OPEN_WINDOWS} */
  maxOpenWindows?: number;
}

/** What became of one record. */
export type AddResult = 'added' | 'late' | 'future' | 'out-of-range' | 'overflow';

/** One emitted window (the median's exactness and error bound are in the summary). */
export interface WindowResult extends WindowSummary {
  key: string;
  windowStartMjd: number;
  windowEndMjd: number;
}

interface OpenWindow {
  k: number;
  key: string;
  stats: RunningStats;
  /** Smallest input offset that contributed (what a restart must replay from). */
  minOffset: bigint;
}

/** Processing time as ms of MJD. */
export const nowMjdMs = (): number => Date.now() + UNIX_EPOCH_MJD * MS_PER_DAY;

/** Seconds → whole milliseconds. */
export const secondsToMs = (s: number): number => Math.round(s * 1000);

/** An MJD as integer ms, or undefined when it is not finite or beyond ±{@link MAX_ABS_MJD}. */
export function mjdToMs(mjd: number): number | undefined {
  return Number.isFinite(mjd) && Math.abs(mjd) <= MAX_ABS_MJD
    ? Math.round(mjd * MS_PER_DAY)
    : undefined;
}

/** ⌊a / b⌋ of safe integers, exactly (b > 0). */
function floorDiv(a: number, b: number): number {
  const r = ((a % b) + b) % b;
  return (a - r) / b;
}

/** How many windows one record joins: ⌈size / hop⌉ (whole ms). */
export function windowsPerRecord(windowSeconds: number, hopSeconds: number): number {
  const hopMs = Math.max(1, secondsToMs(hopSeconds));
  return Math.ceil(secondsToMs(windowSeconds) / hopMs);
}

/** Summary statistics of a list of values (the same running aggregates a window keeps). */
export function summarize(values: readonly number[]): WindowSummary {
  const stats = new RunningStats();
  for (const v of values) {
    stats.add(v);
  }
  return stats.summary();
}

export class WindowState {
  private readonly open = new Map<string, OpenWindow>();
  private readonly windowMs: number;
  private readonly hopMs: number;
  private readonly latenessMs: number;
  private readonly skewMs: number;
  private readonly maxOpen: number;
  /** Largest accepted event time (ms of MJD); -Infinity before any record. */
  watermarkMs = -Infinity;

  /** `clock` returns processing time as ms of MJD (tests pass a fixed one). */
  constructor(
    spec: WindowSpec,
    private readonly clock: () => number = nowMjdMs
  ) {
    this.windowMs = secondsToMs(spec.windowSeconds);
    this.hopMs = secondsToMs(spec.hopSeconds);
    this.latenessMs = secondsToMs(spec.allowedLatenessSeconds);
    this.skewMs = secondsToMs(spec.maxFutureSkewSeconds ?? DEFAULT_MAX_FUTURE_SKEW_SECONDS);
    this.maxOpen = spec.maxOpenWindows ?? DEFAULT_MAX_OPEN_WINDOWS;
    const per = this.hopMs >= 1 ? Math.ceil(this.windowMs / this.hopMs) : Infinity;
    if (!(this.windowMs >= 1 && this.hopMs <= this.windowMs && per <= MAX_WINDOWS_PER_RECORD)) {
      throw new RangeError(
        `Window spec puts one record in ${per} windows (size ${this.windowMs} ms, hop ${this.hopMs} ms); at most ${MAX_WINDOWS_PER_RECORD} are allowed. Use a longer hop.`
      );
    }
  }

  /** The watermark as MJD (-Infinity before any record). */
  get watermarkMjd(): number {
    return this.watermarkMs / MS_PER_DAY;
  }

  /** The latest event time accepted now (ms of MJD). */
  horizonMs(): number {
    return this.clock() + this.skewMs;
  }

  /**
   * Restores a committed watermark, capped at now + skew (a watermark a far-future record moved
   * before this rule existed heals on restart). Returns the watermark kept.
   */
  restoreWatermark(ms: number): number {
    this.watermarkMs = Math.min(ms, this.horizonMs());
    return this.watermarkMs;
  }

  /** True when window k is closed for the current watermark. */
  private closed(k: number): boolean {
    return k * this.hopMs + this.windowMs + this.latenessMs <= this.watermarkMs;
  }

  /**
   * Adds one record. `advance` = false replays a record seen before a restart: the watermark
   * already includes it, and one beyond the watermark was never accepted (it was future).
   */
  add(mjd: number, key: string, value: number, offset: bigint, advance = true): AddResult {
    const tMs = mjdToMs(mjd);
    if (tMs === undefined) {
      return mjd > 0 ? 'future' : 'out-of-range';
    }
    if (advance ? tMs > this.horizonMs() : tMs > this.watermarkMs) {
      return 'future';
    }
    const last = floorDiv(tMs, this.hopMs);
    const first = floorDiv(tMs - this.windowMs, this.hopMs) + 1;
    const joins: Array<[number, string, OpenWindow | undefined]> = [];
    let fresh = 0;
    for (let k = first; k <= last; k++) {
      if (!this.closed(k)) {
        const id = `${k}\u0000${key}`;
        const w = this.open.get(id);
        fresh += w ? 0 : 1;
        joins.push([k, id, w]);
      }
    }
    const overflow = this.open.size + fresh > this.maxOpen;
    if (!overflow) {
      for (const [k, id, found] of joins) {
        const w = found ?? { k, key, stats: new RunningStats(), minOffset: offset };
        if (!found) {
          this.open.set(id, w);
        }
        w.stats.add(value);
        if (offset < w.minOffset) {
          w.minOffset = offset;
        }
      }
    }
    if (advance && tMs > this.watermarkMs) {
      this.watermarkMs = tMs;
    }
    return joins.length === 0 ? 'late' : overflow ? 'overflow' : 'added';
  }

  /** Removes and returns the windows the watermark has closed, by end time then key. */
  emit(): WindowResult[] {
    const done = [...this.open.entries()].filter(([, w]) => this.closed(w.k));
    done.sort(([, a], [, b]) => a.k - b.k || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return done.map(([id, w]) => {
      this.open.delete(id);
      const startMs = w.k * this.hopMs;
      return {
        key: w.key,
        windowStartMjd: startMs / MS_PER_DAY,
        windowEndMjd: (startMs + this.windowMs) / MS_PER_DAY,
        ...w.stats.summary()
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
