/**
 * The catalog store: one persistent DuckDB file holding a zone table per catalog plus a metadata
 * table (see zone-build.ts for the zone tables). Reopening the file is instant: nothing is rebuilt.
 *
 * Nobody ever holds the store file open read-write, so no reader (a bridge engine left running in
 * a notebook, a controller, stage workers) can block a load: every open is read-only, and a load
 * or drop builds the next version in a new file (copying the other catalogs), then renames it over
 * the store (swap.ts). Open stores notice the swap by the file's identity and reopen read-only on
 * their next call; `version` changes then, so in-memory copies of catalogs reload.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CatalogLoadError, CatalogNotFoundError, ConfigError } from '../errors.js';
import type { ColumnInfo } from './columns.js';
import { defaultCatalogPath } from './paths.js';
import { ident, type CatalogSource } from './stage.js';
import { fileIdentity, rewrite, sameFile, type FileIdentity } from './swap.js';
import {
  META,
  buildCatalog,
  catalogNames,
  checkLoad,
  createMeta,
  zoneTableName,
  type CatalogInfo,
  type LoadOptions
} from './zone-build.js';

export { zoneTableName } from './zone-build.js';
export type { CatalogInfo, LoadOptions, LoadProgress } from './zone-build.js';

/** Names `alertlab catalog load <name>` loads without a source (see builtin.ts). */
const BUILTIN_NAMES = ['hipparcos', 'dso', 'tycho2', 'tycho2-07'];
const MEMORY = ':memory:';

/** Options of {@link CatalogStore.open}. */
export interface OpenOptions {
  /**
   * A read-only handle: load and drop are refused. Every handle reads the file read-only either
   * way; this only says what the holder may do. @default false
   */
  readOnly?: boolean;
}

interface Opened {
  instance: DuckDBInstance;
  con: DuckDBConnection;
  identity: FileIdentity | undefined;
}

/** Name under which the store file is attached. */
const ATTACHED = 'alertlab_store';

/**
 * Opens the store file read-only, recording which version (inode) of the file it opened. The file
 * is attached read-only to an in-memory database that shows each of its tables as a view of the
 * same name: queries read the file as before, and connections may still make and append to temp
 * tables (the DuckDB zones matcher does; a read-only default database refuses appends).
 */
async function openFile(path: string): Promise<Opened> {
  for (let attempt = 0; ; attempt++) {
    const before = fileIdentity(path);
    const instance = await DuckDBInstance.create(MEMORY);
    try {
      const setup = await instance.connect();
      await setup.run(`ATTACH '${path.replaceAll("'", "''")}' AS ${ATTACHED} (READ_ONLY)`);
      const tables = await (
        await setup.run(
          `SELECT table_name FROM duckdb_tables() WHERE database_name = '${ATTACHED}' AND schema_name = 'main'`
        )
      ).getRows();
      for (const [name] of tables) {
        const t = ident(String(name));
        await setup.run(`CREATE VIEW ${t} AS SELECT * FROM ${ATTACHED}.main.${t}`);
      }
      setup.closeSync();
    } catch (cause) {
      instance.closeSync();
      throw new CatalogLoadError(
        `Cannot open catalog store ${path} read-only: ${String(cause)}. A process of an older alertlab may hold it read-write; stop it.`,
        { cause, context: { path }, retriable: true }
      );
    }
    const identity = fileIdentity(path);
    if (sameFile(before, identity) || attempt >= 5) {
      return { instance, con: await instance.connect(), identity };
    }
    instance.closeSync(); // swapped while opening: open the new one
  }
}

/** A persistent DuckDB catalog store. Create with {@link CatalogStore.open}; close with close(). */
export class CatalogStore {
  private closed = false;
  private generation = 0;
  /** Connections to versions of the file replaced since (closed with the store). */
  private readonly retired: Opened[] = [];

  private constructor(
    readonly path: string,
    private opened: Opened,
    private readonly readOnly: boolean
  ) {}

