/**
 * Query parameters of the cone search and cross-match routes, checked with messages that say what
 * is allowed.
 */
import { normalizeRaDeg } from '../catalog/sky.js';
import { MAX_RADIUS_ARCSEC } from '../crossmatch/matcher.js';
import type { CatalogRequest, MatchMode } from '../crossmatch/types.js';
import { HttpError } from './http.js';

/** Largest cone radius, degrees (the matcher's limit: 10°). */
export const MAX_CONE_RADIUS_DEG = MAX_RADIUS_ARCSEC / 3600;
/** Rows returned by a cone search unless `maxRows` (SCS: `MAXREC`) says otherwise. */
export const DEFAULT_MAX_ROWS = 10_000;
/** Largest `maxRows` accepted. */
export const MAX_MAX_ROWS = 1_000_000;

/** A parsed cone. */
export interface ConeParams {
  raDeg: number;
  decDeg: number;
  radiusArcsec: number;
  maxRows: number;
}

/** A finite number from a query value, or a 400 naming the parameter. */
export function numberParam(name: string, raw: string | null, what: string): number {
  if (raw === null || raw.trim() === '') {
    throw new HttpError(400, `Parameter ${name} is missing: give ${what}.`, { parameter: name });
  }
  const v = Number(raw);
  if (!Number.isFinite(v)) {
    throw new HttpError(400, `Parameter ${name}="${raw}" is not a number: give ${what}.`, {
      parameter: name
    });
  }
  return v;
}

/** RA in degrees: any finite value in [-360, 720], folded into [0, 360). */
export function raParam(name: string, raw: string | null): number {
  const v = numberParam(name, raw, 'right ascension in degrees, 0 ≤ ra < 360 (ICRS)');
  if (v < -360 || v > 720) {
    throw new HttpError(400, `Parameter ${name}=${v} is out of range: use 0 ≤ ra < 360 degrees.`, {
      parameter: name
    });
  }
  return normalizeRaDeg(v);
}

/** Dec in degrees, −90 ≤ dec ≤ 90. */
export function decParam(name: string, raw: string | null): number {
  const v = numberParam(name, raw, 'declination in degrees, -90 ≤ dec ≤ 90 (ICRS)');
  if (v < -90 || v > 90) {
    throw new HttpError(
      400,
      `Parameter ${name}=${v} is out of range: use -90 ≤ dec ≤ 90 degrees.`,
      {
        parameter: name
      }
    );
  }
  return v;
}

/** A radius in degrees, 0 < r ≤ 10. */
export function radiusDegParam(name: string, raw: string | null): number {
  const v = numberParam(name, raw, `a radius in degrees, 0 < ${name} ≤ ${MAX_CONE_RADIUS_DEG}`);
  if (!(v > 0 && v <= MAX_CONE_RADIUS_DEG)) {
    throw new HttpError(
      400,
      `Parameter ${name}=${v} is out of range: use 0 < ${name} ≤ ${MAX_CONE_RADIUS_DEG} degrees (or radiusArcsec, 0 < r ≤ ${MAX_RADIUS_ARCSEC}).`,
      { parameter: name }
    );
  }
  return v;
}

/** A radius in arcsec, 0 < r ≤ 36000. */
export function radiusArcsecParam(name: string, raw: string | null): number {
  const v = numberParam(name, raw, `a radius in arcseconds, 0 < ${name} ≤ ${MAX_RADIUS_ARCSEC}`);
  if (!(v > 0 && v <= MAX_RADIUS_ARCSEC)) {
    throw new HttpError(
      400,
      `Parameter ${name}=${v} is out of range: use 0 < ${name} ≤ ${MAX_RADIUS_ARCSEC} arcsec.`,
      {
        parameter: name
      }
    );
  }
  return v;
}

