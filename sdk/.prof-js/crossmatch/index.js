export { EngineMatcher, MAX_RADIUS_ARCSEC } from './matcher.js';
export { createMatcher, preloadCatalogs, withMatcher, MATCHER_KINDS } from './create.js';
export { ContextCache } from './cache.js';
export { movingObjectMask, prepareAlerts } from './alerts.js';
export { HealpixRing } from './healpix.js';
export { DuckDBZonesEngine } from './zonesDuckdb.js';
export { MemoryZonesEngine } from './zonesMemory.js';
export { HealpixEngine, buildHealpixIndex, autoNside } from './healpixEngine.js';
