import { describe, expect, it } from 'vitest';
import { HealpixRing } from './healpix.js';

describe('HealpixRing', () => {
  it.each([1, 2, 4, 8, 16, 64])('pixelOf(centre(p)) === p for every pixel at nside %i', nside => {
    const hp = new HealpixRing(nside);
    const v = new Float64Array(3);
    for (let p = 0; p < hp.npix; p++) {
      hp.centre(p, v);
      expect(hp.pixelOf(v[2], Math.atan2(v[1], v[0]))).toBe(p);
    }
  });

  it('puts random points in a pixel whose centre is near (≤ 1.5 pixel sizes)', () => {
    const hp = new HealpixRing(32);
    const size = Math.sqrt((4 * Math.PI) / hp.npix);
    const v = new Float64Array(3);
    for (let k = 0; k < 20000; k++) {
      const z = Math.random() * 2 - 1;
      const phi = Math.random() * 2 * Math.PI;
      hp.centre(hp.pixelOf(z, phi), v);
      const s = Math.sqrt(1 - z * z);
      const dot = s * Math.cos(phi) * v[0] + s * Math.sin(phi) * v[1] + z * v[2];
      expect(Math.acos(Math.min(1, dot))).toBeLessThan(1.5 * size);
    }
  });

  it('disc ranges list exactly the pixels whose centres are within the radius', () => {
    const hp = new HealpixRing(16);
    const v = new Float64Array(3);
    for (const [dec, ra, r] of [
      [0, 10, 0.2],
      [89.9, 45, 0.3],
      [-89.99, 300, 0.05],
      [45, 359.9, 0.1],
      [-30, 0.01, 1.0]
    ]) {
      const zc = Math.sin((dec * Math.PI) / 180);
      const phic = (ra * Math.PI) / 180;
      const got = new Set<number>();
      hp.discRanges(zc, phic, r, (a, b) => {
        for (let p = a; p <= b; p++) {
          expect(got.has(p)).toBe(false);
          got.add(p);
        }
      });
      const c = Math.sqrt(1 - zc * zc);
      const want = new Set<number>();
      for (let p = 0; p < hp.npix; p++) {
        hp.centre(p, v);
        const dot = c * Math.cos(phic) * v[0] + c * Math.sin(phic) * v[1] + zc * v[2];
        if (dot >= Math.cos(r)) {
          want.add(p);
        }
      }
      expect([...got].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
    }
  });
});
