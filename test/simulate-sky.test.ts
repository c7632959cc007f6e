/**
 * The simulated sky against the real catalogs, read here independently of the simulator:
 * decoded alerts sorted by what they are next to (a star, a galaxy, nothing; ssObjectId first)
 * give the class counts the seed implies (expectedCounts); variables sit on star positions;
 * transients sit beside galaxies; bogus detections are clear of stars and of every deep-sky
 * object; a diaObject's history grows
 * by one detection per alert; asteroids move between visits at their stated rate.
 */
import type { RecordBatch } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CATALOGS, type ColumnarCatalog } from '../sdk/src/catalog/index.js';
import {
  expectedCounts,
  GALAXY_TYPES,
  SIM_GEOMETRY,
  type ClassCounts,
  type SimClass,
  type SimulatorCreateOptions
} from '../sdk/src/simulate/index.js';
import { separationDeg } from '../sdk/src/simulate/sky.js';
import {
  column,
  decodeRubin,
  missingCatalogs,
  planVisits,
  type Planned
} from './simulate-helpers.js';

const noCatalogs = missingCatalogs();
if (noCatalogs) {
  console.warn(`skipping simulated-sky tests: ${noCatalogs}`);
}

const SEED = 11;
const VISITS = 8;
const OPTIONS: SimulatorCreateOptions = {
  seed: SEED,
  alertsPerVisit: 2000,
  fields: 2,
  mix: { variable: 0.02, transient: 0.01, moving: 0.05 }
};

interface Point {
  catalog: string;
  id: string;
  raDeg: number;
  decDeg: number;
}

let planned: Planned;
let batches: RecordBatch[];
let stars: Point[];
let galaxies: Point[];
let deepSky: Point[];

function points(catalog: string, c: ColumnarCatalog, keep: (i: number) => boolean): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < c.raDeg.length; i++) {
    if (keep(i)) {
      out.push({ catalog, id: String(c.ids[i]), raDeg: c.raDeg[i], decDeg: c.decDeg[i] });
    }
  }
  return out;
}

/** Catalog points within `radiusDeg` of the fields (a coarse cut, then exact distances). */
function nearFields(all: Point[], radiusDeg: number): Point[] {
  const fields = planned.sim.fields;
  return all.filter(p =>
    fields.some(f => separationDeg(f.raDeg, f.decDeg, p.raDeg, p.decDeg) < radiusDeg)
  );
}

function nearestArcsec(list: Point[], raDeg: number, decDeg: number): { p: Point; arcsec: number } {
  let best = { p: list[0], arcsec: Infinity };
  for (const p of list) {
    const d = separationDeg(raDeg, decDeg, p.raDeg, p.decDeg) * 3600;
    if (d < best.arcsec) {
      best = { p, arcsec: d };
    }
  }
  return best;
}

/** What a decoded alert is, judged by its content and the catalogs only. */
function classify(row: { ra: number; dec: number; ssObjectId: bigint | null }): SimClass {
  if (row.ssObjectId !== null) {
    return 'moving';
  }
  if (nearestArcsec(stars, row.ra, row.dec).arcsec < 1) {
    return 'variable';
  }
  return nearestArcsec(galaxies, row.ra, row.dec).arcsec <=
    SIM_GEOMETRY.transientMaxOffsetArcsec + 1
    ? 'transient'
    : 'bogus';
}

function rows(
  v: number
): { ra: number; dec: number; ssObjectId: bigint | null; alertId: bigint }[] {
  const b = batches[v];
  const ra = column<number>(b, 'ra');
  const dec = column<number>(b, 'dec');
  const ss = column<bigint | null>(b, 'ssObjectId');
  const id = column<bigint>(b, 'alertId');
  return ra.map((r, i) => ({ ra: r, dec: dec[i], ssObjectId: ss[i], alertId: id[i] }));
}

