/**
 * Event time that bad data cannot poison (issue 15, part 4): window arithmetic in integer ms,
 * a watermark capped at processing time + skew, a bounded number of windows per record, and no
 * filter section smuggled into an aggregate manifest.
 */
import { describe, expect, it } from 'vitest';
import { parseMetadata } from './aggregate-stage.js';
import { safeParseStageManifest } from './manifest.js';
import {
  MAX_WINDOWS_PER_RECORD,
  MS_PER_DAY,
  WindowState,
  mjdToMs,
  type WindowSpec
} from './windows.js';

const NOW_MJD = 61_380;
const clock = (): number => NOW_MJD * MS_PER_DAY;
const spec: WindowSpec = {
  windowSeconds: 600,
  hopSeconds: 300,
  allowedLatenessSeconds: 60,
  maxFutureSkewSeconds: 3600
};
const DAY = 86_400;

describe('event-time windows under bad data', () => {
  it('an alert with mjd = 1e12 is refused as future in constant time; the watermark stays', () => {
    const w = new WindowState(spec, clock);
    expect(w.add(NOW_MJD - 0.1, 'g', 1, 0n)).toBe('added');
    const wm = w.watermarkMs;
    const t0 = performance.now();
    expect(w.add(1e12, 'g', 2, 1n)).toBe('future');
    expect(w.add(Number.MAX_VALUE, 'g', 2, 2n)).toBe('future');
    expect(w.add(-1e12, 'g', 2, 3n)).toBe('out-of-range');
    expect(performance.now() - t0).toBeLessThan(50);
    expect(w.watermarkMs).toBe(wm);
    expect(w.openWindows).toBe(2);
  });

  it('a far-future record inside the MJD range does not move the watermark', () => {
    const w = new WindowState(spec, clock);
    expect(w.add(NOW_MJD - 1, 'g', 1, 0n)).toBe('added');
    expect(w.add(NOW_MJD + 10, 'g', 1, 1n)).toBe('future'); // ten days ahead of the clock
    expect(w.add(NOW_MJD + 3000 / DAY, 'g', 1, 2n)).toBe('added'); // within the 3600 s skew
    expect(w.add(NOW_MJD - 1 + 100 / DAY, 'g', 1, 3n)).toBe('late'); // the 3000 s one moved it
    const w2 = new WindowState(spec, clock);
    w2.add(NOW_MJD - 1, 'g', 1, 0n);
    w2.add(NOW_MJD + 10, 'g', 1, 1n);
    // every later in-order alert still joins a window (today's code: all late)
    for (let i = 1; i <= 20; i++) {
      expect(w2.add(NOW_MJD - 1 + (i * 60) / DAY, 'g', i, BigInt(i + 1))).toBe('added');
    }
    expect(w2.watermarkMjd).toBeCloseTo(NOW_MJD - 1 + 1200 / DAY, 9);
  });

  it('the processing-time horizon follows the clock', () => {
    let now = clock();
    const w = new WindowState(spec, () => now);
    expect(w.add(NOW_MJD + 2 / 24, 'g', 1, 0n)).toBe('future');
    now += 2 * 3600 * 1000;
    expect(w.add(NOW_MJD + 2 / 24, 'g', 1, 1n)).toBe('added');
  });

  it('a watermark committed before the rule is capped at now + skew on restore', () => {
    const w = new WindowState(spec, clock);
    const kept = w.restoreWatermark(mjdToMs(NOW_MJD + 400) as number);
    expect(kept).toBe(clock() + 3600 * 1000);
    // an hour of alerts later: joins a window (under the uncapped watermark it would be late)
    expect(w.add(NOW_MJD + 3000 / DAY, 'g', 1, 0n)).toBe('added');
  });

  it('commit metadata written before integer ms (v1) is read, a poisoned watermark as the horizon', () => {
    expect(parseMetadata('{"v":1,"watermarkMjd":61000.5,"next":"42"}')).toEqual({
      v: 2,
      watermarkMs: 61000.5 * MS_PER_DAY,
      next: '42'
    });
    const poisoned = parseMetadata('{"v":1,"watermarkMjd":1e12,"next":"7"}');
    const w = new WindowState(spec, clock);
    w.restoreWatermark(poisoned?.watermarkMs as number);
    expect(w.watermarkMs).toBe(clock() + 3600 * 1000);
    expect(parseMetadata('{"v":2,"watermarkMs":null,"next":"x"}')).toBeUndefined();
    expect(parseMetadata('not json')).toBeUndefined();
  });

  it('a replayed record beyond the watermark was future before the restart and stays out', () => {
    const w = new WindowState(spec, clock);
    w.restoreWatermark(mjdToMs(NOW_MJD - 1) as number);
    expect(w.add(NOW_MJD - 1 - 10 / DAY, 'g', 1, 0n, false)).toBe('added');
    expect(w.add(NOW_MJD - 1 + 10 / DAY, 'g', 1, 1n, false)).toBe('future');
    expect(w.watermarkMjd).toBe(NOW_MJD - 1);
  });

  it('window arithmetic is exact integer ms: windows of extreme valid times', () => {
    const w = new WindowState(
      { windowSeconds: 7, hopSeconds: 3, allowedLatenessSeconds: 0, maxFutureSkewSeconds: 0 },
      () => 1e7 * MS_PER_DAY
    );
    expect(w.add(1e7 - 1e-9, 'k', 1, 0n)).toBe('added');
    expect(w.openWindows).toBe(3); // ⌈7/3⌉ windows contain any instant
    const big = new WindowState(
      { windowSeconds: 366 * DAY, hopSeconds: 366 * DAY, allowedLatenessSeconds: 0 },
      () => 1e7 * MS_PER_DAY
    );
    expect(big.add(9_999_999.5, 'k', 1, 0n)).toBe('added');
    expect(big.openWindows).toBe(1);
  });

  it('refuses a spec that puts one record in more than the bound of windows', () => {
    expect(
      () =>
        new WindowState({ windowSeconds: 366 * DAY, hopSeconds: 0.001, allowedLatenessSeconds: 0 })
    ).toThrow(/at most 1000/);
    expect(
      () =>
        new WindowState({
          windowSeconds: MAX_WINDOWS_PER_RECORD,
          hopSeconds: 1,
          allowedLatenessSeconds: 0
        })
    ).not.toThrow();
  });
});

