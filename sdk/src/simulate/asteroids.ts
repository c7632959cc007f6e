/**
 * Simulated asteroids: born at random places in a field when a visit needs more than the field
 * already holds, then moving on great circles (mostly east–west, 0.05–0.5°/day, as main-belt
 * objects near opposition) until they leave the field. Each has a stable ssObjectId.
 */
import type { VisitInfo } from './fields.js';
import { asteroidFluxNjy, fluxErrNjy, M5 } from './lightcurves.js';
import { Rng } from './rng.js';
import { offsetDeg, pointInCap, separationDeg } from './sky.js';

export interface AsteroidSource {
  kind: 'moving';
  ssObjectId: bigint;
  designation: string;
  ra0Deg: number;
  dec0Deg: number;
  mjd0: number;
  rateDegPerDay: number;
  /** Direction of motion, degrees east of north. */
  paDeg: number;
  magR: number;
  rotationDays: number;
  helioRangeAu: number;
  /** Osculating elements for the mpc_orbits record: a (au), e, i, node, argperi, M (deg). */
  orbit: { a: number; e: number; i: number; node: number; argperi: number; meanAnomaly: number };
}

/** Where an asteroid is at `mjd`. */
export function asteroidPosition(
  a: AsteroidSource,
  mjd: number
): { raDeg: number; decDeg: number } {
  return offsetDeg(a.ra0Deg, a.dec0Deg, a.paDeg, a.rateDegPerDay * (mjd - a.mjd0));
}

const LETTERS = 'ABCDEFGHJKLMNOPQRSTUVWXY';
const CYCLE_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MIN_SNR = 5;

/** The asteroids of each field. */
export class AsteroidBelt {
  private readonly byField: AsteroidSource[][];
  private count = 0;

  constructor(
    fieldCount: number,
    private readonly seed: number
  ) {
    this.byField = Array.from({ length: fieldCount }, () => []);
  }

  private birth(rng: Rng, v: VisitInfo): AsteroidSource {
    const f = v.field;
    const at = pointInCap(f.raDeg, f.decDeg, f.radiusDeg, rng.next(), rng.next());
    const k = this.count++;
    const year = new Date((v.mjd - 40587) * 86400000).getUTCFullYear();
    const letters = `${LETTERS[rng.int(24)]}${LETTERS[rng.int(24)]}`;
    const helioRangeAu = rng.uniform(2.1, 3.4);
    return {
      kind: 'moving',
      ssObjectId: (3n << 60n) + BigInt(k),
      designation: `${year} ${letters}${1 + rng.int(619)}`,
      ra0Deg: at.raDeg,
      dec0Deg: at.decDeg,
      mjd0: v.mjd,
      rateDegPerDay: rng.logUniform(0.05, 0.5),
      paDeg: (rng.next() < 0.5 ? 90 : 270) + rng.uniform(-25, 25),
      magR: rng.uniform(17, Math.min(M5.r, M5[v.band] - 1.8) - 0.75),
      rotationDays: rng.uniform(0.1, 1),
      helioRangeAu,
      orbit: {
        a: helioRangeAu * rng.uniform(0.9, 1.1),
        e: rng.uniform(0.02, 0.25),
        i: rng.uniform(0, 20),
        node: rng.uniform(0, 360),
        argperi: rng.uniform(0, 360),
        meanAnomaly: rng.uniform(0, 360)
      }
    };
  }

  /** `n` asteroids in the field now: ones already seen there and still detectable, then new ones. */
  pick(v: VisitInfo, n: number): AsteroidSource[] {
    const f = v.field;
    const distance = (a: AsteroidSource): number => {
      const p = asteroidPosition(a, v.mjd);
      return separationDeg(f.raDeg, f.decDeg, p.raDeg, p.decDeg);
    };
    // asteroids a degree beyond the edge have left for good
    const list = this.byField[f.index].filter(a => distance(a) <= f.radiusDeg + 1);
    const inField = list.filter(a => {
      const flux = asteroidFluxNjy(a.magR, a.rotationDays, v.band, v.mjd);
      return distance(a) <= f.radiusDeg && flux / fluxErrNjy(v.band, flux) >= MIN_SNR;
    });
    const out = inField.slice(0, n);
    const rng = Rng.stream(this.seed, 'asteroid-birth', v.visit);
    while (out.length < n) {
      const a = this.birth(rng, v);
      list.push(a);
      out.push(a);
    }
    this.byField[f.index] = list;
    return out;
  }
}

/** The MPC packed form of a provisional designation such as "2025 AB12" (→ "K25A12B"). */
export function packDesignation(designation: string): string {
  const [year, rest] = designation.split(' ');
  const cycle = Number(rest.slice(2));
  const century = String.fromCharCode('A'.charCodeAt(0) + Number(year.slice(0, 2)) - 10);
  const count = `${CYCLE_DIGITS[Math.floor(cycle / 10)]}${cycle % 10}`;
  return `${century}${year.slice(2)}${rest[0]}${count}${rest[1]}`;
}

/** An mpc_orbits record for an asteroid (made-up but self-consistent elements). */
export function mpcOrbitRecord(a: AsteroidSource, index: number): Record<string, unknown> {
  const o = a.orbit;
  const periodDays = 365.25 * o.a ** 1.5;
  const r = a.helioRangeAu;
  return {
    id: index,
    designation: a.designation,
    packed_primary_provisional_designation: packDesignation(a.designation),
    unpacked_primary_provisional_designation: a.designation,
    a: o.a,
    q: o.a * (1 - o.e),
    e: o.e,
    i: o.i,
    node: o.node,
    argperi: o.argperi,
    mean_anomaly: o.meanAnomaly,
    period: periodDays,
    mean_motion: 360 / periodDays,
    epoch_mjd: a.mjd0,
    h: a.magR - 5 * Math.log10(r * Math.max(0.1, r - 1)),
    g: 0.15
  };
}
