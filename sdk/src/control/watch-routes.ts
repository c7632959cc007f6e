/**
 * REST routes of the controller for watchlists and watchmaps. Running stages pick up every change
 * on their next batch (see watch/watch-columns.ts): no redeploy.
 *
 * - `GET /watchlists` — the lists (name, sources, version, maxRadiusArcsec)
 * - `POST /watchlists/{name}` — add (409 when it exists); `PUT /watchlists/{name}` — add or replace.
 *   Body: CSV (`text/csv`), VOTable (`application/x-votable+xml`, TABLEDATA) or JSON columns/rows;
 *   columns name, ra, dec and optionally radius (arcsec); `?radius=` sets the default radius.
 * - `DELETE /watchlists/{name}`
 * - `GET /watchmaps`; `PUT /watchmaps/{name}` — a MOC (JSON or FITS bytes), or JSON
 *   `{"cone": {"ra", "dec", "radiusDeg"}, "depth"}`, `{"polygon": [[ra, dec], ...], "depth"}`,
 *   `{"healpix": {"order", "cells": [...]}}`; `DELETE /watchmaps/{name}`
 *
 * Each watch has an owner (watch-access.ts): a user lists their own and shared ones, changes only
 * their own (`?shared=true` on an upload shares it); admins all. Changes and refusals are audited.
 */
import { ConfigError } from '../errors.js';
import { mocFromCone, mocFromHealpix, mocFromPolygon } from '../watch/moc-build.js';
import { Moc } from '../watch/moc.js';
import { defaultWatchlistPath } from '../watch/paths.js';
import { WatchmapStore, mocFromBytes } from '../watch/watchmap-store.js';
import { parseWatchlist } from '../watch/watchlist-source.js';
import { checkWatchName, withWatchlistStore } from '../watch/watchlist-store.js';
import type { WatchKind, WatchOwnerStore } from '../watch/owner-store.js';
import { auditWatch, type AuditLog } from './audit.js';
import { HttpError, readBody, sendJson, type RouteContext, type Router } from './http.js';
import { actor } from './ownership.js';
import { canReadWatch, checkChangeWatch, ownerFields, sharedParam } from './watch-access.js';

/** Where the routes keep lists and maps, and how big an upload may be. */
export interface WatchRouteOptions {
  /** @default defaultWatchlistPath() */
  watchlistPath?: string;
  /** @default defaultWatchmapDir() */
  watchmapDir?: string;
  /** Largest upload (a 1M-source CSV is ~50 MB). @default 256 MiB */
  maxUploadBytes?: number;
  /** Who owns each watch; without it every caller acts as an admin. @default none */
  owners?: WatchOwnerStore;
  /** Where changes are recorded. @default none */
  audit?: AuditLog;
}

function name(ctx: RouteContext, what: string): string {
  try {
    return checkWatchName(ctx.params.name, what);
  } catch (err) {
    throw new HttpError(400, (err as Error).message);
  }
}

/** Runs `fn`, turning configuration errors (bad input) into 400s. */
async function badInputIs400<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // a SyntaxError here is an upload's JSON that does not parse
    if (err instanceof ConfigError || err instanceof SyntaxError) {
      throw new HttpError(400, err.message);
    }
    throw err;
  }
}

function mocOfJson(body: Record<string, unknown>): Moc {
  const depth = Number(body.depth ?? 10);
  const cone = body.cone as Record<string, unknown> | undefined;
  if (cone) {
    return mocFromCone(Number(cone.ra), Number(cone.dec), Number(cone.radiusDeg), depth);
  }
  if (Array.isArray(body.polygon)) {
    return mocFromPolygon(body.polygon as Array<[number, number]>, depth);
  }
  const hp = body.healpix as Record<string, unknown> | undefined;
  if (hp) {
    if (!Array.isArray(hp.cells) || hp.cells.length > 10_000_000) {
      throw new ConfigError('healpix.cells must be an array of at most 10,000,000 pixel numbers.');
    }
    return mocFromHealpix(Number(hp.order), (hp.cells as unknown[]).map(Number));
  }
  return Moc.fromJSON(body);
}