const aggregate = {
  id: 'agg',
  kind: 'aggregate',
  input: { topic: 'alerts' },
  deadLetterTopic: 'agg-dlq',
  aggregate: { topic: 'agg-windows', windowSeconds: 600, groupBy: 'band', value: 'psfFlux' }
};

describe('aggregate manifest validation', () => {
  const issues = (raw: unknown): string[] => {
    const r = safeParseStageManifest(raw);
    return r.ok ? [] : r.issues.map(i => `${i.path}: ${i.message}`);
  };

  it('defaults the future skew and accepts a sane spec', () => {
    const r = safeParseStageManifest(aggregate);
    expect(r.ok && r.value.aggregate?.maxFutureSkewSeconds).toBe(3600);
  });

  it('refuses a 366-day window with a 1 ms hop, naming the bound', () => {
    const got = issues({
      ...aggregate,
      aggregate: { ...aggregate.aggregate, windowSeconds: 366 * DAY, hopSeconds: 0.001 }
    });
    expect(got).toEqual([
      expect.stringMatching(
        /^aggregate\.hopSeconds: puts each record in 31622400000 windows.*at most 1000/
      )
    ]);
  });

  it('refuses durations that are not whole milliseconds and a negative skew', () => {
    const got = issues({
      ...aggregate,
      aggregate: { ...aggregate.aggregate, windowSeconds: 600.0004, maxFutureSkewSeconds: -1 }
    });
    expect(got.map(g => g.split(':')[0]).sort()).toEqual([
      'aggregate.maxFutureSkewSeconds',
      'aggregate.windowSeconds'
    ]);
  });

  it('refuses a filter section on an aggregate or archive stage (it would never run)', () => {
    const filter = { language: 'sql', kind: 'yesno', source: 'true' };
    expect(issues({ ...aggregate, filter })).toEqual([
      expect.stringMatching(/^filter: a aggregate stage runs no filter/)
    ]);
    expect(
      issues({
        id: 'arch',
        kind: 'archive',
        input: { topic: 'alerts' },
        deadLetterTopic: 'd',
        archive: { path: '/tmp/x' },
        filter
      })
    ).toEqual([expect.stringMatching(/^filter: a archive stage runs no filter/)]);
  });
});
