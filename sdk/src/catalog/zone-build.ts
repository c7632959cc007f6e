/**
 * Builds one catalog's zone table and metadata row in a DuckDB connection: stage the source, then
 * `cat_<name>` = rowIdx, zone = floor((dec + 90) / h), ra, dec, unit vector x, y, z, the id and the
 * kept columns, physically sorted by (zone, ra, id). Also copies the catalogs of a previous store
 * file into a new one (the store's load-into-a-new-file swap, see swap.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../errors.js';
import { kindOfSqlType, type ColumnInfo, type ColumnKind } from './columns.js';
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

/** Options of `CatalogStore.load`. */
export interface LoadOptions extends Omit<StageOptions, 'onRows'> {
  /** Zone height in degrees. @default DEFAULT_ZONE_HEIGHT_DEG (1/60°) */
  zoneHeightDeg?: number;
  /** Replace a catalog of the same name. @default true */
  replace?: boolean;
  /** Progress callback (the CLI draws a bar with it). */
  onProgress?: (p: LoadProgress) => void;
}

export const META = 'alertlab_catalogs';
const NAME_RE = /^[a-z][a-z0-9_-]{0,62}$/;

/** Zone table name of a catalog. */
export function zoneTableName(name: string): string {
  return ident(`cat_${name}`);
}

/** Creates the metadata table when missing. */
export async function createMeta(con: DuckDBConnection): Promise<void> {
  await con.run(
    `CREATE TABLE IF NOT EXISTS ${META} (name VARCHAR PRIMARY KEY, rows BIGINT, zoneHeightDeg DOUBLE,
     source VARCHAR, loadedAt TIMESTAMP, idKind VARCHAR, columns VARCHAR, droppedRows BIGINT)`
  );
}

/** Throws a ConfigError unless `name` and the zone height are acceptable. */
export function checkLoad(name: string, options: LoadOptions): number {
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
  return h;
}

/** Names of the catalogs in the metadata table of `schema` (a database alias, or main). */
export async function catalogNames(con: DuckDBConnection, schema?: string): Promise<string[]> {
  const table = schema ? `${ident(schema)}.${META}` : META;
  const rows = await (await con.run(`SELECT name FROM ${table} ORDER BY name`)).getRows();
  return rows.map(r => String(r[0]));
}

/**
 * Copies every catalog of the store file `fromPath` except `skip` (zone table and metadata row)
 * into the connection's database, through a read-only attach. @returns every catalog name the
 * file held (`skip` included)
 */
export async function copyCatalogs(
  con: DuckDBConnection,
  fromPath: string,
  skip: string
): Promise<string[]> {
  const alias = 'alertlab_prev';
  await con.run(`ATTACH '${fromPath.replaceAll("'", "''")}' AS ${alias} (READ_ONLY)`);
  try {
    const names = await catalogNames(con, alias);
    for (const n of names.filter(x => x !== skip)) {
      const t = zoneTableName(n);
      await con.run(`CREATE TABLE ${t} AS SELECT * FROM ${alias}.${t}`);
    }
    await con.run(`INSERT INTO ${META} SELECT * FROM ${alias}.${META} WHERE name <> $1`, [skip]);
    return names;
  } finally {
    await con.run(`DETACH ${alias}`);
  }
}

/** Stages `source` and builds the zone table and metadata row of `name`. */
export async function buildCatalog(
  con: DuckDBConnection,
  name: string,
  source: CatalogSource,
  options: LoadOptions
): Promise<CatalogInfo> {
  const h = checkLoad(name, options);
  const progress = options.onProgress;
  progress?.({ phase: 'read', doneRows: 0, totalRows: 0 });
  await stageSource(con, source, {
    ...options,
    onRows: (done, total) => progress?.({ phase: 'append', doneRows: done, totalRows: total })
  });
  const desc = await (await con.run(`DESCRIBE ${STAGE_TABLE}`)).getRowObjectsJS();
  const staged = desc.map(r => ({ name: String(r.column_name), type: String(r.column_type) }));
  const total = Number(
    (await (await con.run(`SELECT count(*) FROM ${STAGE_TABLE}`)).getRows())[0][0]
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
    await con.run(`
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
    await con.run(`DROP TABLE IF EXISTS ${STAGE_TABLE}`);
  }
  const rows = Number((await (await con.run(`SELECT count(*) FROM ${table}`)).getRows())[0][0]);
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
  await con.run(`DELETE FROM ${META} WHERE name = $1`, [name]);
  await con.run(`INSERT INTO ${META} VALUES ($1, $2, $3, $4, $8::TIMESTAMP, $5, $6, $7)`, [
    name,
    rows,
    h,
    info.source,
    idKind,
    JSON.stringify(columns),
    info.droppedRows,
    info.loadedAt.toISOString()
  ]);
  return info;
}
