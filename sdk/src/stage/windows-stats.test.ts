import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  EXACT_MEDIAN_LIMIT,
  MAX_SKETCH_BUCKETS,
  MEDIAN_RELATIVE_ERROR,
  MedianSketch,
  RunningStats
} from './windows-stats.js';
import { WindowState } from './windows.js';

const DAY = 86_400;

/** A full garbage collection (gc exposed at run time), so heapUsed counts live objects only. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** The exact figures, by sorting and two passes. */
function exact(values: number[]) {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const mid = n >> 1;
  const [a, b] = n % 2 === 1 ? [s[mid], s[mid]] : [s[mid - 1], s[mid]];
  const mean = values.reduce((x, y) => x + y, 0) / n;
  const ss = values.reduce((x, y) => x + (y - mean) ** 2, 0);
  return { min: s[0], max: s[n - 1], mean, a, b, median: (a + b) / 2, sd: Math.sqrt(ss / (n - 1)) };
}

function statsOf(values: number[]) {
  const r = new RunningStats();
  for (const v of values) {
    r.add(v);
  }
  return r;
}

const DATASETS: Record<string, (r: () => number, n: number) => number[]> = {
  magnitudes: (r, n) => Array.from({ length: n }, () => 18 + 6 * r()),
  'fluxes (signed, around 0)': (r, n) => Array.from({ length: n }, () => 500 * gauss(r) + 20),
  'log-normal over decades': (r, n) => Array.from({ length: n }, () => Math.exp(8 * gauss(r))),
  'many zeros and ties': (r, n) =>
    Array.from({ length: n }, () => (r() < 0.6 ? 0 : r() < 0.5 ? 3 : -2)),
  'negative only': (r, n) => Array.from({ length: n }, () => -1e-3 * (1 + r()))
};

describe('window running aggregates', () => {
  it('equal the exact figures while a window holds at most the exact limit', () => {
    const r = rng(1);
    for (const [name, make] of Object.entries(DATASETS)) {
      for (const n of [1, 2, 3, 10, 501, EXACT_MEDIAN_LIMIT]) {
        const values = make(r, n);
        const got = statsOf(values).summary();
        const want = exact(values);
        expect([name, got.count, got.min, got.max, got.median, got.medianExact]).toEqual([
          name,
          n,
          want.min,
          want.max,
          want.median,
          true
        ]);
        expect(got.medianRelativeError).toBe(0);
        expect(Math.abs(got.mean - want.mean)).toBeLessThanOrEqual(
          1e-12 * Math.abs(want.max - want.min) + 1e-12 * Math.abs(want.mean)
        );
        if (n > 1) {
          expect(got.stddev).not.toBeNull();
          expect(Math.abs((got.stddev as number) - want.sd)).toBeLessThanOrEqual(
            1e-9 * (want.sd + 1e-12)
          );
        } else {
          expect(got.stddev).toBeNull();
        }
      }
    }
  });

  it('give the median within the stated bound for large windows (exact sort as reference)', () => {
    const r = rng(2);
    for (const [name, make] of Object.entries(DATASETS)) {
      for (const n of [EXACT_MEDIAN_LIMIT + 1, 20_000, 200_001]) {
        const values = make(r, n);
        const stats = statsOf(values);
        const got = stats.summary();
        const want = exact(values);
        expect(got.medianExact, name).toBe(false);
        // a few decades fit the first bound; log-normal over ±30 e-folds merges buckets once or twice
        if (name === 'magnitudes' || name === 'negative only') {
          expect(got.medianRelativeError).toBe(MEDIAN_RELATIVE_ERROR);
        }
        expect(got.medianRelativeError).toBeLessThan(0.1);
        expect([got.count, got.min, got.max]).toEqual([n, want.min, want.max]);
        const bound = got.medianRelativeError * Math.max(Math.abs(want.a), Math.abs(want.b));
        expect(Math.abs(got.median - want.median), `${name} n=${n}`).toBeLessThanOrEqual(
          bound * (1 + 1e-9)
        );
        expect(Math.abs(got.mean - want.mean)).toBeLessThanOrEqual(
          1e-9 * (Math.abs(want.mean) + want.sd)
        );
        expect(Math.abs((got.stddev as number) - want.sd)).toBeLessThanOrEqual(1e-9 * want.sd);
        expect(stats.footprint.values).toBe(0);
      }
    }
  });

  it('a sketch over every decade of doubles merges buckets, states the wider bound and keeps it', () => {
    const r = rng(3);
    const values = Array.from(
      { length: 100_000 },
      () => (r() < 0.5 ? -1 : 1) * 10 ** (600 * r() - 300)
    );
    const sketch = new MedianSketch();
    for (const v of values) {
      sketch.add(v);
    }
    expect(sketch.buckets).toBeLessThanOrEqual(2 * MAX_SKETCH_BUCKETS);
    expect(sketch.relativeError).toBeGreaterThan(MEDIAN_RELATIVE_ERROR);
    expect(sketch.relativeError).toBeLessThan(1);
    const sorted = Float64Array.from(values).sort();
    const ranks = [0, 1000, 25_000, 49_999, 50_000, 75_000, 99_999];
    const got = sketch.valuesAt(ranks);
    ranks.forEach((rank, i) => {
      const v = sorted[rank];
      expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(
        sketch.relativeError * Math.abs(v) * (1 + 1e-9)
      );
    });
  });

  it('a window of 10 M values keeps the same memory as one of 100 k', () => {
    const w = new WindowState(
      { windowSeconds: 3600, hopSeconds: 3600, allowedLatenessSeconds: 0 },
      () => 1e15
    );
    const r = rng(4);
    const heap = (): number => {
      collect();
      return process.memoryUsage().heapUsed;
    };
    const add = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        w.add(1 + i / 1e9 / DAY, 'k', 20 + gauss(r), 5n);
      }
    };
    add(0, 100_000);
    const before = heap();
    add(100_000, 10_000_000);
    const growthMb = (heap() - before) / 2 ** 20;
    // 9.9 M more values: an array of them would take ≥ 79 MB
    expect(growthMb).toBeLessThan(8);
    expect(w.openWindows).toBe(1);
    w.add(2 + 1 / DAY, 'k', 0, 10_000_000n); // a day later: the window closes
    const [out] = w.emit();
    expect(out.count).toBe(10_000_000);
    expect(out.medianExact).toBe(false);
    expect(Math.abs(out.median - 20)).toBeLessThan(0.2);
    expect(out.stddev).toBeCloseTo(1, 2);
  }, 60_000);
});

