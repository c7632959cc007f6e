/**
 * The context cache (the seed's Sherlock cache): answers for positions seen before, keyed by
 * (catalog, radius, columns, sky cell, position rounded to `quantumArcsec`). Answers stay exact:
 * an entry holds every catalog row within r + √2·quantum of the first position that made it, with
 * unit vectors, and each lookup re-runs the chord test for the actual position.
 */
import type { ColumnData } from '../catalog/columns.js';
import { HealpixRing } from './healpix.js';

/** Options of {@link ContextCache}. */
export interface ContextCacheOptions {
  /** Grid step of the rounded position, arcsec. @default 1 */
  quantumArcsec?: number;
  /** Entries kept (least recently used evicted first). @default 200000 */
  maxEntries?: number;
}

/** Catalog rows near one rounded position. */
export interface CacheEntry {
  xyz: Float64Array;
  rowIdx: Int32Array;
  ids: ColumnData;
  columns: Record<string, ColumnData>;
}

const CELLS = new HealpixRing(64);

/** An LRU map from rounded sky positions to nearby catalog rows. */
export class ContextCache {
  readonly quantumArcsec: number;
  readonly maxEntries: number;
  hits = 0;
  misses = 0;
  private readonly entries = new Map<string, CacheEntry>();

  constructor(options: ContextCacheOptions = {}) {
    this.quantumArcsec = options.quantumArcsec ?? 1;
    this.maxEntries = options.maxEntries ?? 200_000;
  }

  /** Extra radius (arcsec) an entry must cover so any position with the same key is answered exactly. */
  get marginArcsec(): number {
    return this.quantumArcsec * Math.SQRT2 * (1 + 1e-9) + 1e-6;
  }

  /** Cache key of a lookup. */
  key(
    catalog: string,
    radiusArcsec: number,
    columns: string[],
    raDeg: number,
    decDeg: number
  ): string {
    const q = this.quantumArcsec / 3600;
    const qra = Math.round(raDeg / q);
    const qdec = Math.round(decDeg / q);
    const cell = CELLS.pixelOf(Math.sin((decDeg * Math.PI) / 180), (raDeg * Math.PI) / 180);
    return `${catalog}|${radiusArcsec}|${columns.join(',')}|${cell}|${qra}|${qdec}`;
  }

  get(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  set(key: string, entry: CacheEntry): void {
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.entries.delete(oldest);
      }
    }
  }

  /** Fraction of lookups answered from the cache since creation (0 when none). */
  get hitRate(): number {
    const n = this.hits + this.misses;
    return n === 0 ? 0 : this.hits / n;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }
}
