/**
 * Reads an archive stage's Parquet (`<path>/night=YYYY-MM-DD/*.parquet`, see archive-stage.ts)
 * back as Arrow batches, one file at a time (a file is one flush: at most `flushRows` alerts), in
 * night then file-name order. Flat columns come out of DuckDB chunk by chunk (duck-to-arrow); the
 * `lightcurve` LIST<STRUCT> is read as its flat points plus each alert's point count and rebuilt as
 * List<Struct> buffers (the reverse of what parquet-writer.ts does), so features compute as in a
 * stage. `columns` projects (as a stage decodes only what its filter reads).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Field, List, makeData, type Data, type RecordBatch } from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../duck/column-types.js';
import { readResultAsArrow } from '../duck/duck-to-arrow.js';
import { StageError } from '../errors.js';
import { parseArchiveFileName } from './archive-stage.js';
import { appendColumns } from './match-columns.js';

export interface ArchiveReadOptions {
  /** The archive's root directory (the archive stage's `archive.path`). */
  path: string;
  /** First and last night, `YYYY-MM-DD`, inclusive. @default every night */
  nights?: readonly [string, string];
  /** Columns to read (`lightcurve` included if wanted); unknown names are skipped. @default all */
  columns?: readonly string[];
  /**
   * The lightcurve point fields to read (e.g. only what the features use, see
   * {@link FEATURE_POINT_FIELDS}); unknown names are skipped. @default every field
   */
  pointFields?: readonly string[];
  /** Stops between files when aborted. */
  signal?: AbortSignal;
}

/** The lightcurve point fields withLightcurveFeatures reads. */
export const FEATURE_POINT_FIELDS = ['mjd', 'mag', 'band', 'isDetection'] as const;

const NIGHT_RE = /^night=(\d{4}-\d{2}-\d{2}|unknown)$/;
/** DuckDB types duck-to-arrow reads as they are; others are read as VARCHAR. */
const PLAIN =
  /^(DOUBLE|FLOAT|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|BOOLEAN|VARCHAR)$/;

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The archive's Parquet files of the nights asked, in night then name order. */
export async function archiveFiles(
  path: string,
  nights?: readonly [string, string]
): Promise<{ night: string; file: string }[]> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (error) {
    throw new StageError(`Archive ${path} cannot be read: ${(error as Error).message}.`, {
      cause: error,
      context: { path }
    });
  }
  const out: { night: string; file: string }[] = [];
  for (const dir of entries.filter(e => NIGHT_RE.test(e)).sort()) {
    const night = dir.slice('night='.length);
    if (nights && (night < nights[0] || night > nights[1] || night === 'unknown')) {
      continue;
    }
    const names = (await readdir(join(path, dir)))
      .filter(n => parseArchiveFileName(n)?.temp === false)
      .sort();
    out.push(...names.map(n => ({ night, file: join(path, dir, n) })));
  }
  return out;
}

/**
 * Why a read of `nights` from the archive at `path` would find nothing — nights not
 * `YYYY-MM-DD`, first after last, or no file in the span (naming the nights the archive holds) —
 * or undefined when there is something to read.
 */
export async function archiveSpanProblem(
  path: string,
  nights?: readonly [string, string]
): Promise<string | undefined> {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (nights && !(day.test(nights[0]) && day.test(nights[1]))) {
    return `nights must be (first, last) as YYYY-MM-DD, not (${nights.join(', ')}).`;
  }
  if (nights && nights[0] > nights[1]) {
    return `nights (${nights.join(', ')}): the first night is after the last.`;
  }
  if ((await archiveFiles(path, nights)).length > 0) {
    return undefined;
  }
  const held = [...new Set((await archiveFiles(path)).map(f => f.night))];
  const span = nights ? `for nights ${nights[0]} to ${nights[1]}` : 'at all';
  const has = held.length > 0 ? `it holds ${held[0]} to ${held[held.length - 1]}` : 'it is empty';
  return `The archive ${path} has no alerts ${span}: ${has} (${held.length} night(s)).`;
}

