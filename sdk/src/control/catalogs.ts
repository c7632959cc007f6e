/**
 * Catalog queries behind the HTTP routes: cone search on in-memory zone arrays (the
 * 'memory-zones' engine, rows sorted by separation) and batch cross-match through the shared
 * {@link EngineMatcher}. The catalog store is only read; catalogs are copied to memory on first use.
 */
import { existsSync } from 'node:fs';
import type { ColumnData } from '../catalog/columns.js';
import { defaultCatalogPath } from '../catalog/paths.js';
import { CatalogStore, type CatalogInfo } from '../catalog/store.js';
import { EngineMatcher } from '../crossmatch/matcher.js';
import { arcsecOfChord2Fast, unitVectorsFast } from '../crossmatch/trig.js';
import { MemoryZonesEngine } from '../crossmatch/zonesMemory.js';
import type { AlertInput, MatchOptions, MatchResult } from '../crossmatch/types.js';
import { HttpError } from './http.js';

/** One row of a cone search answer. */
export interface ConeRow {
  id: bigint | string | null;
  raDeg: number;
  decDeg: number;
  separationArcsec: number;
  columns: Record<string, number | bigint | string | boolean | null>;
}

/** A cone search answer. */
export interface ConeResult {
  catalog: string;
  raDeg: number;
  decDeg: number;
  radiusArcsec: number;
  /** Kept columns of the catalog, in order, with their kinds. */
  columns: CatalogInfo['columns'];
  idKind: CatalogInfo['idKind'];
  rows: ConeRow[];
  /** True when more rows matched than `maxRows`. */
  truncated: boolean;
}

function valueAt(c: ColumnData, i: number): number | bigint | string | boolean | null {
  if (c.kind === 'string') {
    return c.values[i];
  }
  if (c.valid && !c.valid[i]) {
    return null;
  }
  return c.kind === 'bool' ? c.values[i] === 1 : c.values[i];
}

/** Options of {@link CatalogService.open}. */
export interface CatalogServiceOptions {
  /** Catalog store file. @default `$ALERTLAB_HOME/catalogs.duckdb` */
  storePath?: string;
  /** Catalogs to serve. @default every catalog in the store */
  catalogs?: string[];
}

/**
 * Cone search and cross-match over catalogs copied to memory at open. The DuckDB store is closed
 * right after the copy, so stage workers and `alertlab catalog load` can open it meanwhile;
 * catalogs loaded later are served after a restart.
 */
export class CatalogService {
  private readonly engine: MemoryZonesEngine;
  readonly matcher: EngineMatcher;

  private constructor(
    store: CatalogStore,
    private readonly infos: Map<string, CatalogInfo>
  ) {
    this.engine = new MemoryZonesEngine(store);
    this.matcher = new EngineMatcher(this.engine);
  }

  /**
   * Opens the store read-only, copies the catalogs to memory and closes the store. A store that
   * does not exist yet serves no catalogs.
   */
  static async open(options: CatalogServiceOptions = {}): Promise<CatalogService> {
    const path = options.storePath ?? defaultCatalogPath();
    const store = existsSync(path)
      ? await CatalogStore.open(path, { readOnly: true })
      : await CatalogStore.open(':memory:');
    let service: CatalogService | undefined;
    try {
      const all = await store.list();
      const wanted = options.catalogs ?? all.map(c => c.name);
      const infos = new Map<string, CatalogInfo>();
      for (const name of wanted) {
        infos.set(name, await store.info(name));
      }
      service = new CatalogService(store, infos);
      await service.engine.catalogs.preload(wanted);
      return service;
    } catch (err) {
      service?.close();
      throw err;
    } finally {
      store.close();
    }
  }

  /** Served catalogs by name. */
  catalogs(): Map<string, CatalogInfo> {
    return this.infos;
  }

  /** Metadata of a catalog, or a 400 naming the served ones. */
  require(name: string): CatalogInfo {
    const info = this.infos.get(name);
    if (!info) {
      const loaded = [...this.infos.keys()].map(n => `"${n}"`).join(', ') || 'none';
      throw new HttpError(
        400,
        `Unknown catalog "${name}": use one of the served catalogs (${loaded}). Load more with \`alertlab catalog load <name>\` and restart the server.`,
        { catalog: name, loaded: [...this.infos.keys()] }
      );
    }
    return info;
  }

  /** Catalog rows within `radiusArcsec` of (ra, dec), nearest first, at most `maxRows`. */
  async cone(
    catalog: string,
    raDeg: number,
    decDeg: number,
    radiusArcsec: number,
    maxRows: number
  ): Promise<ConeResult> {
    const info = this.require(catalog);
    const ra = Float64Array.of(raDeg);
    const dec = Float64Array.of(decDeg);
    const x = new Float64Array(1);
    const y = new Float64Array(1);
    const z = new Float64Array(1);
    // Same vectors and separations as the matcher's, so /cone and /crossmatch agree to the bit.
    unitVectorsFast(ra, dec, x, y, z);
    const columns = info.columns.map(c => c.name);
    const query = { rows: Int32Array.of(0), raDeg: ra, decDeg: dec, x, y, z };
    const pairs = await this.engine.findPairs(query, catalog, radiusArcsec, columns, false);
    const { cat } = await this.engine.catalogs.get(catalog);
    const n = Math.min(pairs.rowIdx.length, maxRows);
    const rows: ConeRow[] = [];
    for (let i = 0; i < n; i++) {
      const r = pairs.rowIdx[i];
      const extra: ConeRow['columns'] = {};
      for (const c of columns) {
        extra[c] = valueAt(pairs.columns[c], i);
      }
      const id = valueAt(pairs.ids, i);
      rows.push({
        id: typeof id === 'bigint' || typeof id === 'string' ? id : null,
        raDeg: cat.raDeg[r],
        decDeg: cat.decDeg[r],
        separationArcsec: arcsecOfChord2Fast(pairs.chord2[i]),
        columns: extra
      });
    }
    return {
      catalog,
      raDeg,
      decDeg,
      radiusArcsec,
      columns: info.columns,
      idKind: info.idKind,
      rows,
      truncated: pairs.rowIdx.length > maxRows
    };
  }

  /** Cross-matches a batch (catalog names are checked first, for a 400 that lists them). */
  async crossmatch(alerts: AlertInput, options: MatchOptions): Promise<MatchResult> {
    for (const c of options.catalogs) {
      this.require(c.name);
    }
    return this.matcher.matchWithStats(alerts, options);
  }

  close(): void {
    this.matcher.close();
  }
}
