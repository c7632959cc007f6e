import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EventTimeSpan, NIGHT_HOURS, VISIT_SECONDS, daytimeSplitHour } from './event-time.js';

function span(mjds: (number | null)[]): EventTimeSpan {
  const s = new EventTimeSpan();
  s.add(new Table({ mjd: vectorFromArray(mjds, new Float64()) }).batches[0]);
  return s;
}

describe('EventTimeSpan', () => {
  it('counts one night per night when the data cover several nights', () => {
    // exposures at 09:36, 14:24 and (next day) 04:48 UTC: the night splits at 21:00 UTC
    const summary = span([61000.4, 61000.6, 61001.2, null]).summary();
    expect(summary?.distinctNights).toBe(2);
    expect(summary?.nights).toBe(2);
    expect(summary?.alertsWithTime).toBe(3);
  });

  it('counts the part of a night a single-night sample spans, at least one visit', () => {
    const hour = 1 / 24;
    expect(span([61000.6, 61000.6 + hour]).summary()?.nights).toBeCloseTo(1 / NIGHT_HOURS, 9);
    expect(span([61000.6, 61000.6]).summary()?.nights).toBeCloseTo(
      VISIT_SECONDS / 3600 / NIGHT_HOURS,
      9
    );
    expect(span([61000.55, 61000.55 + 11 * hour]).summary()?.nights).toBe(1);
  });

  it('has no summary without times', () => {
    expect(span([null, Number.NaN]).summary()).toBeNull();
  });

  it('keeps a ZTF night whole though it straddles noon UTC (day_obs would make it two)', () => {
    // the real ZTF sample: one Palomar night, exposures from 03:21 to 12:07 UTC
    const first = 61121.1397338002;
    const last = 61121.50502309995;
    const summary = span([first, 61121.3, 61121.45, last]).summary();
    expect(summary?.distinctNights).toBe(1);
    expect(summary?.nights).toBeCloseTo(((last - first) * 24) / NIGHT_HOURS, 9);
    // two such nights are two
    expect(span([first, last, first + 1, last + 1]).summary()?.distinctNights).toBe(2);
  });

  it('splits Rubin nights as day_obs does, and at 12:00 UTC when every hour has exposures', () => {
    // a Rubin night in Chile: 23:30 to 09:30 UTC, day_obs 61000 (floor(mjd - 0.5))
    const night = [61000.98, 61001.1, 61001.39];
    expect(span([...night, ...night.map(t => t + 1)]).summary()?.distinctNights).toBe(2);
    expect(span(night).summary()?.distinctNights).toBe(1);
    expect(daytimeSplitHour(Array.from({ length: 48 }, (_, h) => 24 * 61000 + h))).toBe(12);
    // hours 3 and 12 used: the longest empty run is 13:00-02:59 (14 h), split in its middle
    expect(daytimeSplitHour([3, 12])).toBe(20);
  });
});
