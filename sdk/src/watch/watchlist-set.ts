/**
 * The watchlists a running stage matches against, as one immutable snapshot of the store: every
 * list's zone table in memory with its zone index (the memory-zones cross-match engine). A batch
 * is matched against one snapshot from start to end; {@link WatchlistSet.refresh}, called before
 * each batch (so between transactions), swaps in a new snapshot when the store file was replaced
 * (a list added, replaced or removed) — never in the middle of a batch.
 *
 * Per-source radii: each list is searched at its largest radius, then every pair farther than its
 * own source's radius is dropped.
 */
import { existsSync } from 'node:fs';
import { readMemoryCatalog, type MemoryCatalog } from '../catalog/memory.js';
import { CatalogStore } from '../catalog/store.js';
import { EngineMatcher } from '../crossmatch/matcher.js';
import { pairsFromBuffer } from '../crossmatch/memoryEngine.js';
import { PairBuffer } from '../crossmatch/pairBuffer.js';
import type { AlertInput, CatalogPairs, CatalogShape, PairQuery } from '../crossmatch/types.js';
import { buildZoneIndex, type ZoneIndex } from '../crossmatch/zoneIndex.js';
import { MemoryZonesEngine } from '../crossmatch/zonesMemory.js';
import { CrossmatchError } from '../errors.js';

/** One list held in memory. */
interface LoadedList {
  cat: MemoryCatalog;
  index: ZoneIndex;
  radius: Float64Array;
  maxRadiusArcsec: number;
  version: number;
}

/** The memory-zones engine over a fixed set of lists: never reloads behind a batch's back. */
class SnapshotEngine extends MemoryZonesEngine {
  private readonly pairs = new PairBuffer();
  constructor(
    store: CatalogStore,
    private readonly lists: ReadonlyMap<string, LoadedList>
  ) {
    super(store);
  }

  private get(name: string): LoadedList {
    const l = this.lists.get(name);
    if (!l) {
      throw new CrossmatchError(`Watchlist "${name}" is not in this snapshot.`);
    }
    return l;
  }

  override shape(name: string): Promise<CatalogShape> {
    const { cat } = this.get(name);
    return Promise.resolve({ name, idKind: cat.info.idKind, columns: cat.info.columns });
  }

  override findPairs(
    q: PairQuery,
    name: string,
    radiusArcsec: number,
    columns: string[],
    withVectors: boolean
  ): Promise<CatalogPairs> {
    const { cat, index } = this.get(name);
    const buf = this.pairs;
    buf.reset();
    this.collectPairs(q, cat, index, radiusArcsec, buf);
    buf.sortByAlert(q.raDeg.length);
    return Promise.resolve(pairsFromBuffer(cat, buf, columns, withVectors));
  }
}

/** One snapshot: the lists and their versions. */
export interface WatchlistSnapshot {
  /** The store version the snapshot was read at (see CatalogStore.version). */
  storeVersion: number;
  /** List name → version (load time, ms). */
  versions: Record<string, number>;
}

/** Matches of one batch: per alert row, its matches over every list. */
export interface WatchlistMatches {
  /** Per match: alert row, list, source name, separation (arcsec); by alert row, then separation. */
  alertRow: Int32Array;
  list: string[];
  source: string[];
  sepArcsec: Float64Array;
  snapshot: WatchlistSnapshot;
}

export class WatchlistSet {
  private engine: SnapshotEngine | undefined;
  private matcher: EngineMatcher | undefined;
  private lists = new Map<string, LoadedList>();
  private storeVersion = -1;
  private store: CatalogStore | undefined;
  private refreshing: Promise<boolean> | undefined;

  /**
   * @param path the watchlist store file (it may not exist yet: no lists then)
   * @param names the lists to match, or `'*'` for every list in the store
   */
  constructor(
    readonly path: string,
    readonly names: readonly string[] | '*'
  ) {}

  /** The snapshot the next batch is matched against. */
  get snapshot(): WatchlistSnapshot {
    const versions: Record<string, number> = {};
    for (const [k, v] of this.lists) {
      versions[k] = v.version;
    }
    return { storeVersion: this.storeVersion, versions };
  }

  /**
   * Takes a new snapshot when the store file changed since the last one. Call it between batches.
   * @returns true when the snapshot changed
   */
  refresh(): Promise<boolean> {
    // one refresh at a time: chunks of several partitions may ask together
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    if (!this.store) {
      if (!existsSync(this.path)) {
        return false;
      }
      this.store = await CatalogStore.open(this.path, { readOnly: true });
    }
    const store = this.store;
    if (store.version === this.storeVersion) {
      return false;
    }
    for (let attempt = 0; ; attempt++) {
      const version = store.version;
      const infos = await store.list(); // reopens the replaced file
      const wanted = infos.filter(c => this.names === '*' || this.names.includes(c.name));
      const next = new Map<string, LoadedList>();
      for (const info of wanted) {
        const old = this.lists.get(info.name);
        if (old && old.version === info.loadedAt.getTime()) {
          next.set(info.name, old); // unchanged list: no reload
          continue;
        }
        const cat = await readMemoryCatalog(store, info.name, ['radius']);
        const radius = cat.columns.radius.values as Float64Array;
        let max = 0;
        for (const r of radius) {
          max = r > max ? r : max;
        }
        next.set(info.name, {
          cat,
          index: buildZoneIndex(cat),
          radius,
          maxRadiusArcsec: max,
          version: info.loadedAt.getTime()
        });
      }
      if (store.version !== version && attempt < 3) {
        continue; // replaced again while reading: read the newer file
      }
      this.lists = next;
      this.engine = new SnapshotEngine(store, next);
      this.matcher = new EngineMatcher(this.engine);
      this.storeVersion = store.version;
      return true;
    }
  }

  /** Every match of the alerts within its source's own radius, over every list of the snapshot. */
  async match(alerts: AlertInput): Promise<WatchlistMatches> {
    const rows: number[] = [];
    const lists: string[] = [];
    const sources: string[] = [];
    const seps: number[] = [];
    const snapshot = this.snapshot;
    if (this.matcher && this.lists.size > 0) {
      const names = [...this.lists.keys()].sort();
      const { table } = await this.matcher.matchWithStats(alerts, {
        catalogs: names.map(name => ({
          name,
          radiusArcsec: Math.max(this.lists.get(name)?.maxRadiusArcsec ?? 0, 1e-6),
          columns: ['radius']
        })),
        mode: 'all',
        includeMovingObjects: true
      });
      const alertRow = table.getChild('alertRow')?.toArray() as Int32Array;
      const catalog = table.getChild('catalog');
      const id = table.getChild('catalogId');
      const sep = table.getChild('separationArcsec')?.toArray() as Float64Array;
      const radius = table.getChild('radius')?.toArray() as Float64Array;
      for (let i = 0; i < table.numRows; i++) {
        if (sep[i] <= radius[i]) {
          rows.push(alertRow[i]);
          lists.push(String(catalog?.get(i)));
          sources.push(String(id?.get(i)));
          seps.push(sep[i]);
        }
      }
    }
    // by alert row, then separation
    const order = rows.map((_, i) => i).sort((a, b) => rows[a] - rows[b] || seps[a] - seps[b]);
    return {
      alertRow: Int32Array.from(order, i => rows[i]),
      list: order.map(i => lists[i]),
      source: order.map(i => sources[i]),
      sepArcsec: Float64Array.from(order, i => seps[i]),
      snapshot
    };
  }

  close(): void {
    this.matcher?.close();
    this.store?.close();
    this.store = undefined;
  }
}
