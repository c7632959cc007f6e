import { describe, expect, it } from 'vitest';
import { nightOf, parseArchiveFileName } from './archive-stage.js';
import { WindowState, summarize } from './windows.js';

const DAY = 86_400;

describe('event-time windows', () => {
  it('tumbling windows close when the watermark passes end + lateness', () => {
    const w = new WindowState({ windowSeconds: 60, hopSeconds: 60, allowedLatenessSeconds: 30 });
    w.add(100 / DAY, 'g', 1, 0n);
    w.add(110 / DAY, 'g', 3, 1n);
    w.add(130 / DAY, 'r', 5, 2n);
    expect(w.emit()).toEqual([]);
    w.add(200 / DAY, 'g', 9, 3n); // watermark 200 ≥ 120 + 30: window [60, 120) closes
    const out = w.emit();
    expect(out.map(o => [o.key, o.count, o.min, o.max, o.mean, o.median])).toEqual([
      ['g', 2, 1, 3, 2, 2]
    ]);
    expect(w.add(70 / DAY, 'g', 7, 4n)).toBe('late'); // late: its only window is closed
    expect(w.add(150 / DAY, 'r', 7, 5n)).toBe('added'); // [120, 180) open until 210
    expect(w.minOpenOffset()).toBe(2n);
  });

  it('hopping windows put a record in every window that holds it', () => {
    const w = new WindowState({ windowSeconds: 60, hopSeconds: 20, allowedLatenessSeconds: 0 });
    w.add(65 / DAY, 'k', 1, 0n);
    expect(w.openWindows).toBe(3); // [20,80) [40,100) [60,120)
  });

  it('summarizes with sample stddev and an even-count median', () => {
    expect(summarize([4, 1, 3, 2])).toMatchObject({
      count: 4,
      min: 1,
      max: 4,
      mean: 2.5,
      median: 2.5
    });
    expect(summarize([4, 1, 3, 2]).stddev).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(summarize([7]).stddev).toBeNull();
  });
});

describe('archive naming', () => {
  it('nights are UTC−12 h dates (day_obs), exposure days UTC dates', () => {
    expect(nightOf(60676.25, 'exposure-day')).toBe('2025-01-01');
    expect(nightOf(60676.25, 'night')).toBe('2024-12-31');
    expect(nightOf(60676.75, 'night')).toBe('2025-01-01');
    // a poisoned time must not throw (the archive stage would crash on every replay)
    expect(nightOf(1e12, 'night')).toBe('unknown');
  });
  it('parses file names', () => {
    expect(
      parseArchiveFileName('a-b-p3-00000000000000000010-00000000000000000020.parquet.tmp')
    ).toEqual({
      topic: 'a-b',
      partition: 3,
      first: 10n,
      last: 20n,
      temp: true
    });
    expect(parseArchiveFileName('other.parquet')).toBeUndefined();
  });
});