describe.skipIf(noCatalogs !== undefined)('simulated sky on real catalogs', () => {
  beforeAll(async () => {
    planned = await planVisits(OPTIONS, VISITS);
    batches = planned.values.map(decodeRubin);
    const hip = await BUILTIN_CATALOGS.hipparcos.read();
    const tycho = await BUILTIN_CATALOGS.tycho2.read();
    const dso = await BUILTIN_CATALOGS.dso.read();
    const type = dso.columns.type;
    const isGalaxy = (i: number): boolean =>
      type.kind === 'string' && type.values[i] !== null && GALAXY_TYPES.has(type.values[i]!);
    const reach = 1.75 + 0.2;
    stars = nearFields(
      [...points('hipparcos', hip, () => true), ...points('tycho2', tycho, () => true)],
      reach
    );
    galaxies = nearFields(points('dso', dso, isGalaxy), reach);
    deepSky = nearFields(
      points('dso', dso, () => true),
      reach
    );
  }, 120_000);

  it('gives the class counts expectedCounts derives from the seed, judged from the alerts alone', () => {
    const expected = expectedCounts(SEED, VISITS, OPTIONS);
    for (let v = 0; v < VISITS; v++) {
      const got: ClassCounts = { variable: 0, transient: 0, moving: 0, bogus: 0 };
      const byPlan: ClassCounts = { variable: 0, transient: 0, moving: 0, bogus: 0 };
      rows(v).forEach((r, i) => {
        const c = classify(r);
        got[c]++;
        byPlan[planned.plans[v].alerts[i].simClass]++;
        expect(c, `visit ${v} alert ${r.alertId}`).toBe(planned.plans[v].alerts[i].simClass);
      });
      expect(got).toEqual(expected.perVisit[v]);
      expect(byPlan).toEqual(expected.perVisit[v]);
      expect(planned.plans[v].counts).toEqual(expected.perVisit[v]);
    }
    expect(expected.total.variable).toBeGreaterThan(100);
    expect(expected.total.transient).toBeGreaterThan(50);
  });

  it('puts variables exactly on catalog stars (before noise) and transients beside galaxies', () => {
    const starById = new Map(stars.map(s => [`${s.catalog}:${s.id}`, s]));
    const galaxyById = new Map(galaxies.map(g => [g.id, g]));
    for (let v = 0; v < VISITS; v++) {
      const decoded = rows(v);
      planned.plans[v].alerts.forEach((a, i) => {
        const r = decoded[i];
        if (a.simClass === 'variable') {
          const star = starById.get(`${a.catalog!.name}:${a.catalog!.id}`);
          expect(star, `star ${a.catalog!.name} ${a.catalog!.id}`).toBeDefined();
          expect([a.trueRaDeg, a.trueDecDeg]).toEqual([star!.raDeg, star!.decDeg]);
          expect(separationDeg(r.ra, r.dec, star!.raDeg, star!.decDeg) * 3600).toBeLessThan(1);
        } else if (a.simClass === 'transient') {
          const host = galaxyById.get(a.catalog!.id);
          expect(host, `galaxy ${a.catalog!.id}`).toBeDefined();
          const offset = separationDeg(r.ra, r.dec, host!.raDeg, host!.decDeg) * 3600;
          expect(offset).toBeLessThan(SIM_GEOMETRY.transientMaxOffsetArcsec + 1);
          expect(nearestArcsec(stars, r.ra, r.dec).arcsec).toBeGreaterThan(9);
        } else if (a.simClass === 'bogus') {
          expect(nearestArcsec(deepSky, r.ra, r.dec).arcsec).toBeGreaterThan(179);
          expect(nearestArcsec(stars, r.ra, r.dec).arcsec).toBeGreaterThan(9);
        }
      });
    }
  });

  it('grows each diaObject’s history by one detection per alert, with forced photometry per visit', () => {
    interface Seen {
      visit: number;
      mjd: number;
      alertId: bigint;
    }
    const seen = new Map<bigint, Seen[]>();
    let longest = 0;
    for (let v = 0; v < VISITS; v++) {
      const b = batches[v];
      const ids = column<bigint | null>(b, 'diaObjectId');
      const alertIds = column<bigint>(b, 'alertId');
      const n = column<number>(b, 'diaObject_nDiaSources');
      const lcs = column<{ toArray(): { mjd: number; isDetection: boolean; forced: boolean }[] }>(
        b,
        'lightcurve'
      );
      const fieldVisits = (from: number): number =>
        planned.plans.filter(
          p => p.visit >= from && p.visit < v && p.field.index === planned.plans[v].field.index
        ).length;
      planned.plans[v].alerts.forEach((a, i) => {
        const lc = lcs[i].toArray();
        if (a.simClass === 'moving') {
          expect(ids[i]).toBeNull();
          expect(lc).toHaveLength(1);
          return;
        }
        if (a.simClass === 'bogus') {
          expect(ids[i]).toBe(alertIds[i]);
          expect(lc).toHaveLength(1);
          return;
        }
        const id = ids[i]!;
        const before = seen.get(id) ?? [];
        expect(id).toBe(before.length > 0 ? before[0].alertId : alertIds[i]);
        expect(n[i]).toBe(before.length + 1);
        const detections = lc.filter(p => p.isDetection && !p.forced).map(p => p.mjd);
        expect(detections).toEqual([...before.map(s => s.mjd), planned.plans[v].mjd]);
        const forced = lc.filter(p => p.forced);
        expect(forced).toHaveLength(before.length > 0 ? fieldVisits(before[0].visit) : 0);
        before.push({ visit: v, mjd: planned.plans[v].mjd, alertId: alertIds[i] });
        seen.set(id, before);
        longest = Math.max(longest, before.length);
      });
    }
    expect(longest).toBeGreaterThanOrEqual(3);
  });

  it('moves asteroids between visits at their ephemeris rate; midpointMjdTai advances per visit', () => {
    const tracks = new Map<bigint, { mjd: number; ra: number; dec: number; rate: number }[]>();
    for (let v = 0; v < VISITS; v++) {
      const b = batches[v];
      const ss = column<bigint | null>(b, 'ssObjectId');
      const ra = column<number>(b, 'ra');
      const dec = column<number>(b, 'dec');
      const rate = column<number | null>(b, 'ssSource_ephRate');
      const moving = column<boolean>(b, 'isMovingObject');
      ss.forEach((id, i) => {
        expect(moving[i]).toBe(id !== null);
        if (id !== null) {
          const t = tracks.get(id) ?? [];
          t.push({ mjd: planned.plans[v].mjd, ra: ra[i], dec: dec[i], rate: rate[i]! });
          tracks.set(id, t);
        }
      });
      if (v > 0) {
        expect(planned.plans[v].mjd).toBeGreaterThan(planned.plans[v - 1].mjd);
        expect(planned.plans[v].visitId).toBeGreaterThan(planned.plans[v - 1].visitId);
      }
    }
    const multi = [...tracks.values()].filter(t => t.length >= 2);
    expect(multi.length).toBeGreaterThan(10);
    for (const t of multi) {
      for (let k = 1; k < t.length; k++) {
        const moved = separationDeg(t[k - 1].ra, t[k - 1].dec, t[k].ra, t[k].dec);
        const predicted = Math.fround(t[k].rate) * (t[k].mjd - t[k - 1].mjd);
        expect(moved).toBeGreaterThan(0.05);
        expect(Math.abs(moved - predicted)).toBeLessThan(0.001 * predicted + 2 / 3600);
      }
    }
  });
});
