/**
 * The cross-match API: one {@link Matcher} interface, several implementations (zones in DuckDB,
 * zones in memory, HEALPix in memory) that return identical pair sets.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import type { ColumnData, ColumnInfo } from '../catalog/columns.js';

/** Alert positions as plain columns (degrees). */
export interface AlertPositions {
  raDeg: Float64Array;
  decDeg: Float64Array;
}

/**
 * Alerts to match: positions, or an Arrow batch/table with canonical alert columns (`ra`, `dec`,
 * and for moving objects `isMovingObject`, `ssObjectId`, `ssnamenr`, `ssdistnr`).
 */
export type AlertInput = AlertPositions | RecordBatch | Table;

/** One archive to match against. */
export interface CatalogRequest {
  /** Catalog name in the store. */
  name: string;
  /** Match radius in arcseconds, 0 < r ≤ 36000 (10°). */
  radiusArcsec: number;
  /** Kept catalog columns to return. @default none */
  columns?: string[];
}

/** 'all': every catalog row within the radius; 'nearest': the closest one per alert and catalog. */
export type MatchMode = 'all' | 'nearest';

/** Options of {@link Matcher.match}. */
export interface MatchOptions {
  catalogs: CatalogRequest[];
  /** @default 'all' */
  mode?: MatchMode;
  /** Match solar-system objects too. @default false (they are skipped and counted) */
  includeMovingObjects?: boolean;
  /** ZTF: an alert with `ssnamenr` set and `ssdistnr` ≤ this (arcsec) is a moving object. @default 5 */
  maxSsDistArcsec?: number;
}

/** Per-catalog counts of one call. */
export interface CatalogMatchStats {
  pairs: number;
  matchedAlerts: number;
  cacheHits: number;
  cacheMisses: number;
}

/** What one call did. */
export interface MatchStats {
  matcher: string;
  alerts: number;
  /** Alerts skipped as solar-system objects. */
  movingSkipped: number;
  /** Alerts skipped because RA/Dec were missing, not finite, or |Dec| > 90. */
  invalidSkipped: number;
  /** Alerts that were matched (alerts - skipped). */
  queried: number;
  pairs: number;
  cacheHits: number;
  cacheMisses: number;
  /** cacheHits / (cacheHits + cacheMisses), 0 when no cache. */
  cacheHitRate: number;
  elapsedMs: number;
  perCatalog: Record<string, CatalogMatchStats>;
}

/** A table plus the stats of the call that made it. */
export interface MatchResult {
  /**
   * Columns: alertRow Int32, catalog Utf8, catalogId (Int64 when every requested catalog has bigint
   * ids, else Utf8), separationArcsec Float64, then the requested catalog columns (null for rows of
   * catalogs that lack them). Rows are grouped by catalog in request order, then by alertRow, then
   * by increasing separation.
   */
  table: Table;
  stats: MatchStats;
}

/** A cross-matcher. Every implementation returns the same pairs for the same input. */
export interface Matcher {
  /** Implementation name: 'duckdb-zones' | 'memory-zones' | 'healpix'. */
  readonly kind: string;
  /** Matches alerts against catalogs; see {@link MatchResult.table} for the columns. */
  match(alerts: AlertInput, options: MatchOptions): Promise<Table>;
  /** Like match, with the call's stats. */
  matchWithStats(alerts: AlertInput, options: MatchOptions): Promise<MatchResult>;
  /** Releases connections and memory. */
  close(): void;
}

/**
 * Alerts to look up: which rows, and every row's unit vector and position. For an engine with
 * {@link PairEngine.lazyVectors} an alert's x is NaN until the engine computes its vector.
 */
export interface PairQuery {
  rows: Int32Array;
  raDeg: Float64Array;
  decDeg: Float64Array;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
}

/** Pairs found for one catalog, sorted by (alertRow, chord², rowIdx). */
export interface CatalogPairs {
  alertRow: Int32Array;
  /**
   * Squared chord between alert and catalog unit vectors. A fresh array that the caller owns:
   * the matcher overwrites it with the separations.
   */
  chord2: Float64Array;
  /** Catalog row (position in zone order): the tie-break. */
  rowIdx: Int32Array;
  ids: ColumnData;
  columns: Record<string, ColumnData>;
  /** Catalog unit vectors, 3 per pair, when asked for (the context cache needs them). */
  xyz?: Float64Array;
}

/** What a catalog looks like to the output builder. */
export interface CatalogShape {
  name: string;
  idKind: 'bigint' | 'string';
  columns: ColumnInfo[];
}

/** The part each implementation provides: all pairs within a radius for some alerts. */
export interface PairEngine {
  readonly kind: string;
  /**
   * True when findPairs computes an alert's unit vector itself, where query.x is NaN, and only
   * for alerts with candidate rows (most alerts have none near a bright-star catalog).
   * @default false (every vector is filled before the call)
   */
  readonly lazyVectors?: boolean;
  shape(catalog: string): Promise<CatalogShape>;
  findPairs(
    query: PairQuery,
    catalog: string,
    radiusArcsec: number,
    columns: string[],
    withVectors: boolean
  ): Promise<CatalogPairs>;
  close(): void;
}
