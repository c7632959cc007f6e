/**
 * Shared part of the in-memory engines: keeps catalogs in memory (reloaded when the store changes)
 * and turns found (alert, catalog row) pairs into {@link CatalogPairs}.
 */
import { takeColumn, type ColumnData } from '../catalog/columns.js';
import { readMemoryCatalog, type MemoryCatalog } from '../catalog/memory.js';
import type { CatalogStore } from '../catalog/store.js';
import { CrossmatchError } from '../errors.js';
import { PairBuffer } from './pairBuffer.js';
import type { CatalogPairs, CatalogShape, PairEngine, PairQuery } from './types.js';

/** Catalogs held in memory for one engine, with an index built per catalog. */
export class MemoryCatalogs<I> {
  private readonly cache = new Map<string, { version: number; cat: MemoryCatalog; index: I }>();
  constructor(
    private readonly store: CatalogStore,
    private readonly buildIndex: (cat: MemoryCatalog) => I
  ) {}

  /** The in-memory copy of `name` and its index (loading them on first use). */
  async get(name: string): Promise<{ cat: MemoryCatalog; index: I }> {
    const hit = this.cache.get(name);
    if (hit && hit.version === this.store.version) {
      return hit;
    }
    const cat = await readMemoryCatalog(this.store, name);
    const entry = { version: this.store.version, cat, index: this.buildIndex(cat) };
    this.cache.set(name, entry);
    return entry;
  }

  /** Shape of a catalog (id kind, columns). */
  async shape(name: string): Promise<CatalogShape> {
    const { cat } = await this.get(name);
    return { name, idKind: cat.info.idKind, columns: cat.info.columns };
  }

  /** Loads catalogs ahead of the first match (so timing excludes the load). */
  async preload(names: string[]): Promise<void> {
    for (const n of names) {
      await this.get(n);
    }
  }

  clear(): void {
    this.cache.clear();
  }
}

/**
 * takeColumn, with 64-bit ids copied as pairs of 32-bit words: reading a BigInt64Array element
 * makes a heap BigInt, which for 10k pairs is a few hundred KB of garbage per call.
 */
export function gather(c: ColumnData, rows: Int32Array): ColumnData {
  if (c.kind !== 'bigint' || c.valid) {
    return takeColumn(c, rows);
  }
  const n = rows.length;
  const out = new BigInt64Array(n);
  const src = new Int32Array(c.values.buffer, c.values.byteOffset, 2 * c.values.length);
  const dst = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const r = rows[i] << 1;
    dst[2 * i] = src[r];
    dst[2 * i + 1] = src[r + 1];
  }
  return { kind: 'bigint', values: out };
}

/** Gathers ids, columns and (optionally) unit vectors for found pairs (buf sorted by alert). */
export function pairsFromBuffer(
  cat: MemoryCatalog,
  buf: PairBuffer,
  columns: string[],
  withVectors: boolean
): CatalogPairs {
  const n = buf.length;
  return pairsOf(
    cat,
    buf.alertRow.slice(0, n),
    buf.catRow.slice(0, n),
    buf.chord2.slice(0, n),
    columns,
    withVectors
  );
}

/** {@link CatalogPairs} of pairs given as fresh arrays (kept as they are). */
function pairsOf(
  cat: MemoryCatalog,
  alertRow: Int32Array,
  rows: Int32Array,
  chord2: Float64Array,
  columns: string[],
  withVectors: boolean
): CatalogPairs {
  const n = rows.length;
  const out: Record<string, ColumnData> = {};
  for (const c of columns) {
    const col = cat.columns[c];
    if (!col) {
      throw new CrossmatchError(
        `Catalog "${cat.info.name}" has no column "${c}". Its columns are: ${Object.keys(cat.columns).join(', ') || 'none'}.`,
        { context: { catalog: cat.info.name, column: c } }
      );
    }
    out[c] = gather(col, rows);
  }
  let xyz: Float64Array | undefined;
  if (withVectors) {
    xyz = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      xyz[3 * i] = cat.x[r];
      xyz[3 * i + 1] = cat.y[r];
      xyz[3 * i + 2] = cat.z[r];
    }
  }
  return {
    alertRow,
    chord2,
    rowIdx: rows,
    ids: gather(cat.ids, rows),
    columns: out,
    xyz
  };
}

/**
 * Base of the in-memory {@link PairEngine}s: loads the catalog (and its index), lets the subclass
 * push every (alert, catalog row, chord²) pair within the radius into a {@link PairBuffer} — each
 * alert's run sorted — then orders the pairs by alert and gathers the columns.
 */
export abstract class MemoryPairEngine<I> implements PairEngine {
  abstract readonly kind: string;
  readonly catalogs: MemoryCatalogs<I>;
  /** Reused across calls: collectPairs and the copy-out below run without an await in between. */
  private readonly buf = new PairBuffer();

  constructor(store: CatalogStore, buildIndex: (cat: MemoryCatalog) => I) {
    this.catalogs = new MemoryCatalogs(store, buildIndex);
  }

  shape(catalog: string): Promise<CatalogShape> {
    return this.catalogs.shape(catalog);
  }

  async findPairs(
    q: PairQuery,
    catalog: string,
    radiusArcsec: number,
    columns: string[],
    withVectors: boolean
  ): Promise<CatalogPairs> {
    const { cat, index } = await this.catalogs.get(catalog);
    const buf = this.buf;
    buf.reset();
    this.collectPairs(q, cat, index, radiusArcsec, buf);
    // the pairs in alert order, copied out of the reused buffer in the same pass
    const sorted = buf.takeInAlertOrder(q.raDeg.length);
    return pairsOf(cat, sorted.alertRow, sorted.catRow, sorted.chord2, columns, withVectors);
  }

  /** Pushes the pairs within `radiusArcsec` into `buf`, each alert's pairs sorted (sortTail). */
  protected abstract collectPairs(
    q: PairQuery,
    cat: MemoryCatalog,
    index: I,
    radiusArcsec: number,
    buf: PairBuffer
  ): void;

  close(): void {
    this.catalogs.clear();
  }
}
