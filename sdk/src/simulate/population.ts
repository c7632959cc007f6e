/**
 * The simulated sky's persistent sources and who gets an alert at a visit. Variables are catalog
 * stars with seeded periodic lightcurves; the most significant ones in the field are detected.
 * Transients are born on a galaxy (offset within SIM_GEOMETRY) when the visit needs more than the
 * field's currently bright ones; asteroids likewise, then drift on great circles between visits.
 * Bogus detections get fresh positions clear of every catalog object.
 */
import { SimulationError } from '../errors.js';
import type { SimCatalogs } from './catalogs.js';
import type { Field, VisitInfo } from './fields.js';
import type { ObjectHistory } from './history.js';
import {
  asteroidFluxNjy,
  fluxErrNjy,
  makeTransient,
  makeVariable,
  M5,
  njyFromMag,
  transientFluxNjy,
  variableFluxNjy,
  variableTemplateNjy,
  type Transient,
  type VariableStar
} from './lightcurves.js';
import { SIM_GEOMETRY, type ResolvedOptions } from './options.js';
import { Rng } from './rng.js';
import { offsetDeg, pointInCap, separationDeg } from './sky.js';

export interface VariableSource {
  kind: 'variable';
  /** Row in the star table. */
  row: number;
  raDeg: number;
  decDeg: number;
  model: VariableStar;
  history?: ObjectHistory;
}

export interface TransientSource {
  kind: 'transient';
  /** Row in the galaxy table. */
  host: number;
  raDeg: number;
  decDeg: number;
  offsetArcsec: number;
  model: Transient;
  /** Host light under the transient, nJy (in every band, for simplicity). */
  hostNjy: number;
  history?: ObjectHistory;
}

export interface AsteroidSource {
  kind: 'moving';
  ssObjectId: bigint;
  designation: string;
  ra0Deg: number;
  dec0Deg: number;
  mjd0: number;
  rateDegPerDay: number;
  paDeg: number;
  magR: number;
  rotationDays: number;
  helioRangeAu: number;
}

export type TrackedSource = VariableSource | TransientSource;

const MIN_SNR = 5;

/** Where an asteroid is at `mjd`. */
export function asteroidPosition(
  a: AsteroidSource,
  mjd: number
): { raDeg: number; decDeg: number } {
  return offsetDeg(a.ra0Deg, a.dec0Deg, a.paDeg, a.rateDegPerDay * (mjd - a.mjd0));
}

/** Difference flux and template flux of a tracked source at a visit. */
export function sourceFlux(s: TrackedSource, v: VisitInfo): { diff: number; template: number } {
  if (s.kind === 'variable') {
    const template = variableTemplateNjy(s.model, v.band);
    return { diff: variableFluxNjy(s.model, v.band, v.mjd) - template, template };
  }
  return { diff: transientFluxNjy(s.model, v.band, v.mjd), template: s.hostNjy };
}

function modelSnr(s: TrackedSource, v: VisitInfo): number {
  const f = sourceFlux(s, v);
  return Math.abs(f.diff) / fluxErrNjy(v.band, f.template + f.diff);
}

const LETTERS = 'ABCDEFGHJKLMNOPQRSTUVWXY';

export class Population {
  private readonly variables = new Map<number, VariableSource>();
  private readonly transients: TransientSource[][];
  private readonly asteroids: AsteroidSource[][];
  private asteroidCount = 0;

  constructor(
    readonly catalogs: SimCatalogs,
    readonly fields: Field[],
    readonly o: ResolvedOptions
  ) {
    this.transients = fields.map(() => []);
    this.asteroids = fields.map(() => []);
  }

  private variable(row: number): VariableSource {
    let s = this.variables.get(row);
    if (!s) {
      const st = this.catalogs.stars;
      const model = makeVariable(Rng.stream(this.o.seed, 'star', row), st.mag[row], st.extra[row]);
      s = { kind: 'variable', row, raDeg: st.raDeg[row], decDeg: st.decDeg[row], model };
      this.variables.set(row, s);
    }
    return s;
  }

