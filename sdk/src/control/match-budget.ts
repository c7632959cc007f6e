/**
 * How many matches a catalog request may produce, checked where the request enters: before the
 * join, from the catalog's row count and the cone areas (a uniform sky), and after it, on the
 * pairs found. Past the limit the answer is a 413 that says how to ask for less.
 */
import type { CatalogRequest } from '../crossmatch/types.js';
import { HttpError } from './http.js';

/** Largest number of matches (cross-match pairs, cone rows) one answer may hold. */
export const DEFAULT_MAX_MATCHES = 200_000;

/** Fraction of the sphere inside a cone of this radius: (1 − cos r) / 2. */
export function coneSkyFraction(radiusArcsec: number): number {
  const r = Math.min(180, radiusArcsec / 3600) * (Math.PI / 180);
  return (1 - Math.cos(r)) / 2;
}

/** Matches a uniform sky would give: Σ over catalogs of positions × rows × cone fraction. */
export function expectedMatches(
  positions: number,
  catalogs: readonly CatalogRequest[],
  rowsOf: (catalog: string) => number
): number {
  let n = 0;
  for (const c of catalogs) {
    n += positions * rowsOf(c.name) * coneSkyFraction(c.radiusArcsec);
  }
  return n;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** 413 unless the uniform-sky estimate of a cross-match is within `maxMatches`. */
export function checkExpectedMatches(
  positions: number,
  catalogs: readonly CatalogRequest[],
  rowsOf: (catalog: string) => number,
  maxMatches: number
): void {
  const expected = expectedMatches(positions, catalogs, rowsOf);
  if (expected > maxMatches) {
    const radii = catalogs.map(c => `${c.name} within ${c.radiusArcsec}″`).join(', ');
    throw new HttpError(
      413,
      `This cross-match would return about ${fmt(expected)} matches (${positions} positions, ${radii}); an answer holds at most ${fmt(maxMatches)}. Send fewer positions per request or use a smaller radius.`,
      { expectedMatches: Math.round(expected), maxMatches }
    );
  }
}

/** 413 when a join found more pairs than `maxMatches`. */
export function checkFoundMatches(found: number, maxMatches: number): void {
  if (found > maxMatches) {
    throw new HttpError(
      413,
      `This cross-match found ${fmt(found)} matches; an answer holds at most ${fmt(maxMatches)}. Send fewer positions per request, use a smaller radius, or mode "nearest".`,
      { matches: found, maxMatches }
    );
  }
}

/** 413 unless a cone over `rows` catalog rows is expected to hold at most `maxMatches`. */
export function checkConeSize(
  catalog: string,
  rows: number,
  radiusArcsec: number,
  maxMatches: number
): void {
  const expected = rows * coneSkyFraction(radiusArcsec);
  if (expected > maxMatches) {
    const radiusDeg = (Math.acos(1 - (2 * maxMatches) / rows) * 180) / Math.PI;
    throw new HttpError(
      413,
      `A cone of ${radiusArcsec / 3600}° over catalog "${catalog}" holds about ${fmt(expected)} rows; a search reads at most ${fmt(maxMatches)}. Use a radius of at most ${radiusDeg.toFixed(2)}°.`,
      { expectedRows: Math.round(expected), maxMatches }
    );
  }
}
