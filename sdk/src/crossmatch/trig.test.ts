import { describe, expect, it } from 'vitest';
import { arcsecOfChord2, unitVectors } from '../catalog/sky.js';
import { arcsecOfChord2Fast, unitVectorsFast } from './trig.js';

/**
 * sin and cos of an angle in degrees to within an ulp or so: the angle is first reduced exactly to
 * |r| ≤ 45° around a multiple of 90° (Sterbenz), so Math.sin/Math.cos see an argument whose
 * rounding is small. (Math.sin(ra · π/180) for ra near 360° carries ~5e-16 from rounding the
 * argument alone.)
 */
function sinCosDeg(deg: number): [number, number] {
  const q = Math.round(deg / 90);
  const r = (deg - 90 * q) * (Math.PI / 180);
  const s = Math.sin(r);
  const c = Math.cos(r);
  switch (((q % 4) + 4) % 4) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}

function accurateVectors(ra: Float64Array, dec: Float64Array): Float64Array[] {
  const out = [0, 1, 2].map(() => new Float64Array(ra.length));
  for (let i = 0; i < ra.length; i++) {
    const [sa, ca] = sinCosDeg(ra[i]);
    const [sd, cd] = sinCosDeg(dec[i]);
    out[0][i] = cd * ca;
    out[1][i] = cd * sa;
    out[2][i] = sd;
  }
  return out;
}

/** Largest difference of unitVectorsFast from the accurate reference, or from sky.unitVectors. */
function maxDiff(ra: number[], dec: number[], reference: 'accurate' | 'sky' = 'accurate'): number {
  const n = ra.length;
  const r = Float64Array.from(ra);
  const d = Float64Array.from(dec);
  let a: Float64Array[] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  if (reference === 'sky') {
    unitVectors(r, d, a[0], a[1], a[2]);
  } else {
    a = accurateVectors(r, d);
  }
  const b = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  unitVectorsFast(r, d, b[0], b[1], b[2]);
  let m = 0;
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < n; i++) {
      m = Math.max(m, Math.abs(a[k][i] - b[k][i]));
    }
  }
  return m;
}

describe('unitVectorsFast', () => {
  it('agrees with Math.sin/Math.cos to a few ulps over the sphere', () => {
    let s = 7;
    const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
    const ra: number[] = [];
    const dec: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      ra.push(rnd() * 360);
      dec.push((Math.asin(2 * rnd() - 1) * 180) / Math.PI);
    }
    expect(maxDiff(ra, dec)).toBeLessThan(4e-16);
    // the catalog's vectors (Math.sin(ra · π/180)): within their own argument rounding
    expect(maxDiff(ra, dec, 'sky')).toBeLessThan(8e-16);
  });

  it('is exact at quadrant edges and poles and falls back outside [0, 360) × [−90, 90]', () => {
    const edges = [
      0, 45, 90, 135, 180, 225, 270, 315, 359.9999999999999, 44.99999999999, 45.0000001
    ];
    const decs = [-90, -89.9999999, -45, -1e-12, 0, 1e-12, 45, 89.99999, 90];
    const ra: number[] = [];
    const dec: number[] = [];
    for (const r of edges) {
      for (const d of decs) {
        ra.push(r);
        dec.push(d);
      }
    }
    expect(maxDiff(ra, dec)).toBeLessThan(6e-16);
    expect(maxDiff([-30, 400, 720.5], [10, -20, 30], 'sky')).toBe(0);
    const x = new Float64Array(1);
    const y = new Float64Array(1);
    const z = new Float64Array(1);
    unitVectorsFast(Float64Array.of(90), Float64Array.of(0), x, y, z);
    expect([x[0], y[0], z[0]]).toEqual([0, 1, 0]);
    unitVectorsFast(Float64Array.of(180), Float64Array.of(90), x, y, z);
    expect(Math.abs(x[0]) + Math.abs(y[0])).toBe(0);
    expect(z[0]).toBe(1);
  });
});

describe('arcsecOfChord2Fast', () => {
  it('matches 2·asin(chord/2) to ~1e-15 relative from 1 µas to 180°', () => {
    let worst = 0;
    for (let e = -11; e <= 0.6; e += 0.01) {
      const sepRad = 10 ** e;
      const c = 2 * Math.sin(sepRad / 2);
      const ref = arcsecOfChord2(c * c);
      worst = Math.max(worst, Math.abs(arcsecOfChord2Fast(c * c) - ref) / ref);
    }
    expect(worst).toBeLessThan(1e-15);
    expect(arcsecOfChord2Fast(0)).toBe(0);
    expect(arcsecOfChord2Fast(4)).toBeCloseTo(648000, 6);
  });
});
