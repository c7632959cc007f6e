import { HealpixEngine } from './healpixEngine.js';
import { EngineMatcher } from './matcher.js';
import { DuckDBZonesEngine } from './zonesDuckdb.js';
import { MemoryZonesEngine } from './zonesMemory.js';
/** The matcher implementations. */
export const MATCHER_KINDS = ['duckdb-zones', 'memory-zones', 'healpix'];
/**
 * Creates a matcher over the catalogs of `store`. In-memory kinds copy each catalog into typed
 * arrays on first use (call {@link preloadCatalogs} to do it ahead of time); 'duckdb-zones' queries
 * the store directly. Close the matcher before the store.
 */
export function createMatcher(store, kind = 'memory-zones', options = {}) {
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
export async function preloadCatalogs(matcher, names) {
    const engine = matcher.engine;
    if (engine instanceof MemoryZonesEngine || engine instanceof HealpixEngine) {
        await engine.catalogs.preload(names);
    }
    else {
        for (const n of names) {
            await engine.shape(n);
        }
    }
}
/** Creates a matcher, runs `fn`, and closes the matcher whatever happens. */
export async function withMatcher(store, kind, fn, options = {}) {
    const m = createMatcher(store, kind, options);
    try {
        return await fn(m);
    }
    finally {
        m.close();
    }
}
