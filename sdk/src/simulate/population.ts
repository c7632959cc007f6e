/**
 * The simulated sky's persistent sources and who gets an alert at a visit. Variables are catalog
 * stars with seeded periodic lightcurves; the most significant ones in the field are detected.
 * Transients are born beside a galaxy (offset within SIM_GEOMETRY), a few each visit and more when
 * the field's detectable ones do not fill the visit's quota; asteroids come from asteroids.ts.
 * Bogus detections get fresh positions clear of every catalog star and deep-sky object.
 */
import { SimulationError } from '../errors.js';
import type { SimCatalogs } from './catalogs.js';
import type { Field, VisitInfo } from './fields.js';
import { AsteroidBelt, type AsteroidSource } from './asteroids.js';
import type { ObjectHistory } from './history.js';
import {
  fluxErrNjy,
  makeTransient,
  makeVariable,
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
  /** 0 for a star's first variable source; 1, 2, … when a visit needs more variables than its field has stars. */
  generation: number;
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

export type TrackedSource = VariableSource | TransientSource;

const MIN_SNR = 5;
/** Share of each visit's transient alerts that are newly born transients. */
const NEW_TRANSIENT_FRACTION = 0.1;

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

export class Population {
  private readonly variables = new Map<number, VariableSource>();
  private readonly transients: TransientSource[][];
  /** Variable-source generations used per field so far (see pickVariables). */
  private readonly generations: number[];
  private readonly belt: AsteroidBelt;

  constructor(
    readonly catalogs: SimCatalogs,
    readonly fields: Field[],
    readonly o: ResolvedOptions
  ) {
    this.transients = fields.map(() => []);
    this.generations = fields.map(() => 1);
    this.belt = new AsteroidBelt(fields.length, o.seed);
  }

  private variable(row: number, generation = 0): VariableSource {
    const st = this.catalogs.stars;
    const key = row + generation * st.raDeg.length;
    let s = this.variables.get(key);
    if (!s) {
      const rng =
        generation === 0
          ? Rng.stream(this.o.seed, 'star', row)
          : Rng.stream(this.o.seed, 'star', row, generation);
      const model = makeVariable(rng, st.mag[row], st.extra[row]);
      s = {
        kind: 'variable',
        row,
        generation,
        raDeg: st.raDeg[row],
        decDeg: st.decDeg[row],
        model
      };
      this.variables.set(key, s);
    }
    return s;
  }

  /** The `n` variables of the field most significantly off their template at this visit. */
  pickVariables(v: VisitInfo, n: number): VariableSource[] {
    const stars = v.field.stars;
    // more variables than stars: each star hosts ceil(n / stars) sources (generations)
    const generations = stars.length > 0 ? Math.max(1, Math.ceil(n / stars.length)) : 1;
    this.generations[v.field.index] = Math.max(this.generations[v.field.index], generations);
    const pool: VariableSource[] = [];
    for (let g = 0; g < generations; g++) {
      for (const r of stars) {
        pool.push(this.variable(r, g));
      }
    }
    if (pool.length < n) {
      throw new SimulationError(
        `Visit ${v.visit} needs ${n} variable-star alerts but field ${v.field.index} holds only ${pool.length} catalog stars. Lower the variable fraction or alertsPerVisit.`,
        { context: { visit: v.visit, needed: n, stars: pool.length } }
      );
    }
    const snr = new Map(pool.map(s => [s, modelSnr(s, v)]));
    pool.sort((a, b) => snr.get(b)! - snr.get(a)! || a.row - b.row || a.generation - b.generation);
    return pool.slice(0, n);
  }

  /** Objects of a field that have a history (get forced photometry at each of its visits). */
  tracked(field: Field): TrackedSource[] {
    const out: TrackedSource[] = [];
    const nStars = this.catalogs.stars.raDeg.length;
    for (let g = 0; g < this.generations[field.index]; g++) {
      for (const r of field.stars) {
        const s = this.variables.get(r + g * nStars);
        if (s?.history) {
          out.push(s);
        }
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

  /**
   * `n` transients of the field: about NEW_TRANSIENT_FRACTION of them newly born (so the field
   * keeps getting fresh supernovae), the rest its youngest still-detectable ones (so each is
   * followed from its rise through its decline until younger ones take its place), topped up with
   * new ones when too few are detectable.
   */
  pickTransients(v: VisitInfo, n: number): TransientSource[] {
    // transients long past (older than the history window) are never detected again: forget them
    const list = this.transients[v.field.index].filter(
      s => v.mjd - s.model.t0 <= this.o.historyDays
    );
    this.transients[v.field.index] = list;
    const rng = Rng.stream(this.o.seed, 'transient-birth', v.visit);
    const wanted = n * NEW_TRANSIENT_FRACTION;
    const births = Math.min(n, Math.floor(wanted) + (rng.next() < wanted % 1 ? 1 : 0));
    const snr = list.map(s => modelSnr(s, v));
    const eligible = list
      .map((_, i) => i)
      .filter(i => snr[i] >= MIN_SNR)
      .sort((a, b) => list[b].model.t0 - list[a].model.t0 || a - b)
      .map(i => list[i]);
    const out = eligible.slice(0, n - births);
    while (out.length < n) {
      const s = this.birthTransient(rng, v);
      list.push(s);
      out.push(s);
    }
    return out;
  }

  /** `n` asteroids in the field now (see AsteroidBelt.pick). */
  pickAsteroids(v: VisitInfo, n: number): AsteroidSource[] {
    return this.belt.pick(v, n);
  }

  /** `n` random positions in the field, clear of catalog stars and of every deep-sky object. */
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
            this.catalogs.deepSky,
            f.deepSkyNear,
            p.raDeg,
            p.decDeg,
            SIM_GEOMETRY.bogusMinDeepSkyDistanceArcsec
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