/** Adds the watchlist and watchmap routes. */
export function addWatchRoutes(router: Router, options: WatchRouteOptions = {}): void {
  const path = options.watchlistPath ?? defaultWatchlistPath();
  const maps = new WatchmapStore(options.watchmapDir);
  const limit = options.maxUploadBytes ?? 256 * 1024 * 1024;
  const owners = options.owners;
  const ownersOf = async (kind: WatchKind) => (await owners?.all(kind)) ?? new Map();

  /**
   * Runs a change of one watch under the owners file's lock, audited: `fn` gets whether the
   * watch exists now and its owner record, and returns the result and the new record.
   */
  const change = <T>(
    ctx: RouteContext,
    kind: WatchKind,
    n: string,
    action: string,
    exists: () => Promise<boolean>,
    fn: (had: boolean, next: { owner: string; shared: boolean; createdAt: string }) => Promise<T>,
    remove = false
  ): Promise<T> =>
    auditWatch(options.audit, actor(ctx.user), action, `${kind}/${n}`, async () => {
      const shared = sharedParam(ctx.url);
      const run = async (rec: Parameters<typeof ownerFields>[0]) => {
        const had = await exists();
        if (had && owners) {
          checkChangeWatch(kind, n, rec, ctx.user, remove ? 'delete' : 'replace');
        }
        const next = {
          owner: (had && rec?.owner) || actor(ctx.user).name,
          shared: shared ?? (had ? (rec?.shared ?? false) : false),
          createdAt: (had && rec?.createdAt) || new Date().toISOString()
        };
        return { result: await fn(had, next), next: remove ? null : next };
      };
      if (!owners) {
        return (await run(undefined)).result;
      }
      return owners.update(kind, n, run);
    });

  router.add('GET', '/watchlists', async ({ res, user }) => {
    const known = await ownersOf('watchlist');
    const all = await withWatchlistStore(path, s => s.list());
    const watchlists = all
      .filter(l => !owners || canReadWatch(known.get(l.name), user))
      .map(l => ({ ...l, ...ownerFields(known.get(l.name)) }));
    sendJson(res, 200, { watchlists });
  });
  const listExists = (n: string) =>
    withWatchlistStore(path, async s => (await s.list()).some(l => l.name === n));
  const upload =
    (replace: boolean) =>
    async (ctx: RouteContext): Promise<void> => {
      const n = name(ctx, 'Watchlist');
      const text = (await readBody(ctx.req, limit)).toString('utf8');
      const radius = ctx.url.searchParams.get('radius');
      const info = await badInputIs400(async () => {
        const rows = parseWatchlist(text, String(ctx.req.headers['content-type'] ?? ''), {
          defaultRadiusArcsec: radius === null ? undefined : Number(radius)
        });
        const action = replace ? 'watchlist-put' : 'watchlist-create';
        return change(
          ctx,
          'watchlist',
          n,
          action,
          () => listExists(n),
          async (had, next) => {
            if (!replace && had) {
              throw new HttpError(
                409,
                `Watchlist "${n}" exists; PUT /watchlists/${n} replaces it.`
              );
            }
            const stored = await withWatchlistStore(path, s =>
              s.add(n, rows, { replace: true, source: 'REST upload' })
            );
            return { ...stored, owner: next.owner, shared: next.shared };
          }
        );
      });
      sendJson(ctx.res, replace ? 200 : 201, info);
    };
  router.add('POST', '/watchlists/{name}', upload(false));
  router.add('PUT', '/watchlists/{name}', upload(true));
  router.add('DELETE', '/watchlists/{name}', async ctx => {
    const n = name(ctx, 'Watchlist');
    await change(
      ctx,
      'watchlist',
      n,
      'watchlist-delete',
      () => listExists(n),
      async had => {
        if (!had || !(await withWatchlistStore(path, s => s.remove(n)))) {
          throw new HttpError(404, `No watchlist "${n}"; GET /watchlists lists them.`);
        }
      },
      true
    );
    sendJson(ctx.res, 200, { removed: n });
  });

  router.add('GET', '/watchmaps', async ({ res, user }) => {
    const known = await ownersOf('watchmap');
    const watchmaps = (await maps.list())
      .filter(m => !owners || canReadWatch(known.get(m.name), user))
      .map(m => ({ ...m, ...ownerFields(known.get(m.name)) }));
    sendJson(res, 200, { watchmaps });
  });
  const mapExists = async (n: string) => maps.names().includes(n);
  router.add('PUT', '/watchmaps/{name}', async ctx => {
    const n = name(ctx, 'Watchmap');
    const bytes = await readBody(ctx.req, limit);
    const info = await badInputIs400(async () => {
      const moc = mocOfBody(bytes, n);
      return change(
        ctx,
        'watchmap',
        n,
        'watchmap-put',
        () => mapExists(n),
        async (_, next) => ({
          ...(await maps.put(n, moc)),
          owner: next.owner,
          shared: next.shared
        })
      );
    });
    sendJson(ctx.res, 200, info);
  });
  router.add('DELETE', '/watchmaps/{name}', async ctx => {
    const n = name(ctx, 'Watchmap');
    await change(
      ctx,
      'watchmap',
      n,
      'watchmap-delete',
      () => mapExists(n),
      async had => {
        if (!had || !(await maps.remove(n))) {
          throw new HttpError(404, `No watchmap "${n}"; GET /watchmaps lists them.`);
        }
      },
      true
    );
    sendJson(ctx.res, 200, { removed: n });
  });
}

/** A watchmap upload: MOC FITS, MOC JSON, or {cone|polygon|healpix}. */
function mocOfBody(bytes: Buffer, n: string): Moc {
  const head = bytes.subarray(0, 6).toString('latin1');
  if (head === 'SIMPLE') {
    return mocFromBytes(bytes, n);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ConfigError('A watchmap body is MOC JSON, MOC FITS, or {cone|polygon|healpix}.');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError('A watchmap JSON body is an object: MOC JSON or {cone|polygon|healpix}.');
  }
  return mocOfJson(json as Record<string, unknown>);
}
