/**
 * The catalog store: one persistent DuckDB file holding a zone table per catalog plus a metadata
 * table. Zone table `cat_<name>`: rowIdx, zone = floor((dec + 90) / h), ra, dec, unit vector
 * x, y, z, the catalog's own id (BIGINT or VARCHAR) and the kept columns, physically sorted by
 * (zone, ra, id); rowIdx is the row's position in that order. Reopening the file is instant: nothing
 * is rebuilt.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CatalogLoadError, CatalogNotFoundError, ConfigError } from '../errors.js';
import { kindOfSqlType, type ColumnInfo, type ColumnKind } from './columns.js';
import { defaultCatalogPath } from './paths.js';
import { DEFAULT_ZONE_HEIGHT_DEG } from './sky.js';
import {
  STAGE_TABLE,
  describeSource,
  ident,
  stageSource,
  type CatalogSource,
  type StageOptions
} from './stage.js';

/** What the metadata table says about a loaded catalog. */
export interface CatalogInfo {
  name: string;
  rows: number;
  zoneHeightDeg: number;
  /** Where the rows came from (path, package, or "arrow (in memory)"). */
  source: string;
  loadedAt: Date;
  idKind: 'bigint' | 'string';
  /** Kept columns besides id and position. */
  columns: ColumnInfo[];
  /** Rows dropped at load because RA/Dec were missing or Dec was outside ±90. */
  droppedRows: number;
}

/** Progress of a load: phase, rows done, rows in total. */
export interface LoadProgress {
  phase: 'read' | 'append' | 'index' | 'done';
  doneRows: number;
  totalRows: number;
}

/** Options of {@link CatalogStore.load}. */
export interface LoadOptions extends Omit<StageOptions, 'onRows'> {
  /** Zone height in degrees. @default DEFAULT_ZONE_HEIGHT_DEG (1/60°) */
  zoneHeightDeg?: number;
  /** Replace a catalog of the same name. @default true */
  replace?: boolean;
  /** Progress callback (the CLI draws a bar with it). */
  onProgress?: (p: LoadProgress) => void;
}

const META = 'alertlab_catalogs';
/** Names `alertlab catalog load <name>` loads without a source (see builtin.ts). */
const BUILTIN_NAMES = ['hipparcos', 'dso', 'tycho2', 'tycho2-07'];
const NAME_RE = /^[a-z][a-z0-9_-]{0,62}$/;

/** Zone table name of a catalog. */
export function zoneTableName(name: string): string {
  return ident(`cat_${name}`);
}

/** Options of {@link CatalogStore.open}. */
export interface OpenOptions {
  /**
   * Open read-only: many processes (controller, stage workers, bridge) may then read the store at
   * once; loading needs a read-write open, which no other process may hold. @default false
   */
  readOnly?: boolean;
}

