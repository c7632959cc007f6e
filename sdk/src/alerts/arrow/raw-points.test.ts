import { describe, expect, it } from 'vitest';
import { LightcurveColumn } from './lightcurve.js';
import { BandDictionary, NULL_BAND, RawPoints } from './raw-points.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('raw lightcurve points', () => {
  it('codes one-byte and longer bands through one dictionary, nulls as 255', () => {
    const dict = new BandDictionary();
    const raw = new RawPoints(dict);
    raw.band.appendBytes(bytes('xgy'), 1, 1);
    raw.band.appendBytes(bytes('r'), 0, 1);
    raw.band.appendBytes(bytes('g'), 0, 1);
    raw.band.appendNull();
    raw.band.appendBytes(bytes('wide'), 0, 4);
    expect([...raw.band.codes.subarray(0, raw.band.n)]).toEqual([0, 1, 0, NULL_BAND, 2]);
    expect(dict.bytes.map(b => new TextDecoder().decode(b))).toEqual(['g', 'r', 'wide']);
  });

  it('pushRaw copies ranges, derives AB magnitudes, flags forced points and keeps nulls', () => {
    const raw = new RawPoints(new BandDictionary());
    for (const [mjd, flux, band] of [
      [60000.5, 3631e9, 'g'],
      [60001.5, -5, 'r'],
      [NaN, 1000, null]
    ] as const) {
      raw.mjd.append(mjd);
      raw.flux.append(flux);
      raw.fluxErr.append(10);
      if (band === null) {
        raw.band.appendNull();
      } else {
        raw.band.appendBytes(bytes(band), 0, 1);
      }
    }
    const lc = new LightcurveColumn();
    lc.pushRaw(raw, true);
    lc.closeRow();
    const data = lc.finish();
    const s = data.children[0];
    const col = (i: number): unknown[] =>
      Array.from({ length: 3 }, (_, k) =>
        s.children[i].getValid(k) ? s.children[i].values[k] : null
      );
    expect(col(0)).toEqual([60000.5, 60001.5, null]);
    const mag = col(4) as Array<number | null>;
    expect(mag[0]).toBeCloseTo(31.4 - 2.5 * Math.log10(3631e9), 9); // ≈ 0: 3631 Jy
    expect(mag[1]).toBeNull(); // negative flux: no magnitude
    expect(mag[2]).toBeCloseTo(31.4 - 2.5 * Math.log10(1000), 9);
    expect(s.children[1].nullCount).toBe(1);
    expect(s.children[7].nullCount).toBe(3); // no upper limits for flux points
    const forced = s.children[8].values[0] as number;
    const detection = s.children[6].values[0] as number;
    expect(forced & 7).toBe(7);
    expect(detection & 7).toBe(0);
  });

  it('keeps upper limits right when flux points (no limits) and limit points mix, through a truncate', () => {
    const raw = new RawPoints(new BandDictionary());
    raw.mjd.append(1);
    raw.flux.append(100);
    raw.fluxErr.append(1);
    raw.band.appendBytes(bytes('g'), 0, 1);
    const lc = new LightcurveColumn();
    const limitPoint = (mjd: number, limit: number): void =>
      lc.push(mjd, NaN, NaN, NaN, NaN, false, false, limit, false, bytes('r'), 0, 1);
    lc.pushRaw(raw, false); // point 0: no limit
    limitPoint(2, 20.5); // point 1: a limit
    lc.closeRow();
    lc.pushRaw(raw, false);
    limitPoint(3, 19); // rejected row below
    lc.truncate(1);
    lc.pushRaw(raw, false); // point 2
    lc.closeRow();
    const limits = lc.finish().children[0].children[7];
    const got = Array.from({ length: 3 }, (_, k) => (limits.getValid(k) ? limits.values[k] : null));
    expect(got).toEqual([null, 20.5, null]);
    expect(limits.nullCount).toBe(2);
    // a batch with no limit at all shares one all-null buffer
    lc.pushRaw(raw, true);
    lc.closeRow();
    expect(lc.finish().children[0].children[7].nullCount).toBe(1);
  });
});
