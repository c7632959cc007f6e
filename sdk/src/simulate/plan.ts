/**
 * The plan step: visit by visit, which alerts exist, their ground-truth class, the catalog object
 * each sits on, and the alert records themselves (plain objects, ready for the encoder). Visits
 * must be planned in order: sources carry their history from one visit to the next.
 *
 * Ids (all above 2^53, as Rubin's): diaSourceId = 2^60 + visit·2^24 + slot; a diaObject takes the
 * diaSourceId of its first detection; diaForcedSourceId = 2^61 + visit·2^24 + k;
 * ssObjectId = 3·2^60 + k.
 */
import type { SimCatalogs } from './catalogs.js';
import { visitInfo, type Field, type VisitInfo } from './fields.js';
import { ObjectHistory } from './history.js';
import { asteroidFluxNjy, fluxErrNjy } from './lightcurves.js';
import { SIM_CLASSES, type ClassCounts, type ResolvedOptions, type SimClass } from './options.js';
import { asteroidPosition, mpcOrbitRecord, type AsteroidSource } from './asteroids.js';
import { Population, sourceFlux, type TrackedSource } from './population.js';
import { diaSourceRecord, forcedSourceRecord, measure, ssSourceRecord } from './records.js';
import { Rng } from './rng.js';
import type { RubinAlert } from './rubin-encoder.js';

/** One planned alert and its ground truth. */
export interface PlannedAlert {
  simClass: SimClass;
  diaSourceId: bigint;
  diaObjectId: bigint | null;
  ssObjectId: bigint | null;
  /** Position before measurement noise. */
  trueRaDeg: number;
  trueDecDeg: number;
  /** The catalog object the source sits on (variable: its star; transient: its host galaxy). */
  catalog: { name: string; id: string; raDeg: number; decDeg: number } | null;
  /** The alert record (lsst.v10_0 field names; longs as bigint). */
  alert: RubinAlert;
}

export interface VisitPlan extends VisitInfo {
  counts: ClassCounts;
  alerts: PlannedAlert[];
}

const EXPOSURE_S = 30;

/** The class of each alert slot of visit `visit`: one uniform draw per slot against the mix. */
export function slotClasses(o: ResolvedOptions, visit: number): SimClass[] {
  const rng = Rng.stream(o.seed, 'classes', visit);
  const c1 = o.mix.variable;
  const c2 = c1 + o.mix.transient;
  const c3 = c2 + o.mix.moving;
  const out = new Array<SimClass>(o.alertsPerVisit);
  for (let i = 0; i < out.length; i++) {
    const u = rng.next();
    out[i] = u < c1 ? 'variable' : u < c2 ? 'transient' : u < c3 ? 'moving' : 'bogus';
  }
  return out;
}

function alertRecord(
  src: RubinAlert,
  prv: RubinAlert[] | null,
  forced: RubinAlert[] | null,
  diaObject: RubinAlert | null,
  ssSource: RubinAlert | null,
  mpcOrbits: RubinAlert | null = null
): RubinAlert {
  return {
    diaSourceId: src.diaSourceId,
    diaSource: src,
    prvDiaSources: prv,
    prvDiaForcedSources: forced,
    diaObject,
    ssSource,
    mpc_orbits: mpcOrbits
  };
}

export class Planner {
  private readonly population: Population;
  /** The next visit `planNext` plans. */
  nextVisit = 0;

  constructor(
    readonly catalogs: SimCatalogs,
    readonly fields: Field[],
    readonly o: ResolvedOptions
  ) {
    this.population = new Population(catalogs, fields, o);
  }

  private tracked(
    s: TrackedSource,
    v: VisitInfo,
    diaSourceId: bigint,
    noise: Rng
  ): { alert: RubinAlert; diaObjectId: bigint } {
    const f = sourceFlux(s, v);
    const m = measure(noise, v, s.raDeg, s.decDeg, f.diff, f.template);
    s.history ??= new ObjectHistory(diaSourceId);
    const h = s.history;
    const { prv, forced } = h.window(v.mjd, this.o.historyDays);
    const ids = { diaSourceId, diaObjectId: h.diaObjectId, ssObjectId: null };
    const src = diaSourceRecord(noise, v, ids, m, true);
    h.addDetection(src);
    const obj = h.diaObject(m.posErrArcsec / 3600);
    return { alert: alertRecord(src, prv, forced, obj, null), diaObjectId: h.diaObjectId };
  }

