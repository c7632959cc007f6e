/**
 * Watchlists on disk: each list is a catalog (zone table of name, ra, dec and `radius` in arcsec)
 * in its own DuckDB store file, so lists load, replace and drop exactly as catalogs do — the next
 * version of the file is built beside it and renamed over it (catalog/swap.ts), and running stages
 * see the new file on their next batch. A list's version is its load time (ms since 1970).
 */
import { CatalogStore } from '../catalog/store.js';
import { zoneTableName } from '../catalog/zone-build.js';
import { ConfigError } from '../errors.js';
import { WATCH_NAME_RE, defaultWatchlistPath } from './paths.js';
import type { WatchlistRows } from './watchlist-source.js';

/** What the store says about one list. */
export interface WatchlistInfo {
  name: string;
  sources: number;
  /** Load time in ms since 1970: changes with every add or replace. */
  version: number;
  loadedAt: string;
  maxRadiusArcsec: number;
  /** Where it came from (a file name, `upload`, ...). */
  source: string;
}

export function checkWatchName(name: string, what = 'Watchlist'): string {
  if (!WATCH_NAME_RE.test(name)) {
    throw new ConfigError(
      `${what} name "${name}" is not valid: use lower-case letters, digits, "_" and "-", starting with a letter (at most 63).`,
      { context: { name } }
    );
  }
  return name;
}

export class WatchlistStore {
  private constructor(readonly store: CatalogStore) {}

  /** Opens (creating if needed, unless read-only) the store. @default path: defaultWatchlistPath() */
  static async open(
    path: string = defaultWatchlistPath(),
    options: { readOnly?: boolean } = {}
  ): Promise<WatchlistStore> {
    return new WatchlistStore(await CatalogStore.open(path, options));
  }

  get path(): string {
    return this.store.path;
  }

  /** Changes whenever a list is added, replaced or removed (by any process). */
  get version(): number {
    return this.store.version;
  }

  /**
   * Adds a list, or replaces it with `replace: true` (else a list of that name is an error).
   * @returns the new list's info
   */
  async add(
    name: string,
    rows: WatchlistRows,
    options: { replace?: boolean; source?: string } = {}
  ): Promise<WatchlistInfo> {
    checkWatchName(name);
    await this.store.load(
      name,
      {
        kind: 'columns',
        description: options.source ?? 'upload',
        data: {
          ids: rows.names,
          raDeg: rows.raDeg,
          decDeg: rows.decDeg,
          columns: { radius: { kind: 'double', values: rows.radiusArcsec } }
        }
      },
      { replace: options.replace === true }
    );
    return this.info(name);
  }

  /** Removes a list; false when there was none. */
  async remove(name: string): Promise<boolean> {
    checkWatchName(name);
    const had = (await this.store.list()).some(c => c.name === name);
    if (had) {
      await this.store.drop(name);
    }
    return had;
  }

  /** Every list, by name. */
  async list(): Promise<WatchlistInfo[]> {
    const out: WatchlistInfo[] = [];
    for (const c of await this.store.list()) {
      out.push(await this.info(c.name));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One list's info (an error naming the lists when absent). */
  async info(name: string): Promise<WatchlistInfo> {
    const c = await this.store.info(name);
    const con = await this.store.connect();
    try {
      const r = await con.runAndReadAll(`SELECT max(radius) FROM ${zoneTableName(name)}`);
      const max = Number(r.getRows()[0]?.[0] ?? 0);
      return {
        name,
        sources: c.rows,
        version: c.loadedAt.getTime(),
        loadedAt: c.loadedAt.toISOString(),
        maxRadiusArcsec: max,
        source: c.source
      };
    } finally {
      con.closeSync();
    }
  }

  close(): void {
    this.store.close();
  }
}

/** Opens a store, runs `fn`, closes the store. */
export async function withWatchlistStore<T>(
  path: string | undefined,
  fn: (s: WatchlistStore) => Promise<T>
): Promise<T> {
  const s = await WatchlistStore.open(path);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}
