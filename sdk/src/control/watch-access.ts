/**
 * Who may see, change and use a watchlist or watchmap (issue 15): its owner (the user who added
 * it) and admins change it; it is private unless its owner shared it (`?shared=true`), and then
 * every user may list it and name it in a stage. A watch without an owner record (added with the
 * CLI, or before owners existed) is the admins'. A user's stage must name its watches (not "*",
 * which would read every user's) from the controller's own stores.
 */
import type { WatchKind, WatchOwner, WatchOwnerStore } from '../watch/owner-store.js';
import { HttpError } from './http.js';
import { actor } from './ownership.js';
import type { WatchReferenceCheck } from './deploy-checks.js';
import type { Principal } from './users.js';

const isAdmin = (user: Principal | undefined): boolean => actor(user).role === 'admin';

/** Whether `user` may list and use the watch. */
export function canReadWatch(rec: WatchOwner | undefined, user: Principal | undefined): boolean {
  return isAdmin(user) || (rec !== undefined && (rec.shared || rec.owner === actor(user).name));
}

/** Whether `user` may replace or delete the watch. */
export function canChangeWatch(rec: WatchOwner | undefined, user: Principal | undefined): boolean {
  return isAdmin(user) || (rec !== undefined && rec.owner === actor(user).name);
}

const label = (kind: WatchKind): string => (kind === 'watchlist' ? 'Watchlist' : 'Watchmap');

/** 403 unless `user` may `action` the watch. */
export function checkChangeWatch(
  kind: WatchKind,
  name: string,
  rec: WatchOwner | undefined,
  user: Principal | undefined,
  action: string
): void {
  if (!canChangeWatch(rec, user)) {
    throw new HttpError(
      403,
      `${label(kind)} "${name}" belongs to another user: only its owner or an admin may ${action} it.`
    );
  }
}

/** The fields a listing adds to a watch's info. */
export function ownerFields(rec: WatchOwner | undefined): {
  owner: string | null;
  shared: boolean;
} {
  return { owner: rec?.owner ?? null, shared: rec?.shared ?? false };
}

/** Reads `?shared=` (true/false; undefined when absent). */
export function sharedParam(url: URL): boolean | undefined {
  const v = url.searchParams.get('shared');
  if (v === null) {
    return undefined;
  }
  if (v !== 'true' && v !== 'false') {
    throw new HttpError(400, 'shared must be true or false.');
  }
  return v === 'true';
}

/**
 * The deploy-time check of a manifest's `watch` section: an admin may name anything; a user only
 * watches that are theirs or shared, by name, in the controller's stores.
 */
export function watchReferenceCheck(
  owners: WatchOwnerStore,
  paths: { watchlistPath: string; watchmapDir: string }
): WatchReferenceCheck {
  return async (raw, user) => {
    if (isAdmin(user) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return;
    }
    const w = raw as Record<string, unknown>;
    for (const [k, mine] of [
      ['watchlistPath', paths.watchlistPath],
      ['watchmapDir', paths.watchmapDir]
    ] as const) {
      if (w[k] !== undefined && w[k] !== mine) {
        throw new HttpError(
          403,
          `watch.${k}: only an admin may point a stage at another store; leave it out to use the controller's.`
        );
      }
    }
    for (const [k, kind] of [
      ['watchlists', 'watchlist'],
      ['watchmaps', 'watchmap']
    ] as const) {
      const names = w[k];
      if (names === '*') {
        throw new HttpError(
          403,
          `watch.${k}: "*" would read every user's ${kind}s (admins only); name yours (GET /${k} lists what you may use).`
        );
      }
      if (!Array.isArray(names)) {
        continue;
      }
      const known = await owners.all(kind);
      for (const n of names) {
        if (typeof n === 'string' && !canReadWatch(known.get(n), user)) {
          throw new HttpError(
            403,
            `watch.${k}: ${kind} "${n}" is neither yours nor shared with you (or does not exist); GET /${k} lists what you may use.`
          );
        }
      }
    }
  };
}