  private moving(a: AsteroidSource, v: VisitInfo, diaSourceId: bigint, noise: Rng): PlannedAlert {
    const p = asteroidPosition(a, v.mjd);
    const flux = asteroidFluxNjy(a.magR, a.rotationDays, v.band, v.mjd);
    const m = measure(noise, v, p.raDeg, p.decDeg, flux, 0);
    const ids = { diaSourceId, diaObjectId: null, ssObjectId: a.ssObjectId };
    const trail = {
      lengthArcsec: (a.rateDegPerDay * 3600 * EXPOSURE_S) / 86400,
      angleDeg: ((a.paDeg % 360) + 360) % 360
    };
    const src = diaSourceRecord(noise, v, ids, m, true, trail);
    const ss = ssSourceRecord(diaSourceId, { ...a, ...p, magV: a.magR + 0.2 }, m);
    return {
      simClass: 'moving',
      ...ids,
      trueRaDeg: p.raDeg,
      trueDecDeg: p.decDeg,
      catalog: null,
      alert: alertRecord(
        src,
        null,
        null,
        null,
        ss,
        mpcOrbitRecord(a, Number(a.ssObjectId & 0x7fffffffn))
      )
    };
  }

  private bogus(
    p: { raDeg: number; decDeg: number },
    v: VisitInfo,
    diaSourceId: bigint,
    noise: Rng
  ): PlannedAlert {
    const sign = noise.next() < 0.25 ? -1 : 1;
    const diff = sign * noise.uniform(3, 6) * fluxErrNjy(v.band, 0);
    const m = measure(noise, v, p.raDeg, p.decDeg, diff, 0);
    const ids = { diaSourceId, diaObjectId: diaSourceId, ssObjectId: null };
    const src = diaSourceRecord(noise, v, ids, m, false);
    const h = new ObjectHistory(diaSourceId);
    h.addDetection(src);
    return {
      simClass: 'bogus',
      ...ids,
      trueRaDeg: p.raDeg,
      trueDecDeg: p.decDeg,
      catalog: null,
      alert: alertRecord(src, [], [], h.diaObject(m.posErrArcsec / 3600), null)
    };
  }

  private catalogRef(s: TrackedSource): PlannedAlert['catalog'] {
    const t = s.kind === 'variable' ? this.catalogs.stars : this.catalogs.galaxies;
    const row = s.kind === 'variable' ? s.row : s.host;
    return {
      name: t.names[t.source[row]],
      id: t.ids[row],
      raDeg: t.raDeg[row],
      decDeg: t.decDeg[row]
    };
  }

  /** Plans the next visit (visits are planned in order, 0, 1, 2, ...). */
  planNext(): VisitPlan {
    const v = visitInfo(this.fields, this.o, this.nextVisit++);
    const classes = slotClasses(this.o, v.visit);
    const counts = Object.fromEntries(SIM_CLASSES.map(c => [c, 0])) as ClassCounts;
    for (const c of classes) {
      counts[c]++;
    }
    const pop = this.population;
    const variables = pop.pickVariables(v, counts.variable);
    const transients = pop.pickTransients(v, counts.transient);
    const asteroids = pop.pickAsteroids(v, counts.moving);
    const bogus = pop.bogusPositions(v, counts.bogus, Rng.stream(this.o.seed, 'bogus', v.visit));
    const next = { variable: 0, transient: 0, moving: 0, bogus: 0 };
    const noise = Rng.stream(this.o.seed, 'noise', v.visit);
    const base = (1n << 60n) + (BigInt(v.visit) << 24n);
    const alerts = classes.map((cls, slot): PlannedAlert => {
      const diaSourceId = base + BigInt(slot);
      const k = next[cls]++;
      if (cls === 'moving') {
        return this.moving(asteroids[k], v, diaSourceId, noise);
      }
      if (cls === 'bogus') {
        return this.bogus(bogus[k], v, diaSourceId, noise);
      }
      const s = cls === 'variable' ? variables[k] : transients[k];
      const { alert, diaObjectId } = this.tracked(s, v, diaSourceId, noise);
      return {
        simClass: cls,
        diaSourceId,
        diaObjectId,
        ssObjectId: null,
        trueRaDeg: s.raDeg,
        trueDecDeg: s.decDeg,
        catalog: this.catalogRef(s),
        alert
      };
    });
    this.forcedPhotometry(v);
    return { ...v, counts, alerts };
  }

  /** Forced photometry at this visit for every object of the field with a history. */
  private forcedPhotometry(v: VisitInfo): void {
    const rng = Rng.stream(this.o.seed, 'forced', v.visit);
    const base = (2n << 60n) + (BigInt(v.visit) << 24n);
    let k = 0;
    for (const s of this.population.tracked(v.field)) {
      const f = sourceFlux(s, v);
      const h = s.history!;
      const id = base + BigInt(k++);
      h.addForced(
        forcedSourceRecord(rng, v, id, h.diaObjectId, s.raDeg, s.decDeg, f.diff, f.template)
      );
    }
  }
}
