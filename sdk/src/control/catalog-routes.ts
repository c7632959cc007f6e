/**
 * Routes of `alertlab serve`: `GET /cone` (JSON), `POST /crossmatch` (Arrow IPC stream or JSON),
 * `GET /scs/{catalog}` (IVOA Simple Cone Search 1.03, VOTable 1.3) and `GET /catalogs`.
 */
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import type { AlertInput, AlertPositions, MatchOptions } from '../crossmatch/types.js';
import { AlertlabError, CrossmatchError } from '../errors.js';
import type { CatalogService } from './catalogs.js';
import { coneJson } from './cone-json.js';
import {
  DEFAULT_MAX_MATCHES,
  checkConeSize,
  checkExpectedMatches,
  checkFoundMatches
} from './match-budget.js';
import {
  HttpError,
  readBody,
  sendBytes,
  sendJson,
  type RouteContext,
  type Router
} from './http.js';
import {
  catalogRequests,
  catalogRequestsFromQuery,
  coneParams,
  decParam,
  maxRowsParam,
  modeParam,
  raParam,
  radiusDegParam
} from './params.js';
import { VOTABLE_CONTENT_TYPE, coneVotable, errorVotable } from './votable.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';

/** Content type of Arrow IPC streams. */
export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/** Limits of the catalog routes. */
export interface CatalogRouteOptions {
  /** Largest cross-match body. @default 64 MiB */
  maxCrossmatchBytes?: number;
  /** Largest number of alerts in one cross-match. @default 1_000_000 */
  maxAlerts?: number;
  /**
   * Largest number of matches in one answer (cross-match pairs, cone rows), checked on the
   * expected count before the join and on the pairs found after it: past it a 413. @default 200_000
   */
  maxMatches?: number;
  /**
   * Callers without a token (VO clients: pyvo, TOPCAT) of the public routes (/catalogs, /cone,
   * /scs): their rate per address and their own, lower, match cap. @default 5/s, bursts of 20, 50,000 matches
   */
  anonymous?: RateLimitOptions & { maxMatches?: number };
}

function tableRowsJson(t: Table): Record<string, unknown>[] {
  const cols = t.schema.fields.map(f => ({ name: f.name, v: t.getChild(f.name) }));
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const c of cols) {
      row[c.name] = c.v?.get(i) ?? null;
    }
    out.push(row);
  }
  return out;
}

function numbersOf(name: string, v: unknown): Float64Array {
  if (!Array.isArray(v)) {
    throw new HttpError(400, `${name} must be a list of numbers (degrees).`);
  }
  return Float64Array.from(v, (x: unknown) => (typeof x === 'number' ? x : NaN));
}

/** Positions from a JSON body: `{ra: [...], dec: [...]}` or `{alerts: [{ra, dec}, ...]}`. */
function positionsOf(body: Record<string, unknown>): AlertPositions {
  if (Array.isArray(body.alerts)) {
    const a = body.alerts as Record<string, unknown>[];
    return {
      raDeg: numbersOf(
        'alerts[].ra',
        a.map(x => x?.ra)
      ),
      decDeg: numbersOf(
        'alerts[].dec',
        a.map(x => x?.dec)
      )
    };
  }
  if (body.ra !== undefined || body.dec !== undefined) {
    const raDeg = numbersOf('ra', body.ra);
    const decDeg = numbersOf('dec', body.dec);
    if (raDeg.length !== decDeg.length) {
      throw new HttpError(
        400,
        `ra has ${raDeg.length} values and dec ${decDeg.length}: give one dec per ra.`
      );
    }
    return { raDeg, decDeg };
  }
  throw new HttpError(
    400,
    'Give alert positions as {"ra": [...], "dec": [...]} or {"alerts": [{"ra": .., "dec": ..}]} (degrees).'
  );
}

/** Cross-match errors from the SDK (bad column, radius) become 400s. */
function asHttp(err: unknown): unknown {
  if (err instanceof CrossmatchError) {
    return new HttpError(400, err.message, err.context);
  }
  return err;
}

