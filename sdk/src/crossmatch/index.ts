/** Cross-match alerts against catalogs: one Matcher interface, three implementations, a cache. */
export type {
  AlertInput,
  AlertPositions,
  CatalogMatchStats,
  CatalogRequest,
  MatchMode,
  MatchOptions,
  MatchResult,
  MatchStats,
  Matcher,
  PairEngine,
  PairQuery,
  CatalogPairs,
  CatalogShape
} from './types.js';
export { EngineMatcher, MAX_RADIUS_ARCSEC } from './matcher.js';
export type { MatcherOptions } from './matcher.js';
export { createMatcher, preloadCatalogs, withMatcher, MATCHER_KINDS } from './create.js';
export type { CreateMatcherOptions, MatcherKind } from './create.js';
export { ContextCache } from './cache.js';
export type { ContextCacheOptions } from './cache.js';
export { movingObjectMask, prepareAlerts } from './alerts.js';
export { HealpixRing } from './healpix.js';
export { DuckDBZonesEngine } from './zonesDuckdb.js';
export { MemoryZonesEngine } from './zonesMemory.js';
export { HealpixEngine, buildHealpixIndex, autoNside } from './healpixEngine.js';
export { coneSearch, parseConeQuery } from './cone.js';
export type { ConeParams, ConeParseResult, ConeQuery } from './cone.js';