/** A row limit, 1 ≤ n ≤ 1e6 (absent → the default). */
export function maxRowsParam(name: string, raw: string | null): number {
  if (raw === null || raw === '') {
    return DEFAULT_MAX_ROWS;
  }
  const v = numberParam(name, raw, `a row limit, 1 ≤ ${name} ≤ ${MAX_MAX_ROWS}`);
  if (!(Number.isInteger(v) && v >= 1 && v <= MAX_MAX_ROWS)) {
    throw new HttpError(
      400,
      `Parameter ${name}=${v} is out of range: use an integer 1 ≤ ${name} ≤ ${MAX_MAX_ROWS}.`,
      {
        parameter: name
      }
    );
  }
  return v;
}

/**
 * `GET /cone`: `ra`, `dec` (degrees) and either `radius` (degrees) or `radiusArcsec`; optional
 * `maxRows`.
 */
export function coneParams(q: URLSearchParams): ConeParams {
  const raDeg = raParam('ra', q.get('ra'));
  const decDeg = decParam('dec', q.get('dec'));
  let radiusArcsec: number;
  if (q.has('radiusArcsec')) {
    if (q.has('radius')) {
      throw new HttpError(400, 'Give either radius (degrees) or radiusArcsec, not both.');
    }
    radiusArcsec = radiusArcsecParam('radiusArcsec', q.get('radiusArcsec'));
  } else {
    radiusArcsec = radiusDegParam('radius', q.get('radius')) * 3600;
  }
  return { raDeg, decDeg, radiusArcsec, maxRows: maxRowsParam('maxRows', q.get('maxRows')) };
}

/** Match mode: 'all' or 'nearest'. */
export function modeParam(raw: unknown): MatchMode {
  if (raw === undefined || raw === null || raw === '') {
    return 'all';
  }
  if (raw === 'all' || raw === 'nearest') {
    return raw;
  }
  throw new HttpError(400, `mode "${String(raw)}" is unknown: use "all" or "nearest".`, {
    parameter: 'mode'
  });
}

/** Catalog requests from JSON: `[{name, radiusArcsec, columns?}]` or names plus a shared `radiusArcsec`. */
export function catalogRequests(raw: unknown, sharedRadius: unknown): CatalogRequest[] {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0) {
    throw new HttpError(
      400,
      'catalogs is missing: give [{"name": "tycho2", "radiusArcsec": 2}] or ["tycho2"] with radiusArcsec.'
    );
  }
  return list.map((c: unknown) => {
    const entry =
      typeof c === 'string'
        ? { name: c, radiusArcsec: sharedRadius }
        : (c as Record<string, unknown>);
    if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string') {
      throw new HttpError(
        400,
        'Each catalogs entry needs a name: {"name": "tycho2", "radiusArcsec": 2}.'
      );
    }
    const r = entry.radiusArcsec ?? sharedRadius;
    const radiusArcsec = radiusArcsecParam(
      `radiusArcsec (${entry.name})`,
      r === undefined ? null : String(r)
    );
    const cols = entry.columns;
    if (cols !== undefined && !(Array.isArray(cols) && cols.every(x => typeof x === 'string'))) {
      throw new HttpError(
        400,
        `columns of catalog "${entry.name}" must be a list of column names.`
      );
    }
    return { name: entry.name, radiusArcsec, ...(cols ? { columns: cols as string[] } : {}) };
  });
}

/**
 * Catalog requests from a query string (Arrow bodies): `catalogs=tycho2:2:mag|bv,hipparcos:5`
 * — name, radius in arcsec, kept columns separated by `|`; `radiusArcsec=` is the default radius.
 */
export function catalogRequestsFromQuery(q: URLSearchParams): CatalogRequest[] {
  const spec = q.get('catalogs') ?? q.get('catalog');
  if (!spec) {
    throw new HttpError(
      400,
      'Query parameter catalogs is missing: e.g. ?catalogs=tycho2:2,hipparcos:5 (name:radiusArcsec[:col|col]).'
    );
  }
  const list = spec.split(',').map(part => {
    const [name, radius, cols] = part.split(':');
    return {
      name,
      radiusArcsec: radius === undefined || radius === '' ? undefined : radius,
      columns: cols ? cols.split('|') : undefined
    };
  });
  return catalogRequests(list, q.get('radiusArcsec') ?? undefined);
}
