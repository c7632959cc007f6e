import { describe, expect, it } from 'vitest';
import { parseConeQuery } from './cone.js';

describe('parseConeQuery', () => {
  it('accepts good parameters and folds RA', () => {
    expect(
      parseConeQuery({
        ra: '-10',
        dec: '89.99',
        radiusArcsec: '2',
        catalog: 'tycho2',
        columns: 'mag, name'
      })
    ).toEqual({
      ok: true,
      value: {
        raDeg: 350,
        decDeg: 89.99,
        radiusArcsec: 2,
        catalog: 'tycho2',
        columns: ['mag', 'name'],
        mode: 'all'
      }
    });
  });

  it('lists every problem with what is allowed', () => {
    const r = parseConeQuery({ ra: 'x', dec: 91, radiusArcsec: 0, mode: 'some' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toHaveLength(5);
      expect(r.issues.join(' ')).toMatch(
        /between −90 and 90.*0 < radius ≤ 36000.*catalog is required.*'all' or 'nearest'/
      );
    }
    expect(parseConeQuery({ ra: 1, dec: 1, radiusArcsec: 1e9, catalog: 'c' }).ok).toBe(false);
  });
});
