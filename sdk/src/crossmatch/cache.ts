/**
 * The context cache (the seed's Sherlock cache): answers for positions seen before, keyed by
 * (catalog, radius, columns, sky cell, position rounded to `quantumArcsec`). Answers stay exact:
 * an entry holds every catalog row within r + √2·quantum of the first position that made it, with
 * unit vectors, and each lookup re-runs the chord test for the actual position.
 *
 * Bounded by bytes as well as entries (issue #15 part 3): each entry is accounted at what it holds
 * (typed arrays by their bytes, strings by their length, plus the key and a fixed per-entry
 * overhead), and an entry whose arrays are views into a larger buffer (a whole engine answer) is
 * copied into its own buffers first, so evicting it frees what it was accounted for.
 */
import type { ColumnData } from '../catalog/columns.js';
import { HealpixRing } from './healpix.js';
import { textBytes } from '../alerts/schema-cache.js';

/** Options of {@link ContextCache}. */
export interface ContextCacheOptions {
  /** Grid step of the rounded position, arcsec. @default 1 */
  quantumArcsec?: number;
  /** Entries kept (least recently used evicted first). @default 200000 */
  maxEntries?: number;
  /** Bytes kept, as {@link entryBytes} accounts them (least recently used evicted first). @default 64 MiB */
  maxBytes?: number;
}

/** Catalog rows near one rounded position. */
export interface CacheEntry {
  xyz: Float64Array;
  rowIdx: Int32Array;
  ids: ColumnData;
  columns: Record<string, ColumnData>;
}

/** Default byte budget of a context cache. */
export const DEFAULT_CONTEXT_CACHE_BYTES = 64 * 1024 * 1024;

/** Fixed cost per entry: the Map slot, the entry object, its column objects. */
const ENTRY_OVERHEAD = 256;
const COLUMN_OVERHEAD = 64;

const CELLS = new HealpixRing(64);

function columnBytes(c: ColumnData): number {
  if (c.kind === 'string') {
    let n = COLUMN_OVERHEAD + 16 + 8 * c.values.length;
    for (const v of c.values) {
      n += v === null ? 0 : textBytes(v);
    }
    return n;
  }
  return COLUMN_OVERHEAD + c.values.byteLength + (c.valid?.byteLength ?? 0);
}

/** Bytes an entry (and its key) is accounted at. */
export function entryBytes(key: string, e: CacheEntry): number {
  let n = ENTRY_OVERHEAD + textBytes(key) + e.xyz.byteLength + e.rowIdx.byteLength;
  n += columnBytes(e.ids);
  for (const c of Object.values(e.columns)) {
    n += columnBytes(c);
  }
  return n;
}

/** A typed array that owns its buffer: `a` itself, or a copy when it is a view into a larger one. */
function own<A extends Float64Array | Int32Array | BigInt64Array | Uint8Array>(a: A): A {
  return a.byteLength === a.buffer.byteLength ? a : (a.slice() as A);
}

function ownColumn(c: ColumnData): ColumnData {
  switch (c.kind) {
    case 'string':
      return c;
    case 'double':
      return { kind: 'double', values: own(c.values), valid: c.valid && own(c.valid) };
    case 'int':
      return { kind: 'int', values: own(c.values), valid: c.valid && own(c.valid) };
    case 'bigint':
      return { kind: 'bigint', values: own(c.values), valid: c.valid && own(c.valid) };
    case 'bool':
      return { kind: 'bool', values: own(c.values), valid: c.valid && own(c.valid) };
  }
}

/** An LRU map from rounded sky positions to nearby catalog rows, bounded by entries and bytes. */
export class ContextCache {
  readonly quantumArcsec: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  hits = 0;
  misses = 0;
  /** Entries evicted (by either bound) since creation. */
  evictions = 0;
  private used = 0;
  private readonly entries = new Map<string, { entry: CacheEntry; bytes: number }>();

  constructor(options: ContextCacheOptions = {}) {
    this.quantumArcsec = options.quantumArcsec ?? 1;
    this.maxEntries = options.maxEntries ?? 200_000;
    this.maxBytes = options.maxBytes ?? DEFAULT_CONTEXT_CACHE_BYTES;
    if (!(this.maxBytes > 0) || !(this.maxEntries > 0)) {
      throw new RangeError(
        `ContextCache needs maxBytes > 0 and maxEntries > 0 (got ${this.maxBytes}, ${this.maxEntries}).`
      );
    }
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
    return e?.entry;
  }

  /**
   * Stores `entry` (its arrays copied when they are views into a larger buffer) and evicts the
   * least recently used entries past either bound. An entry larger than the whole budget is not kept.
   */
  set(key: string, entry: CacheEntry): void {
    const owned: CacheEntry = {
      xyz: own(entry.xyz),
      rowIdx: own(entry.rowIdx),
      ids: ownColumn(entry.ids),
      columns: Object.fromEntries(Object.entries(entry.columns).map(([k, c]) => [k, ownColumn(c)]))
    };
    const bytes = entryBytes(key, owned);
    this.delete(key);
    if (bytes > this.maxBytes) {
      this.evictions++;
      return;
    }
    this.entries.set(key, { entry: owned, bytes });
    this.used += bytes;
    while (this.used > this.maxBytes || this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) {
        break;
      }
      this.delete(oldest);
      this.evictions++;
    }
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.used -= e.bytes;
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

  /** Bytes the entries are accounted at (≤ maxBytes). */
  get bytes(): number {
    return this.used;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
    this.hits = 0;
    this.misses = 0;
    this.evictions = 0;
  }
}
