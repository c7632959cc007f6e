/**
 * Alert batches → Parquet files through the archive sink's own DuckDB (in memory, unlocked: it
 * must write files; the filter sandbox's DuckDB is a different, locked instance). Flat columns go
 * in with the duck helpers (Arrow buffers → appender chunks); the lightcurve list goes in as a flat
 * child table and is rebuilt as LIST<STRUCT> by the COPY query, so the Parquet file keeps it.
 */
import { open } from 'node:fs/promises';
import {
  Int32,
  RecordBatch,
  Schema,
  makeData,
  type Data,
  type List,
  type Struct
} from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { appendArrowBatch, createTableFromArrow } from '../duck/arrow-to-duck.js';
import { quoteIdent } from '../duck/column-types.js';
import { appendColumns } from './match-columns.js';

const ALERTS = '__archive_alerts';
const POINTS = '__archive_points';

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Writes `path` durably: the file's data reaches the disk before this resolves. */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes a rename or unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The lightcurve's points as a flat batch with `__row` (owning alert row); undefined if absent. */
function pointsOf(batch: RecordBatch): { points: RecordBatch; fields: string[] } | undefined {
  const index = batch.schema.fields.findIndex(f => f.name === 'lightcurve');
  if (index < 0) {
    return undefined;
  }
  const list = batch.data.children[index] as Data<List>;
  const child = list.children[0] as Data<Struct>;
  if (list.offset !== 0 || child.offset !== 0 || !list.valueOffsets) {
    return undefined;
  }
  const offsets = list.valueOffsets;
  const total = offsets[list.length] - offsets[0];
  const owner = new Int32Array(total);
  for (let row = 0; row < list.length; row++) {
    owner.fill(row, offsets[row] - offsets[0], offsets[row + 1] - offsets[0]);
  }
  const structType = child.type;
  const fields = structType.children.map(f => f.name);
  const points = new RecordBatch(
    new Schema(structType.children),
    makeData({
      type: structType,
      length: total,
      nullCount: 0,
      children: child.children.map(c => (c.length === total ? c : c.slice(offsets[0], total)))
    })
  );
  return {
    points: appendColumns(points, [
      {
        name: '__row',
        data: makeData({ type: new Int32(), length: total, data: owner }),
        nullable: false
      }
    ]),
    fields
  };
}

export class ParquetWriter {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection
  ) {}

  static async create(): Promise<ParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new ParquetWriter(instance, await instance.connect());
  }

  /**
   * Writes the rows of each group to its file (`groups[k]` = row indices, in order). Each file is
   * complete when this resolves; nothing is fsynced or renamed here. Calls are serialized (the
   * staging tables are shared by every partition of the sink).
   */
  write(batch: RecordBatch, groups: Int32Array[], paths: string[]): Promise<void> {
    const run = this.queue.then(() => this.writeNow(batch, groups, paths));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(batch: RecordBatch, groups: Int32Array[], paths: string[]): Promise<void> {
    const group = new Int32Array(batch.numRows);
    groups.forEach((rows, k) => rows.forEach(r => (group[r] = k)));
    const withGroup = appendColumns(batch, [
      {
        name: '__group',
        data: makeData({ type: new Int32(), length: batch.numRows, data: group }),
        nullable: false
      }
    ]);
    const con = this.connection;
    const plan = await createTableFromArrow(con, ALERTS, withGroup, {
      replace: true,
      temporary: true,
      rowIndexColumn: '__row'
    });
    await appendArrowBatch(con, plan, withGroup);
    const lc = pointsOf(batch);
    let select = `SELECT a.* EXCLUDE (__group, __row) FROM ${ALERTS} a WHERE __group = $k ORDER BY __row`;
    if (lc) {
      const lcPlan = await createTableFromArrow(con, POINTS, lc.points, {
        replace: true,
        temporary: true,
        rowIndexColumn: '__idx'
      });
      await appendArrowBatch(con, lcPlan, lc.points);
      const usable = new Set(lcPlan.columns.map(c => c.name));
      const pack = lc.fields
        .filter(f => usable.has(f))
        .map(f => `${quoteIdent(f)} := ${quoteIdent(f)}`)
        .join(', ');
      select =
        `SELECT a.* EXCLUDE (__group, __row), l.lightcurve FROM ${ALERTS} a LEFT JOIN ` +
        `(SELECT __row, list(struct_pack(${pack}) ORDER BY __idx) AS lightcurve FROM ${POINTS} GROUP BY __row) l ` +
        `USING (__row) WHERE a.__group = $k ORDER BY a.__row`;
    }
    for (let k = 0; k < groups.length; k++) {
      const query = select.replace('$k', String(k));
      await con.run(`COPY (${query}) TO ${sqlString(paths[k])} (FORMAT parquet)`);
    }
    await con.run(`DROP TABLE IF EXISTS ${ALERTS}`);
    await con.run(`DROP TABLE IF EXISTS ${POINTS}`);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
