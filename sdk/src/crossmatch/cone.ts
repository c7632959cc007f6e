/**
 * Cone search on top of any {@link Matcher}: one position, one catalog. `parseConeQuery` checks
 * untrusted parameters (an HTTP query string, say) and returns `{ ok, value } | { ok, issues }`
 * with messages that say what is allowed; `coneSearch` is the throwing variant.
 */
import type { Table } from 'apache-arrow';
import { CrossmatchError } from '../errors.js';
import { MAX_RADIUS_ARCSEC } from './matcher.js';
import type { Matcher } from './types.js';

/** A validated cone query. */
export interface ConeQuery {
  raDeg: number;
  decDeg: number;
  radiusArcsec: number;
  catalog: string;
  /** Catalog columns to return. @default none */
  columns?: string[];
  /** @default 'all' */
  mode?: 'all' | 'nearest';
}

/** Raw parameters as they arrive (strings or numbers). */
export interface ConeParams {
  ra?: string | number;
  dec?: string | number;
  /** Radius in arcseconds. */
  radiusArcsec?: string | number;
  catalog?: string;
  columns?: string | string[];
  mode?: string;
}

export type ConeParseResult = { ok: true; value: ConeQuery } | { ok: false; issues: string[] };

function num(v: string | number | undefined): number {
  if (v === undefined || v === '') {
    return NaN;
  }
  return typeof v === 'number' ? v : Number(v);
}

/** Validates cone parameters: 0 ≤ ra < 360 (other values are folded), −90 ≤ dec ≤ 90, 0 < radius ≤ 10°. */
export function parseConeQuery(params: ConeParams): ConeParseResult {
  const issues: string[] = [];
  const ra = num(params.ra);
  const dec = num(params.dec);
  const radius = num(params.radiusArcsec);
  if (!Number.isFinite(ra)) {
    issues.push('ra must be a number of degrees (0 ≤ ra < 360).');
  }
  if (!(dec >= -90 && dec <= 90)) {
    issues.push('dec must be a number of degrees between −90 and 90.');
  }
  if (!(radius > 0 && radius <= MAX_RADIUS_ARCSEC)) {
    issues.push(`radius must be in arcseconds, 0 < radius ≤ ${MAX_RADIUS_ARCSEC} (10°).`);
  }
  if (!params.catalog) {
    issues.push('catalog is required (the name of a loaded catalog).');
  }
  const mode = params.mode ?? 'all';
  if (mode !== 'all' && mode !== 'nearest') {
    issues.push("mode must be 'all' or 'nearest'.");
  }
  if (issues.length > 0) {
    return { ok: false, issues };
  }
  const columns =
    typeof params.columns === 'string'
      ? params.columns
          .split(',')
          .map(s => s.trim())
          .filter(Boolean)
      : params.columns;
  return {
    ok: true,
    value: {
      raDeg: ((ra % 360) + 360) % 360,
      decDeg: dec,
      radiusArcsec: radius,
      catalog: params.catalog as string,
      columns,
      mode: mode as 'all' | 'nearest'
    }
  };
}

/**
 * Catalog rows within the radius of one position, nearest first (the match table's columns;
 * alertRow is always 0). Throws {@link CrossmatchError} on bad parameters and
 * CatalogNotFoundError for an unknown catalog.
 */
export async function coneSearch(matcher: Matcher, query: ConeQuery | ConeParams): Promise<Table> {
  const parsed =
    'raDeg' in query
      ? parseConeQuery({
          ra: query.raDeg,
          dec: query.decDeg,
          radiusArcsec: query.radiusArcsec,
          catalog: query.catalog,
          columns: query.columns,
          mode: query.mode
        })
      : parseConeQuery(query);
  if (!parsed.ok) {
    throw new CrossmatchError(`Cone search refused: ${parsed.issues.join(' ')}`, {
      context: { issues: parsed.issues }
    });
  }
  const q = parsed.value;
  return matcher.match(
    { raDeg: Float64Array.of(q.raDeg), decDeg: Float64Array.of(q.decDeg) },
    {
      catalogs: [{ name: q.catalog, radiusArcsec: q.radiusArcsec, columns: q.columns }],
      mode: q.mode,
      includeMovingObjects: true
    }
  );
}