  /** Opens (creating if needed) the store at `path`. @default path: `$ALERTLAB_HOME/catalogs.duckdb` */
  static async open(
    path: string = defaultCatalogPath(),
    options: OpenOptions = {}
  ): Promise<CatalogStore> {
    const readOnly = options.readOnly === true;
    if (path === MEMORY) {
      const instance = await DuckDBInstance.create(MEMORY);
      const con = await instance.connect();
      await createMeta(con);
      return new CatalogStore(path, { instance, con, identity: undefined }, false);
    }
    if (!existsSync(path)) {
      if (readOnly) {
        throw new CatalogNotFoundError(
          `No catalog store at ${path}. Load catalogs first: alertlab catalog load hipparcos (also dso, tycho2).`,
          { context: { path } }
        );
      }
      await mkdir(dirname(path), { recursive: true });
      await rewrite(path, async () => undefined);
    }
    return new CatalogStore(path, await openFile(path), readOnly);
  }

  /** Changes with every load, drop or swap seen; in-memory copies of catalogs compare against it. */
  get version(): number {
    return this.swapped() ? this.generation + 1 : this.generation;
  }

  /** A new connection to the store (matchers keep their own). Close it when done. */
  async connect(): Promise<DuckDBConnection> {
    await this.current();
    return this.opened.instance.connect();
  }

  /** All loaded catalogs, by name. */
  async list(): Promise<CatalogInfo[]> {
    const con = await this.current();
    const rows = await (await con.run(`SELECT * FROM ${META} ORDER BY name`)).getRowObjectsJS();
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
   * Loads rows from `source` into the zone table of `name` and records its metadata: into a new
   * version of the store file, swapped in atomically; readers see it on their next call.
   * @returns the new catalog's metadata
   */
  async load(name: string, source: CatalogSource, options: LoadOptions = {}): Promise<CatalogInfo> {
    this.assertWritable();
    checkLoad(name, options);
    const refuseExisting = (names: string[]): void => {
      if (options.replace === false && names.includes(name)) {
        throw new ConfigError(
          `Catalog "${name}" is already loaded; pass replace: true to reload it.`,
          { context: { catalog: name } }
        );
      }
    };
    let info: CatalogInfo | undefined;
    if (this.path === MEMORY) {
      refuseExisting(await catalogNames(this.opened.con));
      info = await buildCatalog(this.opened.con, name, source, options);
    } else {
      await rewrite(
        this.path,
        async (con, previous) => {
          refuseExisting(previous);
          info = await buildCatalog(con, name, source, options);
        },
        name
      );
      await this.reopen();
    }
    this.generation++;
    const done = info as CatalogInfo;
    options.onProgress?.({ phase: 'done', doneRows: done.rows, totalRows: done.rows });
    return done;
  }

  /** Removes a catalog (no error when absent). */
  async drop(name: string): Promise<void> {
    this.assertWritable();
    if (this.path === MEMORY) {
      await this.opened.con.run(`DROP TABLE IF EXISTS ${zoneTableName(name)}`);
      await this.opened.con.run(`DELETE FROM ${META} WHERE name = $1`, [name]);
    } else {
      await rewrite(this.path, async () => undefined, name);
      await this.reopen();
    }
    this.generation++;
  }

  /** Closes the store's connections and databases (the current file's and replaced ones'). */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const o of [...this.retired, this.opened]) {
      o.con.closeSync();
      o.instance.closeSync();
    }
    this.retired.length = 0;
  }

  /** True when the file at `path` is no longer the one this store has open. */
  private swapped(): boolean {
    return (
      !this.closed &&
      this.path !== MEMORY &&
      !sameFile(fileIdentity(this.path), this.opened.identity)
    );
  }

  /** The connection to the current version of the file, reopening after a swap. */
  private async current(): Promise<DuckDBConnection> {
    this.assertOpen();
    if (this.swapped() && existsSync(this.path)) {
      await this.reopen();
      this.generation++;
    }
    return this.opened.con;
  }

  private async reopen(): Promise<void> {
    const next = await openFile(this.path);
    // queries already running on the old connection finish on the old file; closed with the store
    this.retired.push(this.opened);
    this.opened = next;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new ConfigError(
        `Catalog store ${this.path} is closed; open it again with CatalogStore.open().`
      );
    }
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readOnly) {
      throw new ConfigError(
        `Catalog store ${this.path} was opened read-only; open it with CatalogStore.open(path) to load or drop catalogs.`,
        { context: { path: this.path } }
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