  /** The `n` variables of the field most significantly off their template at this visit. */
  pickVariables(v: VisitInfo, n: number): VariableSource[] {
    const pool = v.field.stars.map(r => this.variable(r));
    if (pool.length < n) {
      throw new SimulationError(
        `Visit ${v.visit} needs ${n} variable-star alerts but field ${v.field.index} holds only ${pool.length} catalog stars. Lower the variable fraction or alertsPerVisit.`,
        { context: { visit: v.visit, needed: n, stars: pool.length } }
      );
    }
    const snr = new Map(pool.map(s => [s, modelSnr(s, v)]));
    pool.sort((a, b) => snr.get(b)! - snr.get(a)! || a.row - b.row);
    return pool.slice(0, n);
  }

  /** Objects of a field that have a history (get forced photometry at each of its visits). */
  tracked(field: Field): TrackedSource[] {
    const out: TrackedSource[] = [];
    for (const r of field.stars) {
      const s = this.variables.get(r);
      if (s?.history) {
        out.push(s);
      }
    }
    for (const t of this.transients[field.index]) {
      if (t.history) {
        out.push(t);
      }
    }
    return out;
  }

  /** True when (ra, dec) is at least `minArcsec` from every row of `rows` of a table. */
  private clear(
    table: SimCatalogs['stars'],
    rows: number[],
    raDeg: number,
    decDeg: number,
    minArcsec: number
  ): boolean {
    const limit = minArcsec / 3600;
    return rows.every(r => separationDeg(raDeg, decDeg, table.raDeg[r], table.decDeg[r]) >= limit);
  }

  private birthTransient(rng: Rng, v: VisitInfo): TransientSource {
    const f = v.field;
    const g = this.catalogs.galaxies;
    for (let tries = 0; tries < 50; tries++) {
      const host = f.galaxies[rng.int(f.galaxies.length)];
      const major = g.extra[host];
      const maxR = Math.min(
        SIM_GEOMETRY.transientMaxOffsetArcsec,
        Math.max(3, Number.isFinite(major) ? 0.25 * major : 20)
      );
      const r = Math.max(SIM_GEOMETRY.transientMinOffsetArcsec, maxR * Math.sqrt(rng.next()));
      const at = offsetDeg(g.raDeg[host], g.decDeg[host], rng.uniform(0, 360), r / 3600);
      if (
        !this.clear(
          this.catalogs.stars,
          f.starsNear,
          at.raDeg,
          at.decDeg,
          SIM_GEOMETRY.minStarDistanceArcsec
        )
      ) {
        continue;
      }
      const hostMag = Number.isFinite(g.mag[host]) ? g.mag[host] : 15;
      return {
        kind: 'transient',
        host,
        ...at,
        offsetArcsec: separationDeg(g.raDeg[host], g.decDeg[host], at.raDeg, at.decDeg) * 3600,
        model: makeTransient(rng, v.mjd, v.band),
        hostNjy: njyFromMag(hostMag + 4 + rng.uniform(0, 2))
      };
    }
    throw new SimulationError(
      `Field ${f.index} has no galaxy with room for a transient clear of stars. Choose another seed.`,
      { context: { field: f.index } }
    );
  }

  /** `n` transients of the field: its brightest detectable ones, then new ones. */
  pickTransients(v: VisitInfo, n: number): TransientSource[] {
    // transients long past (older than the history window) are never detected again: forget them
    const list = this.transients[v.field.index].filter(
      s => v.mjd - s.model.t0 <= this.o.historyDays
    );
    this.transients[v.field.index] = list;
    const snr = list.map(s => modelSnr(s, v));
    const eligible = list
      .map((_, i) => i)
      .filter(i => snr[i] >= MIN_SNR)
      .sort((a, b) => snr[b] - snr[a] || a - b)
      .map(i => list[i]);
    const out = eligible.slice(0, n);
    const rng = Rng.stream(this.o.seed, 'transient-birth', v.visit);
    while (out.length < n) {
      const s = this.birthTransient(rng, v);
      list.push(s);
      out.push(s);
    }
    return out;
  }