/** Adds the catalog routes to `router`. */
export function addCatalogRoutes(
  router: Router,
  service: CatalogService,
  options: CatalogRouteOptions = {}
): void {
  const maxBytes = options.maxCrossmatchBytes ?? 64 * 1024 * 1024;
  const maxAlerts = options.maxAlerts ?? 1_000_000;
  const maxMatches = options.maxMatches ?? DEFAULT_MAX_MATCHES;
  const rowsOf = (name: string): number => service.require(name).rows;
  const crossmatch = async (alerts: AlertInput, positions: number, o: MatchOptions) => {
    checkExpectedMatches(positions, o.catalogs, rowsOf, maxMatches);
    const r = await service.crossmatch(alerts, o);
    checkFoundMatches(r.table.numRows, maxMatches);
    return r;
  };
  const limiter = new RateLimiter(options.anonymous);
  const anonMatches = Math.min(maxMatches, options.anonymous?.maxMatches ?? 50_000);
  /** Rate limit for callers without a token (429); their match cap. */
  const admit = (ctx: RouteContext): number => {
    if (ctx.anonymous) {
      limiter.check(ctx.req);
      return anonMatches;
    }
    return maxMatches;
  };
  const cone = (
    catalog: string,
    p: { raDeg: number; decDeg: number; radiusArcsec: number; maxRows: number },
    cap = maxMatches
  ) => {
    checkConeSize(catalog, rowsOf(catalog), p.radiusArcsec, cap);
    return service.cone(catalog, p.raDeg, p.decDeg, p.radiusArcsec, Math.min(p.maxRows, cap));
  };

  const open = { public: true };
  router.add(
    'GET',
    '/catalogs',
    async ctx => {
      admit(ctx);
      sendJson(ctx.res, 200, { catalogs: [...service.catalogs().values()] });
    },
    open
  );

  router.add(
    'GET',
    '/cone',
    async ctx => {
      const { res, url } = ctx;
      const cap = admit(ctx);
      const q = url.searchParams;
      const catalog = q.get('catalog');
      if (!catalog) {
        const loaded = [...service.catalogs().keys()].join(', ') || 'none loaded';
        throw new HttpError(400, `Parameter catalog is missing: give one of ${loaded}.`, {
          parameter: 'catalog'
        });
      }
      const r = await cone(catalog, coneParams(q), cap);
      sendBytes(res, 200, 'application/json; charset=utf-8', coneJson(r));
    },
    open
  );

  router.add('POST', '/crossmatch', async (ctx: RouteContext) => {
    const { req, res, url } = ctx;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    const body = await readBody(req, maxBytes);
    try {
      if (type === ARROW_STREAM) {
        let table: Table;
        try {
          table = tableFromIPC(body);
        } catch (cause) {
          throw new HttpError(400, `Body is not an Arrow IPC stream: ${String(cause)}.`);
        }
        if (!table.getChild('ra') || !table.getChild('dec')) {
          throw new HttpError(
            400,
            'The Arrow table needs Float64 columns "ra" and "dec" (degrees).'
          );
        }
        if (table.numRows > maxAlerts) {
          throw new HttpError(
            413,
            `${table.numRows} alerts in one request is too many: the limit is ${maxAlerts}.`
          );
        }
        const q = url.searchParams;
        const r = await crossmatch(table, table.numRows, {
          catalogs: catalogRequestsFromQuery(q),
          mode: modeParam(q.get('mode')),
          includeMovingObjects: q.get('includeMovingObjects') === 'true'
        });
        res.setHeader('x-alertlab-stats', JSON.stringify(r.stats));
        sendBytes(res, 200, ARROW_STREAM, tableToIPC(r.table, 'stream'));
        return;
      }
      if (type !== 'application/json' && type !== '') {
        throw new HttpError(
          415,
          `Content-Type "${type}" is not supported: send application/json or ${ARROW_STREAM}.`
        );
      }
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch (cause) {
        throw new HttpError(400, `Body is not valid JSON: ${String(cause)}.`);
      }
      if (json === null || typeof json !== 'object') {
        throw new HttpError(400, 'Body must be a JSON object.');
      }
      const positions = positionsOf(json);
      if (positions.raDeg.length > maxAlerts) {
        throw new HttpError(
          413,
          `${positions.raDeg.length} alerts in one request is too many: the limit is ${maxAlerts}.`
        );
      }
      const r = await crossmatch(positions, positions.raDeg.length, {
        catalogs: catalogRequests(json.catalogs, json.radiusArcsec),
        mode: modeParam(json.mode)
      });
      sendJson(res, 200, { matches: tableRowsJson(r.table), stats: r.stats });
    } catch (err) {
      throw asHttp(err);
    }
  });

  router.add(
    'GET',
    '/scs/{catalog}',
    async ctx => {
      const { res, url, params } = ctx;
      const q = url.searchParams;
      const cap = admit(ctx);
      try {
        const raDeg = raParam('RA', q.get('RA'));
        const decDeg = decParam('DEC', q.get('DEC'));
        const radiusArcsec = radiusDegParam('SR', q.get('SR')) * 3600;
        const maxRows = maxRowsParam('MAXREC', q.get('MAXREC'));
        const r = await cone(params.catalog, { raDeg, decDeg, radiusArcsec, maxRows }, cap);
        sendBytes(
          res,
          200,
          VOTABLE_CONTENT_TYPE,
          coneVotable(r, `alertlab cone search of ${params.catalog}`)
        );
      } catch (err) {
        if (err instanceof AlertlabError) {
          // SCS 1.03 §3: an error is a VOTable holding an INFO named "Error", sent as a normal
          // (HTTP 200) answer so that clients such as TOPCAT read and show the message.
          sendBytes(res, 200, VOTABLE_CONTENT_TYPE, errorVotable(err.message));
          return;
        }
        throw err;
      }
    },
    open
  );
}
