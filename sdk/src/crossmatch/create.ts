/** Factory for the matcher implementations. */
import type { CatalogStore } from '../catalog/store.js';
import { HealpixEngine } from './healpixEngine.js';
import { EngineMatcher, type MatcherOptions } from './matcher.js';
import { DuckDBZonesEngine } from './zonesDuckdb.js';
import { MemoryZonesEngine } from './zonesMemory.js';

/** The matcher implementations. */
export const MATCHER_KINDS = ['duckdb-zones', 'memory-zones', 'healpix'] as const;
export type MatcherKind = (typeof MATCHER_KINDS)[number];

/** Options of {@link createMatcher}. */
export interface CreateMatcherOptions extends MatcherOptions {
  /** HEALPix resolution for 'healpix'. @default about two catalog rows per pixel */
  nside?: number;
}

/**
 * Creates a matcher over the catalogs of `store`. In-memory kinds copy each catalog into typed
 * arrays on first use (call {@link preloadCatalogs} to do it ahead of time); 'duckdb-zones' queries
 * the store directly. Close the matcher before the store.
 */
export function createMatcher(
  store: CatalogStore,
  kind: MatcherKind = 'memory-zones',
  options: CreateMatcherOptions = {}
): EngineMatcher {
  switch (kind) {
    case 'duckdb-zones':
      return new EngineMatcher(new DuckDBZonesEngine(store), options);
    case 'memory-zones':
      return new EngineMatcher(new MemoryZonesEngine(store), options);
    case 'healpix':
      return new EngineMatcher(new HealpixEngine(store, options.nside), options);
  }
}

/** Loads catalogs (and builds indexes) of an in-memory matcher now rather than on first match. */
export async function preloadCatalogs(matcher: EngineMatcher, names: string[]): Promise<void> {
  const engine = matcher.engine;
  if (engine instanceof MemoryZonesEngine || engine instanceof HealpixEngine) {
    await engine.catalogs.preload(names);
  } else {
    for (const n of names) {
      await engine.shape(n);
    }
  }
}

/** Creates a matcher, runs `fn`, and closes the matcher whatever happens. */
export async function withMatcher<T>(
  store: CatalogStore,
  kind: MatcherKind,
  fn: (m: EngineMatcher) => Promise<T>,
  options: CreateMatcherOptions = {}
): Promise<T> {
  const m = createMatcher(store, kind, options);
  try {
    return await fn(m);
  } finally {
    m.close();
  }
}
