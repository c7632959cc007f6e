/**
 * Caches of writer schemas and of the readers compiled from them, bounded by bytes (issue #15
 * part 3): a stream where every message carries its own schema (a Confluent id each, or a
 * container file each with its own header) must not grow memory without end. Registry schemas
 * are immutable per id, so a cached one is always right; "cached forever" becomes "cached within
 * the budget", least recently used evicted first, and an evicted one is fetched or compiled again.
 */

/** Default budget of a schema source's cache of schema texts. */
export const DEFAULT_SCHEMA_TEXT_CACHE_BYTES = 16 * 1024 * 1024;
/** Default budget of a decoder's cache of compiled readers. */
export const DEFAULT_COMPILED_SCHEMA_CACHE_BYTES = 64 * 1024 * 1024;

/** Fixed cost of a cached item: its Map slot, key and wrapper. */
const ITEM_OVERHEAD = 128;

/** Heap bytes of a string (header plus one byte a Latin-1 char, two otherwise). */
export function textBytes(s: string): number {
  let wide = false;
  for (let i = 0; i < s.length && !wide; i++) {
    wide = s.charCodeAt(i) > 0xff;
  }
  return 24 + s.length * (wide ? 2 : 1);
}

/**
 * Estimated heap bytes of a reader compiled from a schema of `schemaChars` characters: the
 * generated source, its bytecode and closures, the parsed schema it keeps. Measured here (heap
 * after GC per reader): ~3.5 KB for a 1.6 K-character Rubin-shaped schema once run, ~74 KB for
 * Rubin lsst.v10 (38 K characters) compiled; the estimate errs high (schema-cache-files.test.ts checks
 * it does not count less than the heap holds).
 */
export function compiledReaderBytes(schemaChars: number): number {
  return 4_000 + 3 * schemaChars;
}

/** A least-recently-used map bounded by the bytes its items are accounted at. */
export class ByteLru<K, V> {
  private readonly items = new Map<K, { value: V; bytes: number }>();
  private used = 0;
  /** The most recently used key: getting it again needs no reordering (the hot path's case). */
  private last: K | undefined;
  /** Items evicted to stay within the budget (or too big to keep) since creation. */
  evictions = 0;

  constructor(
    readonly maxBytes: number,
    private readonly onEvict?: (key: K, value: V) => void
  ) {
    if (!(maxBytes > 0)) {
      throw new RangeError(`A cache budget must be > 0 bytes (got ${maxBytes}).`);
    }
  }

  /** The item for `key`, marked as the most recently used. */
  get(key: K): V | undefined {
    const it = this.items.get(key);
    if (it !== undefined && key !== this.last) {
      this.items.delete(key);
      this.items.set(key, it);
      this.last = key;
    }
    return it?.value;
  }

  /** The item for `key`, leaving the order as it is. */
  peek(key: K): V | undefined {
    return this.items.get(key)?.value;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  /**
   * Stores `value` at `bytes` (plus a fixed overhead) and evicts the least recently used items
   * past the budget; a value bigger than the whole budget is not kept (false).
   */
  set(key: K, value: V, bytes: number): boolean {
    this.delete(key);
    const cost = bytes + ITEM_OVERHEAD;
    if (cost > this.maxBytes) {
      this.evictions++;
      this.onEvict?.(key, value);
      return false;
    }
    this.items.set(key, { value, bytes: cost });
    this.last = key;
    this.used += cost;
    while (this.used > this.maxBytes) {
      const [oldest, it] = this.items.entries().next().value as [K, { value: V; bytes: number }];
      this.items.delete(oldest);
      this.used -= it.bytes;
      this.evictions++;
      this.onEvict?.(oldest, it.value);
    }
    return true;
  }

  delete(key: K): boolean {
    const it = this.items.get(key);
    if (it === undefined) {
      return false;
    }
    this.items.delete(key);
    this.used -= it.bytes;
    if (key === this.last) {
      this.last = undefined;
    }
    return true;
  }

  *values(): IterableIterator<V> {
    for (const it of this.items.values()) {
      yield it.value;
    }
  }

  /** Bytes the items are accounted at (≤ maxBytes). */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.items.size;
  }

  stats(): { entries: number; bytes: number; maxBytes: number; evictions: number } {
    return {
      entries: this.items.size,
      bytes: this.used,
      maxBytes: this.maxBytes,
      evictions: this.evictions
    };
  }

  clear(): void {
    this.items.clear();
    this.last = undefined;
    this.used = 0;
  }
}
