/**
 * Puts a catalog source into a temporary staging table `(id, ra, dec, <columns>)` with normalised
 * types, ready to become a zone table. CSV and Parquet are read by DuckDB itself; Arrow tables and
 * loader output go in through appender data chunks.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataType, type Table } from 'apache-arrow';
import { CatalogLoadError } from '../errors.js';
import { kindOfSqlType, sqlTypeOf, type ColumnarCatalog, type ColumnData } from './columns.js';
import { appendColumns } from './duckColumns.js';

/** Where catalog rows come from. A string is a .csv/.csv.gz/.parquet path. */
export type CatalogSource =
  | string
  | { kind: 'csv' | 'parquet'; path: string }
  | { kind: 'arrow'; table: Table; description?: string }
  | { kind: 'columns'; data: ColumnarCatalog; description?: string };

/** How source columns map onto a catalog. */
export interface StageOptions {
  /** RA column (degrees). @default 'ra' */
  raColumn?: string;
  /** Dec column (degrees). @default 'dec' */
  decColumn?: string;
  /** The catalog's own id column; when the source lacks it, the 0-based row number is used. @default 'id' */
  idColumn?: string;
  /** Columns to keep besides id and position. @default every other column */
  columns?: string[];
  /** Called while rows are appended. */
  onRows?: (doneRows: number, totalRows: number) => void;
}

export const STAGE_TABLE = 'alertlab_stage';

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Human description of a source, stored in the metadata table. */
export function describeSource(source: CatalogSource): string {
  if (typeof source === 'string') {
    return source;
  }
  if ('path' in source) {
    return source.path;
  }
  return source.description ?? `${source.kind} (in memory)`;
}

function columnsOfArrow(table: Table, opts: StageOptions): ColumnarCatalog {
  const get = (name: string): Float64Array => {
    const v = table.getChild(name);
    if (!v) {
      throw new CatalogLoadError(`Arrow source has no column "${name}".`, { context: { name } });
    }
    return Float64Array.from(v.toArray() as ArrayLike<number>);
  };
  const raDeg = get(opts.raColumn ?? 'ra');
  const decDeg = get(opts.decColumn ?? 'dec');
  const idName = opts.idColumn ?? 'id';
  const idVec = table.getChild(idName);
  const n = table.numRows;
  let ids: ColumnarCatalog['ids'];
  if (!idVec) {
    ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
  } else if (DataType.isInt(idVec.type)) {
    ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(idVec.get(i) as number | bigint));
  } else {
    ids = Array.from({ length: n }, (_, i) => {
      const v: unknown = idVec.get(i);
      return v === null || v === undefined ? null : String(v);
    });
  }
  const skip = new Set([opts.raColumn ?? 'ra', opts.decColumn ?? 'dec', idName]);
  const names = opts.columns ?? table.schema.fields.map(f => f.name).filter(f => !skip.has(f));
  const columns: Record<string, ColumnData> = {};
  for (const name of names) {
    const v = table.getChild(name);
    if (!v) {
      throw new CatalogLoadError(`Arrow source has no column "${name}".`, { context: { name } });
    }
    const valid = Uint8Array.from({ length: n }, (_, i) => (v.isValid(i) ? 1 : 0));
    if (DataType.isFloat(v.type)) {
      const values = Float64Array.from({ length: n }, (_, i) => Number(v.get(i) ?? NaN));
      columns[name] = { kind: 'double', values, valid };
    } else if (DataType.isInt(v.type) && v.type.bitWidth <= 32) {
      const values = Int32Array.from({ length: n }, (_, i) => Number(v.get(i) ?? 0));
      columns[name] = { kind: 'int', values, valid };
    } else if (DataType.isInt(v.type)) {
      const values = BigInt64Array.from({ length: n }, (_, i) => BigInt(v.get(i) ?? 0));
      columns[name] = { kind: 'bigint', values, valid };
    } else if (DataType.isBool(v.type)) {
      const values = Uint8Array.from({ length: n }, (_, i) => (v.get(i) ? 1 : 0));
      columns[name] = { kind: 'bool', values, valid };
    } else {
      const values = Array.from({ length: n }, (_, i) => (v.isValid(i) ? String(v.get(i)) : null));
      columns[name] = { kind: 'string', values };
    }
  }
  return { ids, raDeg, decDeg, columns };
}

