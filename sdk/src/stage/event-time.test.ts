import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EventTimeSpan, NIGHT_HOURS, VISIT_SECONDS } from './event-time.js';

function span(mjds: (number | null)[]): EventTimeSpan {
  const s = new EventTimeSpan();
  s.add(new Table({ mjd: vectorFromArray(mjds, new Float64()) }).batches[0]);
  return s;
}

describe('EventTimeSpan', () => {
  it('counts one night per day_obs when the data cover several nights', () => {
    // 61000.4 is day_obs 60999 (before noon UTC), 61000.6 and 61001.2 are day_obs 61000
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
});