  private birthAsteroid(rng: Rng, v: VisitInfo): AsteroidSource {
    const at = pointInCap(v.field.raDeg, v.field.decDeg, v.field.radiusDeg, rng.next(), rng.next());
    const k = this.asteroidCount++;
    const year = new Date((v.mjd - 40587) * 86400000).getUTCFullYear();
    const designation = `${year} ${LETTERS[rng.int(24)]}${LETTERS[rng.int(24)]}${1 + rng.int(999)}`;
    return {
      kind: 'moving',
      ssObjectId: (3n << 60n) + BigInt(k),
      designation,
      ra0Deg: at.raDeg,
      dec0Deg: at.decDeg,
      mjd0: v.mjd,
      rateDegPerDay: rng.logUniform(0.05, 0.5),
      paDeg: (rng.next() < 0.5 ? 90 : 270) + rng.uniform(-25, 25),
      magR: rng.uniform(17, Math.min(M5.r, M5[v.band] - 1.8) - 0.75),
      rotationDays: rng.uniform(0.1, 1),
      helioRangeAu: rng.uniform(2.1, 3.4)
    };
  }

  /** `n` asteroids in the field now: ones already seen there, then new ones. */
  pickAsteroids(v: VisitInfo, n: number): AsteroidSource[] {
    const f = v.field;
    const stay = (a: AsteroidSource): boolean => {
      const p = asteroidPosition(a, v.mjd);
      return separationDeg(f.raDeg, f.decDeg, p.raDeg, p.decDeg) <= f.radiusDeg + 1;
    };
    const list = this.asteroids[f.index].filter(stay);
    const inField = list.filter(a => {
      const p = asteroidPosition(a, v.mjd);
      const inside = separationDeg(f.raDeg, f.decDeg, p.raDeg, p.decDeg) <= f.radiusDeg;
      const flux = asteroidFluxNjy(a.magR, a.rotationDays, v.band, v.mjd);
      return inside && flux / fluxErrNjy(v.band, flux) >= MIN_SNR;
    });
    const out = inField.slice(0, n);
    const rng = Rng.stream(this.o.seed, 'asteroid-birth', v.visit);
    while (out.length < n) {
      const a = this.birthAsteroid(rng, v);
      list.push(a);
      out.push(a);
    }
    this.asteroids[f.index] = list;
    return out;
  }

  /** `n` random positions in the field, clear of catalog stars and galaxies. */
  bogusPositions(v: VisitInfo, n: number, rng: Rng): { raDeg: number; decDeg: number }[] {
    const f = v.field;
    const out: { raDeg: number; decDeg: number }[] = [];
    for (let i = 0; i < n; i++) {
      for (let tries = 0; ; tries++) {
        if (tries > 200) {
          throw new SimulationError(
            `Field ${f.index} has no room for bogus detections away from catalog objects.`,
            { context: { field: f.index } }
          );
        }
        const p = pointInCap(f.raDeg, f.decDeg, f.radiusDeg, rng.next(), rng.next());
        if (
          this.clear(
            this.catalogs.galaxies,
            f.galaxiesNear,
            p.raDeg,
            p.decDeg,
            SIM_GEOMETRY.bogusMinGalaxyDistanceArcsec
          ) &&
          this.clear(
            this.catalogs.stars,
            f.starsNear,
            p.raDeg,
            p.decDeg,
            SIM_GEOMETRY.minStarDistanceArcsec
          )
        ) {
          out.push(p);
          break;
        }
      }
    }
    return out;
  }
}
