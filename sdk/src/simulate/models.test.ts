import { describe, expect, it } from 'vitest';
import { packDesignation } from './asteroids.js';
import { BANDS } from './fields.js';
import {
  makeTransient,
  makeVariable,
  transientFluxNjy,
  variableFluxNjy,
  variableTemplateNjy
} from './lightcurves.js';
import { Rng } from './rng.js';
import { eclipticDeg, galacticDeg, offsetDeg, pointInCap, separationDeg } from './sky.js';

describe('Rng', () => {
  it('repeats a stream for the same key and differs across keys', () => {
    const a = Rng.stream(7, 'x', 1, 2);
    const b = Rng.stream(7, 'x', 1, 2);
    const seqA = Array.from({ length: 50 }, () => a.uint32());
    expect(Array.from({ length: 50 }, () => b.uint32())).toEqual(seqA);
    for (const other of [
      Rng.stream(8, 'x', 1, 2),
      Rng.stream(7, 'y', 1, 2),
      Rng.stream(7, 'x', 2, 1)
    ]) {
      expect(Array.from({ length: 50 }, () => other.uint32())).not.toEqual(seqA);
    }
  });

  it('draws uniform numbers and normals with the right moments', () => {
    const r = Rng.stream(1, 'moments');
    let s = 0;
    let s2 = 0;
    const n = 100000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
    const p = r.permutation(10);
    expect([...p].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('sky', () => {
  it('offsets by the asked distance and angle', () => {
    for (const [ra, dec] of [
      [10, 20],
      [359.9, -89.5],
      [180, 0]
    ]) {
      const p = offsetDeg(ra, dec, 37, 0.5);
      expect(separationDeg(ra, dec, p.raDeg, p.decDeg)).toBeCloseTo(0.5, 9);
      const q = pointInCap(ra, dec, 1.75, 0.999, 0.3);
      expect(separationDeg(ra, dec, q.raDeg, q.decDeg)).toBeLessThanOrEqual(1.75 + 1e-9);
    }
  });

  it('puts the Galactic centre and pole and the ecliptic pole where they are', () => {
    const [l, b] = galacticDeg(266.40499, -28.93617);
    expect(Math.min(l, 360 - l)).toBeLessThan(0.01);
    expect(Math.abs(b)).toBeLessThan(0.01);
    expect(galacticDeg(192.85948, 27.12825)[1]).toBeCloseTo(90, 3);
    expect(eclipticDeg(270, 66.560709)[1]).toBeCloseTo(90, 3);
  });
});

describe('lightcurves', () => {
  it('variables repeat with their period and average near their template', () => {
    for (let k = 0; k < 20; k++) {
      const s = makeVariable(Rng.stream(3, 'var', k), 10 + k * 0.1, 0.5);
      for (const band of BANDS) {
        const t = 61000.3 + k;
        expect(variableFluxNjy(s, band, t + s.periodDays)).toBeCloseTo(
          variableFluxNjy(s, band, t),
          -2
        );
        const f = variableFluxNjy(s, band, t) / variableTemplateNjy(s, band);
        expect(f).toBeGreaterThan(0.2);
        expect(f).toBeLessThan(3);
      }
    }
  });

  it('transients rise to one peak and decline, in every band', () => {
    for (let k = 0; k < 20; k++) {
      const s = makeTransient(Rng.stream(3, 'sn', k), 61000, 'r');
      for (const band of BANDS) {
        const f = Array.from({ length: 200 }, (_, d) => transientFluxNjy(s, band, 60990 + d));
        const peak = f.indexOf(Math.max(...f));
        expect(peak).toBeGreaterThan(0);
        expect(peak).toBeLessThan(60);
        for (let d = 1; d <= peak; d++) {
          expect(f[d]).toBeGreaterThanOrEqual(f[d - 1]);
        }
        for (let d = peak + 1; d < f.length; d++) {
          expect(f[d]).toBeLessThanOrEqual(f[d - 1]);
        }
        expect(f[f.length - 1]).toBeLessThan(0.05 * f[peak]);
      }
    }
  });
});

describe('packDesignation', () => {
  it('packs provisional designations as the MPC does', () => {
    expect(packDesignation('2007 TA418')).toBe('K07Tf8A');
    expect(packDesignation('1995 XA1')).toBe('J95X01A');
    expect(packDesignation('2025 AB12')).toBe('K25A12B');
  });
});
