import { describe, expect, it } from 'vitest';
import { alphaDeg, zoneOf } from '../catalog/sky.js';
import { ZoneWindows, lowerBound, rowsInZoneOrder } from './zoneWindows.js';

const D = Math.PI / 180;

/** Points on the circle of radius r around (ra, dec). */
function circle(raDeg: number, decDeg: number, rDeg: number, k: number): [number, number] {
  const pa = (2 * Math.PI * k) / 720;
  const d1 = decDeg * D;
  const o = rDeg * D;
  const d2 = Math.asin(Math.sin(d1) * Math.cos(o) + Math.cos(d1) * Math.sin(o) * Math.cos(pa));
  const dra = Math.atan2(
    Math.sin(pa) * Math.sin(o) * Math.cos(d1),
    Math.cos(o) - Math.sin(d1) * Math.sin(d2)
  );
  return [(((raDeg + dra / D) % 360) + 360) % 360, d2 / D];
}

describe('alphaDeg', () => {
  it.each([
    [0, 1],
    [45, 0.5],
    [-70, 2],
    [89, 0.9],
    [10, 1 / 3600]
  ])('is the largest RA offset on the circle (dec %f, r %f°)', (dec, r) => {
    let maxOffset = 0;
    for (let k = 0; k < 720; k++) {
      const [ra] = circle(100, dec, r, k);
      maxOffset = Math.max(maxOffset, Math.abs(ra - 100));
    }
    const a = alphaDeg(r, dec);
    expect(a).toBeGreaterThanOrEqual(maxOffset - 1e-12); // float noise of the sampled circle
    expect(a - maxOffset).toBeLessThan(a * 1e-4 + 1e-12);
  });

  it('is the whole circle when the circle reaches a pole', () => {
    expect(alphaDeg(1, 89.5)).toBe(180);
    expect(alphaDeg(0.01, -90)).toBe(180);
  });
});

describe('ZoneWindows', () => {
  const h = 1 / 60;
  const zMax = zoneOf(90, h);

  it('covers every point of the circle, splitting windows across RA 0/360', () => {
    const w = new ZoneWindows(2);
    for (const [ra, dec, r] of [
      [0.0001, 10, 0.01],
      [359.9999, -40, 0.05],
      [180, 89.99, 0.02],
      [12, -89.999, 0.5],
      [200, 30, 2]
    ]) {
      const n = w.fill(ra, dec, r, h, zMax);
      for (let k = 0; k < 720; k++) {
        const [pra, pdec] = circle(ra, dec, r * 0.999999, k);
        const z = zoneOf(pdec, h);
        let inside = false;
        for (let j = 0; j < n; j++) {
          inside ||= w.zone[j] === Math.min(z, zMax) && pra >= w.raMin[j] && pra <= w.raMax[j];
        }
        expect({ ra, dec, pra, pdec, inside }).toMatchObject({ inside: true });
      }
      for (let j = 0; j < n; j++) {
        expect(w.raMin[j]).toBeGreaterThanOrEqual(0);
        expect(w.raMax[j]).toBeLessThanOrEqual(360);
      }
    }
  });

  it('orders rows by zone and finds lower bounds', () => {
    const dec = Float64Array.of(10, -80, 45, -80.001);
    expect(Array.from(rowsInZoneOrder(Int32Array.of(0, 1, 2, 3), dec, h, zMax))).toEqual([
      3, 1, 0, 2
    ]);
    const v = Float64Array.of(1, 2, 2, 5, 9);
    expect(lowerBound(v, 2, 0, 5)).toBe(1);
    expect(lowerBound(v, 6, 0, 5)).toBe(4);
    expect(lowerBound(v, 10, 0, 5)).toBe(5);
  });
});
