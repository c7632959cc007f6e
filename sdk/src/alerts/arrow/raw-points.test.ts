import { makeVector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { LightcurveColumn } from './lightcurve.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

type Point = readonly [mjd: number, flux: number, band: string | null];

/** Writes points through the column's sinks as a generated reader does. */
function write(lc: LightcurveColumn, points: readonly Point[], fluxErr = 10): void {
  const s = lc.sinks;
  for (const [mjd, flux, band] of points) {
    s.mjd.append(mjd);
    s.flux.append(flux);
    s.fluxErr.append(fluxErr);
    if (band === null) {
      s.band.appendNull();
    } else {
      s.band.appendBytes(bytes(`x${band}`), 1, band.length);
    }
  }
}

const values = (d: { getValid(i: number): boolean; values: ArrayLike<unknown> }, n: number) =>
  Array.from({ length: n }, (_, k) => (d.getValid(k) ? d.values[k] : null));

describe('lightcurve points written through sinks', () => {
  it('commits ranges, derives AB magnitudes, flags forced points and keeps nulls', () => {
    const lc = new LightcurveColumn();
    lc.beginPoints();
    write(lc, [
      [60000.5, 3631e9, 'g'],
      [60001.5, -5, 'r'],
      [NaN, 1000, null]
    ]);
    lc.commitPoints(true);
    write(lc, [[60002.5, NaN, 'wide']]);
    lc.commitPoints(false);
    lc.closeRow();
    const data = lc.finish();
    const s = data.children[0];
    expect(values(s.children[0], 4)).toEqual([60000.5, 60001.5, null, 60002.5]);
    expect(s.children[0].nullCount).toBe(1);
    const bands = [...makeVector(s.children[1])];
    expect(bands).toEqual(['g', 'r', null, 'wide']);
    expect(s.children[1].nullCount).toBe(1);
    expect(s.children[2].nullCount).toBe(1); // flux NaN
    const mag = values(s.children[4], 4) as Array<number | null>;
    expect(mag[0]).toBeCloseTo(31.4 - 2.5 * Math.log10(3631e9), 9); // ≈ 0: 3631 Jy
    expect(mag[1]).toBeNull(); // negative flux: no magnitude
    expect(mag[2]).toBeCloseTo(31.4 - 2.5 * Math.log10(1000), 9);
    expect(mag[3]).toBeNull();
    expect(s.children[4].nullCount).toBe(2);
    const magErr = values(s.children[5], 4) as Array<number | null>;
    expect(magErr[2]).toBeCloseTo((1.0857 * 10) / 1000, 12);
    expect(s.children[5].nullCount).toBe(2);
    expect(s.children[7].nullCount).toBe(4); // no upper limits for flux points
    const forced = s.children[8].values[0] as number;
    const detection = s.children[6].values[0] as number;
    expect(forced & 15).toBe(7);
    expect(detection & 15).toBe(8);
  });

  it('fills a field the array lacks with nulls', () => {
    const lc = new LightcurveColumn();
    lc.beginPoints();
    lc.sinks.mjd.append(1);
    lc.sinks.mjd.append(2);
    lc.commitPoints(false);
    lc.closeRow();
    const s = lc.finish().children[0];
    expect(values(s.children[0], 2)).toEqual([1, 2]);
    for (const k of [1, 2, 3, 4, 5]) {
      expect(s.children[k].nullCount).toBe(2);
    }
  });

  it('grows past its capacity while a reader writes, and undoes uncommitted points', () => {
    const lc = new LightcurveColumn();
    const many: Point[] = Array.from({ length: 700 }, (_, i) => [i, i + 1, i % 2 ? 'r' : null]);
    lc.beginPoints();
    write(lc, many);
    lc.commitPoints(false);
    lc.closeRow();
    lc.beginPoints();
    write(lc, many); // a rejected alert: written, not committed
    lc.truncate(1);
    write(lc, [[5000, -1, 'z']]);
    lc.commitPoints(true);
    lc.closeRow();
    const d = lc.finish();
    const s = d.children[0];
    expect(s.length).toBe(701);
    expect(s.children[0].values[700]).toBe(5000);
    expect(makeVector(s.children[1]).get(700)).toBe('z');
    expect(s.children[1].nullCount).toBe(350);
    expect(s.children[4].nullCount).toBe(1);
    expect(values(s.children[8], 701).filter(Boolean).length).toBe(1);
  });

  it('keeps upper limits right when flux points (no limits) and limit points mix, through a truncate', () => {
    const lc = new LightcurveColumn();
    const flux = (): void => {
      lc.beginPoints();
      write(lc, [[1, 100, 'g']], 1);
      lc.commitPoints(false);
    };
    const limitPoint = (mjd: number, limit: number): void =>
      lc.push(mjd, NaN, NaN, NaN, NaN, false, false, limit, false, bytes('r'), 0, 1);
    flux(); // point 0: no limit
    limitPoint(2, 20.5); // point 1: a limit
    lc.closeRow();
    flux();
    limitPoint(3, 19); // rejected row below
    lc.truncate(1);
    flux(); // point 2
    lc.closeRow();
    const limits = lc.finish().children[0].children[7];
    expect(values(limits, 3)).toEqual([null, 20.5, null]);
    expect(limits.nullCount).toBe(2);
    // a batch with no limit at all shares one all-null buffer
    flux();
    lc.closeRow();
    expect(lc.finish().children[0].children[7].nullCount).toBe(1);
  });
});