/** A persistent DuckDB catalog store. Create with {@link CatalogStore.open}; close with close(). */
export class CatalogStore {
  private closed = false;
  private generation = 0;
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection
  ) {}

  /** Opens (creating if needed) the store at `path`. @default path: `$ALERTLAB_HOME/catalogs.duckdb` */
  static async open(
    path: string = defaultCatalogPath(),
    options: OpenOptions = {}
  ): Promise<CatalogStore> {
    const readOnly = options.readOnly === true && path !== ':memory:';
    if (readOnly && !existsSync(path)) {
      throw new CatalogNotFoundError(
        `No catalog store at ${path}. Load catalogs first: alertlab catalog load hipparcos (also dso, tycho2).`,
        { context: { path } }
      );
    }
    if (path !== ':memory:') {
      await mkdir(dirname(path), { recursive: true });
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(
        path,
        readOnly ? { access_mode: 'READ_ONLY' } : undefined
      );
    } catch (cause) {
      throw new CatalogLoadError(
        `Cannot open catalog store ${path}${readOnly ? ' read-only' : ''}: ${String(cause)}. ` +
          (readOnly
            ? 'A process is writing to it (alertlab catalog load); wait for it to finish.'
            : 'Another process holds it open (a controller, stage or bridge reads it); stop it, or load into another path.'),
        { cause, context: { path, readOnly }, retriable: true }
      );
    }
    const con = await instance.connect();
    if (readOnly) {
      return new CatalogStore(path, instance, con);
    }
    await con.run(
      `CREATE TABLE IF NOT EXISTS ${META} (name VARCHAR PRIMARY KEY, rows BIGINT, zoneHeightDeg DOUBLE,
       source VARCHAR, loadedAt TIMESTAMP, idKind VARCHAR, columns VARCHAR, droppedRows BIGINT)`
    );
    return new CatalogStore(path, instance, con);
  }

  /** Bumped by every load/drop; in-memory copies of catalogs compare against it. */
  get version(): number {
    return this.generation;
  }

  /** A new connection to the store (matchers keep their own). Close it when done. */
  async connect(): Promise<DuckDBConnection> {
    this.assertOpen();
    return this.instance.connect();
  }

  /** All loaded catalogs, by name. */
  async list(): Promise<CatalogInfo[]> {
    this.assertOpen();
    const rows = await (
      await this.con.run(`SELECT * FROM ${META} ORDER BY name`)
    ).getRowObjectsJS();
    return rows.map(r => ({
      name: String(r.name),
      rows: Number(r.rows),
      zoneHeightDeg: Number(r.zoneHeightDeg),
      source: String(r.source),
      loadedAt: r.loadedAt instanceof Date ? r.loadedAt : new Date(String(r.loadedAt)),
      idKind: r.idKind === 'string' ? 'string' : 'bigint',
      columns: JSON.parse(String(r.columns)) as ColumnInfo[],
      droppedRows: Number(r.droppedRows)
    }));
  }

  /** Metadata of one catalog; throws {@link CatalogNotFoundError} naming the loaded ones. */
  async info(name: string): Promise<CatalogInfo> {
    const all = await this.list();
    const found = all.find(c => c.name === name);
    if (!found) {
      const loaded = all.map(c => `"${c.name}"`).join(', ') || 'none';
      const how = BUILTIN_NAMES.includes(name)
        ? `\`alertlab catalog load ${name}\` or loadBuiltinCatalog(store, "${name}")`
        : `\`alertlab catalog load ${name} <file.csv|file.parquet>\` or store.load("${name}", source)`;
      throw new CatalogNotFoundError(
        `Catalog "${name}" is not loaded (loaded: ${loaded}). Load it with ${how}; built-ins: ${BUILTIN_NAMES.join(', ')}.`,
        { context: { catalog: name, loaded: all.map(c => c.name) } }
      );
    }
    return found;
  }

  /**
   * Loads rows from `source` into the zone table of `name` and records its metadata.
   * @returns the new catalog's metadata
   */
  async load(name: string, source: CatalogSource, options: LoadOptions = {}): Promise<CatalogInfo> {
    this.assertOpen();
    if (!NAME_RE.test(name)) {
      throw new ConfigError(
        `Catalog name "${name}" is not allowed: use lower-case letters, digits, "_" or "-", starting with a letter.`,
        { context: { catalog: name } }
      );
    }
    const h = options.zoneHeightDeg ?? DEFAULT_ZONE_HEIGHT_DEG;
    if (!(h > 0 && h <= 10)) {
      throw new ConfigError(`Zone height ${h}° is out of range: use 0 < h ≤ 10 degrees.`, {
        context: { zoneHeightDeg: h }
      });
    }
    if (options.replace === false && (await this.list()).some(c => c.name === name)) {
      throw new ConfigError(
        `Catalog "${name}" is already loaded; pass replace: true to reload it.`,
        {
          context: { catalog: name }
        }
      );
    }
    const progress = options.onProgress;
    progress?.({ phase: 'read', doneRows: 0, totalRows: 0 });
    await stageSource(this.con, source, {
      ...options,
      onRows: (done, total) => progress?.({ phase: 'append', doneRows: done, totalRows: total })
    });
    const desc = await (await this.con.run(`DESCRIBE ${STAGE_TABLE}`)).getRowObjectsJS();
    const staged = desc.map(r => ({ name: String(r.column_name), type: String(r.column_type) }));
    const total = Number(
      (await (await this.con.run(`SELECT count(*) FROM ${STAGE_TABLE}`)).getRows())[0][0]
    );
    progress?.({ phase: 'index', doneRows: 0, totalRows: total });
    const extra = staged.slice(3);
    const columns: ColumnInfo[] = extra.map(c => ({
      name: c.name,
      kind: kindOfSqlType(c.type) ?? ('string' as ColumnKind)
    }));
    const idKind = kindOfSqlType(staged[0].type) === 'string' ? 'string' : 'bigint';
    const table = zoneTableName(name);
    const ra = `(ra - 360 * floor(ra / 360))`;
    try {
      await this.con.run(`
        CREATE OR REPLACE TABLE ${table} AS
        SELECT (row_number() OVER (ORDER BY zone, ra, id) - 1)::INTEGER AS rowIdx, * FROM (
          SELECT floor((dec + 90) / ${h})::INTEGER AS zone, ${ra} AS ra, dec,
                 cos(radians(dec)) * cos(radians(${ra})) AS x,
                 cos(radians(dec)) * sin(radians(${ra})) AS y,
                 sin(radians(dec)) AS z,
                 id${extra.map(c => `, ${ident(c.name)}`).join('')}
          FROM ${STAGE_TABLE}
          WHERE ra IS NOT NULL AND dec IS NOT NULL AND isfinite(ra) AND dec BETWEEN -90 AND 90
        ) ORDER BY zone, ra, id`);
    } finally {
      await this.con.run(`DROP TABLE IF EXISTS ${STAGE_TABLE}`);
    }
    const rows = Number(
      (await (await this.con.run(`SELECT count(*) FROM ${table}`)).getRows())[0][0]
    );
    const info: CatalogInfo = {
      name,
      rows,
      zoneHeightDeg: h,
      source: describeSource(source),
      loadedAt: new Date(),
      idKind,
      columns,
      droppedRows: total - rows
    };
    await this.con.run(`DELETE FROM ${META} WHERE name = $1`, [name]);
    await this.con.run(`INSERT INTO ${META} VALUES ($1, $2, $3, $4, $8::TIMESTAMP, $5, $6, $7)`, [
      name,
      rows,
      h,
      info.source,
      idKind,
      JSON.stringify(columns),
      info.droppedRows,
      info.loadedAt.toISOString()
    ]);
    await this.con.run('CHECKPOINT');
    this.generation++;
    progress?.({ phase: 'done', doneRows: rows, totalRows: rows });
    return info;
  }

  /** Removes a catalog (no error when absent). */
  async drop(name: string): Promise<void> {
    this.assertOpen();
    await this.con.run(`DROP TABLE IF EXISTS ${zoneTableName(name)}`);
    await this.con.run(`DELETE FROM ${META} WHERE name = $1`, [name]);
    this.generation++;
  }

  /** Closes the store's connection and database. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.con.closeSync();
    this.instance.closeSync();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new ConfigError(
        `Catalog store ${this.path} is closed; open it again with CatalogStore.open().`
      );
    }
  }
}

/** Opens a store, runs `fn`, and closes the store whatever happens. */
export async function withCatalogStore<T>(
  path: string,
  fn: (store: CatalogStore) => Promise<T>
): Promise<T> {
  const store = await CatalogStore.open(path);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