describe('the open-window bound', () => {
  it('refuses records that need a window beyond maxOpenWindows; closing windows frees room', () => {
    const w = new WindowState(
      { windowSeconds: 60, hopSeconds: 60, allowedLatenessSeconds: 0, maxOpenWindows: 3 },
      () => 1e15
    );
    expect(['a', 'b', 'c'].map(k => w.add(10 / DAY, k, 1, 0n))).toEqual([
      'added',
      'added',
      'added'
    ]);
    expect(w.add(20 / DAY, 'a', 2, 1n)).toBe('added'); // an open window: no new one
    expect(w.add(20 / DAY, 'd', 2, 2n)).toBe('overflow');
    expect(w.openWindows).toBe(3);
    // the next minute needs new windows: overflow, but its time still moves the watermark
    expect(w.add(70 / DAY, 'a', 3, 3n)).toBe('overflow');
    expect(w.emit().map(o => [o.key, o.count])).toEqual([
      ['a', 2],
      ['b', 1],
      ['c', 1]
    ]);
    expect(w.add(71 / DAY, 'd', 4, 4n)).toBe('added');
    expect(w.openWindows).toBe(1);
  });

  it('a hopping record joins all its windows or none', () => {
    const w = new WindowState(
      { windowSeconds: 60, hopSeconds: 20, allowedLatenessSeconds: 0, maxOpenWindows: 4 },
      () => 1e15
    );
    expect(w.add(65 / DAY, 'k', 1, 0n)).toBe('added'); // 3 windows
    expect(w.add(65 / DAY, 'j', 1, 1n)).toBe('overflow'); // would need 3 more
    expect(w.openWindows).toBe(3);
    expect(w.add(66 / DAY, 'k', 2, 2n)).toBe('added');
  });
});

describe('non-finite values', () => {
  it('skips and counts Infinity/NaN instead of hanging or dropping later values', () => {
    const sketch = new MedianSketch();
    for (const v of [1, Infinity, -Infinity, NaN, 2, -3, 4]) {
      sketch.add(v);
    }
    expect(sketch.count).toBe(4);
    expect(sketch.skipped).toBe(3);
    const stats = new RunningStats();
    const values = [Infinity, NaN, -Infinity];
    for (let i = 0; i < EXACT_MEDIAN_LIMIT + 50; i++) {
      values.push(i);
    }
    values.push(NaN, Infinity);
    for (const v of values) {
      stats.add(v);
    }
    const s = stats.summary();
    expect(stats.skipped).toBe(5);
    expect(s.count).toBe(EXACT_MEDIAN_LIMIT + 50);
    expect(s.min).toBe(0);
    expect(s.max).toBe(EXACT_MEDIAN_LIMIT + 49);
    expect(Number.isFinite(s.mean)).toBe(true);
    expect(Number.isFinite(s.median)).toBe(true);
  });
});
