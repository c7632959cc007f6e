/** Where watchlists and watchmaps live on disk. */
import { join } from 'node:path';
import { alertlabHome } from '../catalog/paths.js';

/** Watchlist store (a DuckDB file of zone tables, one per list): `$ALERTLAB_HOME/watchlists.duckdb`. */
export function defaultWatchlistPath(): string {
  return process.env.ALERTLAB_WATCHLISTS ?? join(alertlabHome(), 'watchlists.duckdb');
}

/** Watchmap folder (one MOC JSON file per map): `$ALERTLAB_HOME/watchmaps`. */
export function defaultWatchmapDir(): string {
  return process.env.ALERTLAB_WATCHMAPS ?? join(alertlabHome(), 'watchmaps');
}

/** Watchlist and watchmap names: what catalog names allow. */
export const WATCH_NAME_RE = /^[a-z][a-z0-9_-]{0,62}$/;