async function stageColumnar(
  con: DuckDBConnection,
  data: ColumnarCatalog,
  onRows?: StageOptions['onRows']
): Promise<void> {
  const idCol: ColumnData =
    data.ids instanceof BigInt64Array
      ? { kind: 'bigint', values: data.ids }
      : { kind: 'string', values: data.ids };
  const extra = Object.entries(data.columns);
  const defs = [
    `id ${sqlTypeOf(idCol.kind)}`,
    'ra DOUBLE',
    'dec DOUBLE',
    ...extra.map(([n, c]) => `${ident(n)} ${sqlTypeOf(c.kind)}`)
  ];
  await con.run(`CREATE OR REPLACE TEMP TABLE ${STAGE_TABLE} (${defs.join(', ')})`);
  const cols: ColumnData[] = [
    idCol,
    { kind: 'double', values: data.raDeg },
    { kind: 'double', values: data.decDeg },
    ...extra.map(([, c]) => c)
  ];
  await appendColumns(con, STAGE_TABLE, cols, onRows);
}

async function stageFile(
  con: DuckDBConnection,
  kind: 'csv' | 'parquet',
  path: string,
  opts: StageOptions
): Promise<void> {
  const reader =
    kind === 'csv' ? `read_csv_auto(${literal(path)})` : `read_parquet(${literal(path)})`;
  let described;
  try {
    described = await (await con.run(`DESCRIBE SELECT * FROM ${reader}`)).getRowObjectsJS();
  } catch (cause) {
    throw new CatalogLoadError(`Cannot read ${kind} catalog ${path}: ${String(cause)}`, {
      cause,
      context: { path }
    });
  }
  const types = new Map(described.map(r => [String(r.column_name), String(r.column_type)]));
  const ra = opts.raColumn ?? 'ra';
  const dec = opts.decColumn ?? 'dec';
  const id = opts.idColumn ?? 'id';
  for (const c of [ra, dec, ...(opts.columns ?? [])]) {
    if (!types.has(c)) {
      throw new CatalogLoadError(
        `Catalog ${path} has no column "${c}". Its columns are: ${[...types.keys()].join(', ')}.`,
        { context: { path, column: c } }
      );
    }
  }
  const idType = types.get(id);
  const idExpr = !idType
    ? '(row_number() OVER () - 1)::BIGINT'
    : kindOfSqlType(idType) === 'int' || kindOfSqlType(idType) === 'bigint'
      ? `${ident(id)}::BIGINT`
      : `${ident(id)}::VARCHAR`;
  const keep = opts.columns ?? [...types.keys()].filter(c => c !== ra && c !== dec && c !== id);
  const extra = keep.map(c => {
    const kind = kindOfSqlType(types.get(c) ?? '') ?? 'string';
    return `${ident(c)}::${sqlTypeOf(kind)} AS ${ident(c)}`;
  });
  const select = [
    `${idExpr} AS id`,
    `${ident(ra)}::DOUBLE AS ra`,
    `${ident(dec)}::DOUBLE AS dec`,
    ...extra
  ];
  await con.run(
    `CREATE OR REPLACE TEMP TABLE ${STAGE_TABLE} AS SELECT ${select.join(', ')} FROM ${reader}`
  );
}

/** Stages any source; the staging table then has columns id, ra, dec, then the kept columns. */
export async function stageSource(
  con: DuckDBConnection,
  source: CatalogSource,
  opts: StageOptions
): Promise<void> {
  if (typeof source === 'string') {
    const kind = /\.parquet$/i.test(source) ? 'parquet' : 'csv';
    return stageFile(con, kind, source, opts);
  }
  if ('path' in source) {
    return stageFile(con, source.kind, source.path, opts);
  }
  const data = 'table' in source ? columnsOfArrow(source.table, opts) : source.data;
  if (source.kind === 'columns' && opts.columns) {
    const kept: Record<string, ColumnData> = {};
    for (const c of opts.columns) {
      if (!data.columns[c]) {
        throw new CatalogLoadError(
          `Catalog source has no column "${c}". Its columns are: ${Object.keys(data.columns).join(', ')}.`,
          { context: { column: c } }
        );
      }
      kept[c] = data.columns[c];
    }
    return stageColumnar(con, { ...data, columns: kept }, opts.onRows);
  }
  return stageColumnar(con, data, opts.onRows);
}
