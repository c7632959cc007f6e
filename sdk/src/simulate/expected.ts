/**
 * How many alerts of each class a simulation produces, computed without catalogs, planning or
 * encoding: each visit's classes are one uniform draw per alert slot from the seeded stream
 * ('classes', visit), compared with the cumulative mix (variable, transient, moving; bogus above).
 * This re-derives the counts from the seed alone; tests check the simulator's decoded alerts
 * against it, and a deployed switch filter's per-output counts can be checked the same way.
 */
import { resolveOptions, type ClassCounts, type SimulationOptions } from './options.js';
import { Rng } from './rng.js';

export interface ExpectedCounts {
  /** Counts over all visits. */
  total: ClassCounts;
  /** Counts of each visit, in visit order. */
  perVisit: ClassCounts[];
  /** Alerts over all visits. */
  alerts: number;
}

/**
 * Expected class counts of visits `firstVisit .. firstVisit + visits − 1` for `seed` and the
 * other options (the same options the simulator runs with; `options.seed` is ignored).
 */
export function expectedCounts(
  seed: number | string,
  visits: number,
  options: Omit<SimulationOptions, 'seed'> & { firstVisit?: number } = {}
): ExpectedCounts {
  const o = resolveOptions({ ...options, seed });
  const first = options.firstVisit ?? 0;
  const edges = [o.mix.variable, o.mix.variable + o.mix.transient];
  edges.push(edges[1] + o.mix.moving);
  const total: ClassCounts = { variable: 0, transient: 0, moving: 0, bogus: 0 };
  const perVisit: ClassCounts[] = [];
  for (let v = first; v < first + visits; v++) {
    const rng = Rng.stream(o.seed, 'classes', v);
    const n = [0, 0, 0, 0];
    for (let i = 0; i < o.alertsPerVisit; i++) {
      const u = rng.next();
      let k = 0;
      while (k < 3 && u >= edges[k]) {
        k++;
      }
      n[k]++;
    }
    const c: ClassCounts = { variable: n[0], transient: n[1], moving: n[2], bogus: n[3] };
    perVisit.push(c);
    total.variable += c.variable;
    total.transient += c.transient;
    total.moving += c.moving;
    total.bogus += c.bogus;
  }
  return { total, perVisit, alerts: visits * o.alertsPerVisit };
}
