import { describe, expect, it } from 'vitest';
import { SimulationError } from '../errors.js';
import { expectedCounts } from './expected.js';
import { resolveOptions, SIM_CLASSES, type ClassCounts } from './options.js';
import { slotClasses } from './plan.js';

function tally(classes: string[]): ClassCounts {
  const c: ClassCounts = { variable: 0, transient: 0, moving: 0, bogus: 0 };
  for (const k of classes) {
    c[k as keyof ClassCounts]++;
  }
  return c;
}

describe('expectedCounts', () => {
  it('equals the planner’s slot classes, visit by visit, for several seeds and mixes', () => {
    const cases = [
      { seed: 1, options: {} },
      { seed: 'night-42', options: { alertsPerVisit: 3000 } },
      {
        seed: 99,
        options: { alertsPerVisit: 500, mix: { variable: 0.2, transient: 0.1, moving: 0.3 } }
      }
    ];
    for (const { seed, options } of cases) {
      const e = expectedCounts(seed, 4, options);
      const o = resolveOptions({ ...options, seed });
      for (let v = 0; v < 4; v++) {
        expect(e.perVisit[v]).toEqual(tally(slotClasses(o, v)));
      }
      const sum = SIM_CLASSES.reduce((s, k) => s + e.total[k], 0);
      expect(sum).toBe(e.alerts);
      expect(e.alerts).toBe(4 * o.alertsPerVisit);
    }
  });

  it('follows the mix on average and changes with the seed', () => {
    const mix = { variable: 0.1, transient: 0.05, moving: 0.25 };
    const a = expectedCounts(5, 10, { alertsPerVisit: 10000, mix });
    expect(a.total.variable / a.alerts).toBeCloseTo(0.1, 2);
    expect(a.total.transient / a.alerts).toBeCloseTo(0.05, 2);
    expect(a.total.moving / a.alerts).toBeCloseTo(0.25, 2);
    expect(a.total.bogus / a.alerts).toBeCloseTo(0.6, 2);
    const b = expectedCounts(6, 10, { alertsPerVisit: 10000, mix });
    expect(b.perVisit).not.toEqual(a.perVisit);
    const later = expectedCounts(5, 3, { alertsPerVisit: 10000, mix, firstVisit: 7 });
    expect(later.perVisit).toEqual(a.perVisit.slice(7));
  });

  it('rejects a mix above 1 and bad sizes', () => {
    expect(() => expectedCounts(1, 1, { mix: { variable: 0.6, moving: 0.5 } })).toThrow(
      SimulationError
    );
    expect(() => expectedCounts(1, 1, { alertsPerVisit: 0 })).toThrow(/alertsPerVisit/);
    expect(() => expectedCounts(1, 1, { mix: { transient: -0.1 } })).toThrow(/mix.transient/);
  });
});
