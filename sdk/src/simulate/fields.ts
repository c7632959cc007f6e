/**
 * Pointings and the visit schedule. Fields are chosen once per seed: random centres in Rubin's sky
 * (Dec −70°..+15°), kept when they hold enough catalog stars for the variable quota and a few
 * galaxies for transients, and when they do not overlap an earlier field. Visit v observes the
 * fields in a fresh seeded order each cycle, in a band drawn with Rubin-like weights, at
 * MJD mjdStart + v·daysPerVisit.
 */
import { SimulationError } from '../errors.js';
import type { SimCatalogs } from './catalogs.js';
import { quotaUpperBound, type ResolvedOptions } from './options.js';
import { Rng } from './rng.js';
import { DEG, separationDeg, tangentPlaneDeg } from './sky.js';

export const BANDS = ['u', 'g', 'r', 'i', 'z', 'y'] as const;
export type Band = (typeof BANDS)[number];
/** How often each band is used (Rubin's survey plan spends most time in r, i, z, y). */
const BAND_WEIGHTS = [0.07, 0.09, 0.22, 0.22, 0.2, 0.2];

/** Stars closer than this to a star of an earlier catalog are the same star (not a second pool entry). */
const SAME_STAR_ARCSEC = 2;
/**
 * The most stars a field must hold for the variable quota: 1.75° fields of Hipparcos + Tycho-2
 * (index 10) hold ~80–160 stars, so a larger quota (10,000-alert visits at a 2 % variable mix
 * need 284) is served by stars hosting more than one variable source (see Population), and any
 * visit size works.
 */
export const MAX_STARS_NEEDED = 100;
/** Margin around a field for avoidance checks (bogus positions near the edge). */
const MARGIN_DEG = 0.1;

export interface Field {
  index: number;
  raDeg: number;
  decDeg: number;
  radiusDeg: number;
  /** Star-table rows inside the field (duplicates across catalogs removed): the variable pool. */
  stars: number[];
  /** Galaxy-table rows inside the field: transient hosts. */
  galaxies: number[];
  /** Star and deep-sky rows within the field plus a margin: what new positions must avoid. */
  starsNear: number[];
  deepSkyNear: number[];
}

export interface VisitInfo {
  visit: number;
  /** Rubin-style visit id: day of observation (YYYYMMDD) · 100000 + sequence. */
  visitId: bigint;
  field: Field;
  band: Band;
  mjd: number;
}

function dedupeStars(rows: number[], catalogs: SimCatalogs): number[] {
  const s = catalogs.stars;
  const kept: number[] = [];
  const tolDeg = SAME_STAR_ARCSEC / 3600;
  for (const r of rows) {
    const dup = kept.some(
      k =>
        s.source[k] < s.source[r] &&
        separationDeg(s.raDeg[k], s.decDeg[k], s.raDeg[r], s.decDeg[r]) < tolDeg
    );
    if (!dup) {
      kept.push(r);
    }
  }
  return kept;
}

/** Chooses the fields for these options (deterministic for a seed). */
export function chooseFields(catalogs: SimCatalogs, o: ResolvedOptions): Field[] {
  const rng = Rng.stream(o.seed, 'fields');
  const needStars =
    o.mix.variable > 0
      ? Math.min(MAX_STARS_NEEDED, quotaUpperBound(o.alertsPerVisit, o.mix.variable))
      : 0;
  const needGalaxies = o.mix.transient > 0 ? 3 : 0;
  const fields: Field[] = [];
  const sinLo = Math.sin(-70 * DEG);
  const sinHi = Math.sin(15 * DEG);
  const maxTries = 5000;
  let mostStars = 0;
  for (let tries = 0; fields.length < o.fields; tries++) {
    if (tries >= maxTries) {
      throw new SimulationError(
        `No ${o.fields} non-overlapping fields of radius ${o.fieldRadiusDeg}° hold ${needStars} catalog stars (the most found: ${mostStars}). Lower the variable fraction or alertsPerVisit, ask for fewer fields, or add star catalogs.`,
        { context: { needStars, mostStars, fields: o.fields } }
      );
    }
    const raDeg = rng.uniform(0, 360);
    const decDeg = Math.asin(rng.uniform(sinLo, sinHi)) / DEG;
    if (fields.some(f => separationDeg(f.raDeg, f.decDeg, raDeg, decDeg) < 2 * o.fieldRadiusDeg)) {
      continue;
    }
    const near = o.fieldRadiusDeg + MARGIN_DEG;
    const starsNear = catalogs.stars.index.within(raDeg, decDeg, near);
    const stars = dedupeStars(
      starsNear.filter(
        r =>
          separationDeg(raDeg, decDeg, catalogs.stars.raDeg[r], catalogs.stars.decDeg[r]) <=
          o.fieldRadiusDeg
      ),
      catalogs
    );
    mostStars = Math.max(mostStars, stars.length);
    const deepSkyNear = catalogs.deepSky.index.within(raDeg, decDeg, near);
    const galaxies = catalogs.galaxies.index.within(raDeg, decDeg, o.fieldRadiusDeg);
    if (stars.length >= needStars && galaxies.length >= needGalaxies) {
      fields.push({
        index: fields.length,
        raDeg,
        decDeg,
        radiusDeg: o.fieldRadiusDeg,
        stars,
        galaxies,
        starsNear,
        deepSkyNear
      });
    }
  }
  return fields;
}

/** Field index observed at visit `v`. */
export function fieldOfVisit(seed: number, fieldCount: number, v: number): number {
  const cycle = Math.floor(v / fieldCount);
  return Rng.stream(seed, 'sequence', cycle).permutation(fieldCount)[v % fieldCount];
}

function dayObs(mjd: number): number {
  const d = new Date(Math.round((mjd - 40587) * 86400000));
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** Where, when and in which band visit `v` observes. */
export function visitInfo(fields: Field[], o: ResolvedOptions, v: number): VisitInfo {
  const mjd = o.mjdStart + v * o.daysPerVisit;
  const band = BANDS[Rng.stream(o.seed, 'band', v).weighted(BAND_WEIGHTS)];
  const visitId = BigInt(dayObs(mjd)) * 100000n + BigInt(v % 100000);
  return { visit: v, visitId, field: fields[fieldOfVisit(o.seed, fields.length, v)], band, mjd };
}

/** Detector number and pixel position of a point in a field (a 14×14 grid of 0.25° CCDs). */
export function focalPlane(
  field: Field,
  raDeg: number,
  decDeg: number
): { detector: number; x: number; y: number } {
  const p = tangentPlaneDeg(raDeg, decDeg, field.raDeg, field.decDeg);
  const ccdDeg = 0.25;
  const half = 7 * ccdDeg;
  const gx = Math.min(13.999, Math.max(0, (p.x + half) / ccdDeg));
  const gy = Math.min(13.999, Math.max(0, (p.y + half) / ccdDeg));
  const col = Math.floor(gx);
  const row = Math.floor(gy);
  return { detector: (row * 14 + col) % 189, x: (gx - col) * 4072, y: (gy - row) * 4000 };
}
