/**
 * The {@link Matcher} every implementation shares: validates the request, sets moving objects
 * aside, asks the implementation's {@link PairEngine} (through the context cache when one is given)
 * for each catalog, keeps the nearest pair when asked, and builds the Arrow output.
 */
import type { Table } from 'apache-arrow';
import { takeColumn, type ColumnData } from '../catalog/columns.js';
import { CrossmatchError } from '../errors.js';
import { AlertScratch, prepareAlerts } from './alerts.js';
import type { ContextCache } from './cache.js';
import { findPairsCached } from './cachedPairs.js';
import { buildOutputTable, type OutputPart } from './output.js';
import { arcsecOfChord2Fast } from './trig.js';
import type {
  AlertInput,
  CatalogPairs,
  MatchOptions,
  MatchResult,
  MatchStats,
  Matcher,
  PairEngine,
  PairQuery
} from './types.js';

/** Largest radius accepted, arcsec (10°). */
export const MAX_RADIUS_ARCSEC = 36_000;

/** Options shared by all matchers. */
export interface MatcherOptions {
  /** Answer repeated positions from this cache. @default none */
  cache?: ContextCache;
}

function validate(options: MatchOptions): void {
  if (!options.catalogs || options.catalogs.length === 0) {
    throw new CrossmatchError(
      'Cross-match needs at least one catalog: pass catalogs: [{ name, radiusArcsec }].'
    );
  }
  for (const c of options.catalogs) {
    if (!(c.radiusArcsec > 0 && c.radiusArcsec <= MAX_RADIUS_ARCSEC)) {
      throw new CrossmatchError(
        `Radius ${c.radiusArcsec}″ for catalog "${c.name}" is out of range: use 0 < radiusArcsec ≤ ${MAX_RADIUS_ARCSEC}.`,
        { context: { catalog: c.name, radiusArcsec: c.radiusArcsec } }
      );
    }
  }
  const mode = options.mode ?? 'all';
  if (mode !== 'all' && mode !== 'nearest') {
    throw new CrossmatchError(`Match mode "${String(mode)}" is unknown: use 'all' or 'nearest'.`);
  }
}

function nearestOnly(p: CatalogPairs): CatalogPairs {
  const keep: number[] = [];
  for (let i = 0; i < p.alertRow.length; i++) {
    if (i === 0 || p.alertRow[i] !== p.alertRow[i - 1]) {
      keep.push(i);
    }
  }
  const rows = Int32Array.from(keep);
  const columns: Record<string, ColumnData> = {};
  for (const [k, c] of Object.entries(p.columns)) {
    columns[k] = takeColumn(c, rows);
  }
  return {
    alertRow: Int32Array.from(keep, i => p.alertRow[i]),
    chord2: Float64Array.from(keep, i => p.chord2[i]),
    rowIdx: Int32Array.from(keep, i => p.rowIdx[i]),
    ids: takeColumn(p.ids, rows),
    columns
  };
}

/** A matcher built on a {@link PairEngine}. */
export class EngineMatcher implements Matcher {
  readonly kind: string;
  /** Alert arrays reused call after call; a call that overlaps another one gets its own. */
  private spare: AlertScratch | undefined = new AlertScratch();
  constructor(
    readonly engine: PairEngine,
    private readonly options: MatcherOptions = {}
  ) {
    this.kind = engine.kind;
  }

  /** The context cache, if any. */
  get cache(): ContextCache | undefined {
    return this.options.cache;
  }

  async match(alerts: AlertInput, options: MatchOptions): Promise<Table> {
    return (await this.matchWithStats(alerts, options)).table;
  }

  async matchWithStats(alerts: AlertInput, options: MatchOptions): Promise<MatchResult> {
    const scratch = this.spare ?? new AlertScratch();
    this.spare = undefined;
    try {
      return await this.run(alerts, options, scratch);
    } finally {
      this.spare = scratch;
    }
  }

  private async run(
    alerts: AlertInput,
    options: MatchOptions,
    scratch: AlertScratch
  ): Promise<MatchResult> {
    const t0 = performance.now();
    validate(options);
    // The cache tests every alert against its cached rows, so it needs every vector.
    const lazy = this.engine.lazyVectors === true && !this.options.cache;
    const prepared = prepareAlerts(alerts, options.maxSsDistArcsec ?? 5, scratch, !lazy);
    const includeMoving = options.includeMovingObjects ?? false;
    const rows = scratch.rows;
    let queried = 0;
    let movingSkipped = 0;
    let invalidSkipped = 0;
    for (let i = 0; i < prepared.n; i++) {
      if (!prepared.valid[i]) {
        invalidSkipped++;
      } else if (prepared.moving[i] && !includeMoving) {
        movingSkipped++;
      } else {
        rows[queried++] = i;
      }
    }
    const query: PairQuery = { ...prepared, rows: rows.subarray(0, queried) };
    const stats: MatchStats = {
      matcher: this.kind,
      alerts: prepared.n,
      movingSkipped,
      invalidSkipped,
      queried,
      pairs: 0,
      cacheHits: 0,
      cacheMisses: 0,
      cacheHitRate: 0,
      elapsedMs: 0,
      perCatalog: {}
    };
    const parts: OutputPart[] = [];
    const columnOrder: string[] = [];
    for (const req of options.catalogs) {
      const shape = await this.engine.shape(req.name);
      const columns = req.columns ?? [];
      for (const c of columns) {
        if (!columnOrder.includes(c)) {
          columnOrder.push(c);
        }
      }
      let pairs: CatalogPairs;
      let hits = 0;
      let misses = 0;
      if (this.options.cache) {
        const r = await findPairsCached(
          this.engine,
          this.options.cache,
          query,
          shape,
          req.radiusArcsec,
          columns
        );
        ({ pairs, hits, misses } = r);
      } else {
        pairs = await this.engine.findPairs(query, req.name, req.radiusArcsec, columns, false);
      }
      if ((options.mode ?? 'all') === 'nearest') {
        pairs = nearestOnly(pairs);
      }
      const { chord2, alertRow } = pairs;
      // converted in place: chord2 is the call's own array (CatalogPairs.chord2), and ~8 bytes a
      // pair less to allocate is fewer external-memory collections on large batches
      const sepArcsec = chord2;
      let matched = 0;
      let previous = -1;
      for (let i = 0; i < sepArcsec.length; i++) {
        sepArcsec[i] = arcsecOfChord2Fast(chord2[i]);
        if (alertRow[i] !== previous) {
          matched++;
          previous = alertRow[i];
        }
      }
      stats.perCatalog[req.name] = {
        pairs: sepArcsec.length,
        matchedAlerts: matched,
        cacheHits: hits,
        cacheMisses: misses
      };
      stats.pairs += sepArcsec.length;
      stats.cacheHits += hits;
      stats.cacheMisses += misses;
      parts.push({
        shape,
        alertRow: pairs.alertRow,
        sepArcsec,
        ids: pairs.ids,
        columns: pairs.columns
      });
    }
    const lookups = stats.cacheHits + stats.cacheMisses;
    stats.cacheHitRate = lookups === 0 ? 0 : stats.cacheHits / lookups;
    const table = buildOutputTable(parts, columnOrder);
    stats.elapsedMs = performance.now() - t0;
    return { table, stats };
  }

  close(): void {
    this.engine.close();
  }
}