/** The List<Struct> of `points` split by per-alert counts (null count: null list). */
function rebuildLightcurve(points: RecordBatch, counts: Data): Data {
  const n = counts.length;
  const raw = counts.values as BigInt64Array | Int32Array;
  const offsets = new Int32Array(n + 1);
  let nullCount = 0;
  const valid = new Uint8Array(Math.ceil(n / 64) * 8);
  for (let i = 0; i < n; i++) {
    const isValid =
      counts.nullBitmap === undefined ||
      counts.nullBitmap === null ||
      counts.nullCount === 0 ||
      (counts.nullBitmap[(counts.offset + i) >> 3] & (1 << ((counts.offset + i) & 7))) !== 0;
    offsets[i + 1] = offsets[i] + (isValid ? Number(raw[i]) : 0);
    if (isValid) {
      valid[i >> 3] |= 1 << (i & 7);
    } else {
      nullCount++;
    }
  }
  if (offsets[n] !== points.numRows) {
    throw new StageError(
      `Archive lightcurve: ${points.numRows} points for counts adding up to ${offsets[n]}.`
    );
  }
  const struct = points.data;
  const item = new Field('item', struct.type, true);
  return makeData({
    type: new List(item),
    length: n,
    nullCount,
    nullBitmap: nullCount > 0 ? valid : undefined,
    valueOffsets: offsets,
    child: struct
  });
}

/** The point query: every field, or those of `fields` the struct has (in the struct's order). */
function pointsQuery(source: string, lightcurveType: string, fields?: readonly string[]): string {
  if (fields === undefined) {
    return `SELECT unnest(lightcurve, recursive := true) FROM ${source}`;
  }
  const present = fields
    .map(f => ({ f, at: lightcurveType.search(new RegExp(`[(,] ?"?${f}"? `)) }))
    .filter(x => x.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map(x => `p.${quoteIdent(x.f)}`);
  return present.length === 0
    ? `SELECT unnest(lightcurve, recursive := true) FROM ${source}`
    : `SELECT ${present.join(', ')} FROM (SELECT unnest(lightcurve) AS p FROM ${source})`;
}

async function readFile(
  con: DuckDBConnection,
  file: string,
  columns: readonly string[] | undefined,
  pointFields: readonly string[] | undefined
): Promise<RecordBatch> {
  const source = `read_parquet(${literal(file)})`;
  const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const schema = described.getRowObjects().map(r => ({
    name: String(r.column_name),
    type: String(r.column_type)
  }));
  const wanted = columns ? new Set(columns) : undefined;
  const picked = schema.filter(c => wanted === undefined || wanted.has(c.name));
  // a batch needs a column to carry its row count
  const chosen = picked.length > 0 ? picked : schema.slice(0, 1);
  const flat = chosen.filter(c => c.name !== 'lightcurve');
  const withCurve = chosen.some(c => c.name === 'lightcurve');
  const select = flat.map(c =>
    PLAIN.test(c.type)
      ? quoteIdent(c.name)
      : `${quoteIdent(c.name)}::VARCHAR AS ${quoteIdent(c.name)}`
  );
  if (withCurve) {
    select.push('len(lightcurve)::INTEGER AS __points');
  }
  let batch = readResultAsArrow(await con.run(`SELECT ${select.join(', ')} FROM ${source}`));
  if (!withCurve) {
    return batch;
  }
  const curveType = schema.find(c => c.name === 'lightcurve')?.type ?? '';
  const points = readResultAsArrow(await con.run(pointsQuery(source, curveType, pointFields)));
  const countIndex = batch.schema.fields.findIndex(f => f.name === '__points');
  const lightcurve = rebuildLightcurve(points, batch.data.children[countIndex]);
  const keep = batch.schema.fields.map((_f, i) => i).filter(i => i !== countIndex);
  batch = batch.selectAt(keep);
  return appendColumns(batch, [{ name: 'lightcurve', data: lightcurve, nullable: true }]);
}

/** The archive's alerts, one batch per Parquet file. */
export async function* readArchive(options: ArchiveReadOptions): AsyncGenerator<RecordBatch> {
  const files = await archiveFiles(options.path, options.nights);
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await instance.connect();
  try {
    for (const { file } of files) {
      if (options.signal?.aborted) {
        return;
      }
      yield await readFile(con, file, options.columns, options.pointFields);
    }
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
