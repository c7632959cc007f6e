import { describe, expect, it } from 'vitest';
import { mergePoints, pointsTable, type LightcurvePoint } from './points.js';
import { rangesOf } from './read-offsets.js';

const pt = (over: Partial<LightcurvePoint>): LightcurvePoint => ({
  mjd: 60000,
  band: 'g',
  flux: 100,
  fluxErr: 1,
  mag: 20,
  magErr: 0.1,
  totalMag: null,
  totalMagErr: null,
  isDetection: true,
  upperLimitMag: null,
  forced: false,
  alertId: 1n,
  alertMjd: 60000,
  source: 't',
  ...over
});

describe('mergePoints', () => {
  it('one point per (mjd, band, forced); the latest alert wins whatever the reading order', () => {
    const merged = mergePoints([
      pt({ alertId: 3n, alertMjd: 60003, mag: 19.5 }),
      pt({ alertId: 2n, alertMjd: 60002, mag: 19.9 }),
      pt({ forced: true, isDetection: false, alertId: 2n, alertMjd: 60002 }),
      pt({ band: 'r', alertId: 2n, alertMjd: 60002 }),
      pt({ mjd: 59999, band: 'i', alertId: 1n })
    ]);
    expect(merged.map(p => [p.mjd, p.band, p.forced, p.alertId])).toEqual([
      [59999, 'i', false, 1n],
      [60000, 'g', false, 3n],
      [60000, 'g', true, 2n],
      [60000, 'r', false, 2n]
    ]);
    expect(merged[1].mag).toBe(19.5);
  });

  it('between alerts of the same MJD, the one read last wins', () => {
    const merged = mergePoints([pt({ mag: 1, source: 'a' }), pt({ mag: 2, source: 'b' })]);
    expect(merged).toHaveLength(1);
    expect(merged[0].source).toBe('b');
  });

  it('builds a typed table (empty too) with int64 alert ids intact', () => {
    const big = (1n << 62n) + 7n;
    const t = pointsTable([pt({ alertId: big, upperLimitMag: null })], { found: '1' });
    expect(t.numRows).toBe(1);
    expect(t.getChild('alertId')?.get(0)).toBe(big);
    expect(t.getChild('upperLimitMag')?.get(0)).toBeNull();
    expect(t.schema.metadata.get('found')).toBe('1');
    const empty = pointsTable([]);
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.length).toBe(13);
  });
});

describe('rangesOf', () => {
  it('merges runs of offsets into [from, to) ranges', () => {
    expect(rangesOf([9n, 3n, 4n, 5n, 4n, 12n])).toEqual([
      { from: 3n, to: 6n },
      { from: 9n, to: 10n },
      { from: 12n, to: 13n }
    ]);
  });
});
