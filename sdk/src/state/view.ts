/**
 * The `objects` table for queries: a stage's object state materialised in embedded DuckDB from its
 * changelog (and annotation) topic. Anyone with access to the cluster can open one (the
 * controller's REST route, the notebook engine); each {@link ObjectsView.refresh} reads only what
 * the topics gained since the last one, and a view lost with its process is rebuilt from the
 * changelog. Queries are one SELECT over `objects`, checked by DuckDB's own parser, in a DuckDB
 * with no file or network access.
 */
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import type { KafkaTransport } from '../buffer/transport-types.js';
import { appendArrowBatch, createTableFromArrow, readResultAsArrow } from '../duck/index.js';
import { FilterSqlRefusedError } from '../errors.js';
import { analyzeSql } from '../filter/sql-ast.js';
import { SANDBOX_SETTINGS } from '../filter/sql-sandbox.js';
import { parseAnnotation, type Annotation } from './annotations.js';
import { applyChangelog } from './changelog.js';
import { floatData, objectRowsBatch, utf8Data } from './columns.js';
import { ObjectStore } from './store.js';
import { readTail } from './tail.js';
import { Field, RecordBatch as Batch, Schema, Struct, makeData } from 'apache-arrow';

export interface ObjectsViewOptions {
  changelogTopic: string;
  /** @default undefined (annotation columns stay null) */
  annotationsTopic?: string;
  /** Cross-match catalog names of the stage, in manifest order (for `xmCatalogName`). @default [] */
  catalogs?: readonly string[];
  /** DuckDB memory limit (MiB). @default 2048 */
  memoryLimitMb?: number;
}

export interface ObjectsQueryOptions {
  /** Rows returned at most; more is an error that says so. @default 100_000 */
  maxRows?: number;
  /** @default 10_000 */
  timeoutMs?: number;
}

const ROWS = 'object_rows';
const NOTES = 'annotation_rows';

function annotationBatch(list: Annotation[]): RecordBatch {
  const cols = [
    ['objectId', utf8Data(list.map(a => a.objectId))],
    ['annClass', utf8Data(list.map(a => a.cls))],
    ['annProbability', floatData(Float64Array.from(list, a => a.probability))],
    ['annAnnotator', utf8Data(list.map(a => a.annotator))],
    ['annUrl', utf8Data(list.map(a => a.url))],
    ['annVersion', utf8Data(list.map(a => a.version))]
  ] as const;
  const schema = new Schema(cols.map(([name, data]) => new Field(name, data.type, true)));
  const data = makeData({
    type: new Struct(schema.fields),
    length: list.length,
    nullCount: 0,
    children: cols.map(([, d]) => d)
  });
  return new Batch(schema, data);
}

export class ObjectsView {
  private readonly changelogNext = new Map<number, bigint>();
  private readonly notesNext = new Map<number, bigint>();
  private refreshing: Promise<number> | undefined;

  private constructor(
    private readonly transport: KafkaTransport,
    private readonly options: ObjectsViewOptions,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection
  ) {}

  static async open(transport: KafkaTransport, options: ObjectsViewOptions): Promise<ObjectsView> {
    const instance = await DuckDBInstance.create(':memory:', {
      ...SANDBOX_SETTINGS,
      memory_limit: `${options.memoryLimitMb ?? 2048}MB`,
      max_temp_directory_size: '0B'
    });
    const connection = await instance.connect();
    const view = new ObjectsView(transport, options, instance, connection);
    const empty = objectRowsBatch(new ObjectStore(), []);
    await createTableFromArrow(connection, ROWS, empty);
    await createTableFromArrow(connection, NOTES, annotationBatch([]));
    await connection.run(
      `CREATE VIEW objects AS SELECT o.*, a.annClass, a.annProbability, a.annAnnotator, a.annUrl, a.annVersion FROM ${ROWS} o LEFT JOIN ${NOTES} a USING (objectId)`
    );
    return view;
  }

  /** Reads what the changelog (and annotation topic) gained; returns the records read. */
  refresh(): Promise<number> {
    this.refreshing ??= this.refreshNow().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshNow(): Promise<number> {
    const o = this.options;
    const store = new ObjectStore(); // the changed objects' latest rows
    let count = await readTail(
      this.transport,
      o.changelogTopic,
      this.changelogNext,
      true,
      (_p, r) => applyChangelog(store, r)
    );
    if (store.size > 0) {
      await this.upsert(ROWS, objectRowsBatch(store, o.catalogs ?? []));
    }
    if (o.annotationsTopic) {
      const latest = new Map<string, Annotation>();
      count += await readTail(
        this.transport,
        o.annotationsTopic,
        this.notesNext,
        false,
        (_p, r) => {
          for (const rec of r) {
            const a = parseAnnotation(rec.value);
            if (a) {
              latest.set(a.objectId, a);
            }
          }
        }
      );
      if (latest.size > 0) {
        await this.upsert(NOTES, annotationBatch([...latest.values()]));
      }
    }
    return count;
  }

  private async upsert(table: string, batch: RecordBatch): Promise<void> {
    const plan = await createTableFromArrow(this.connection, `${table}_new`, batch, {
      replace: true,
      temporary: true
    });
    await appendArrowBatch(this.connection, plan, batch);
    await this.connection.run(
      `DELETE FROM ${table} WHERE objectId IN (SELECT objectId FROM ${table}_new)`
    );
    await this.connection.run(`INSERT INTO ${table} SELECT * FROM ${table}_new`);
    await this.connection.run(`DROP TABLE ${table}_new`);
  }

  /** Runs one SELECT over `objects` (after a refresh) and reads it as Arrow. */
  async query(sql: string, options: ObjectsQueryOptions = {}): Promise<RecordBatch> {
    const analysis = await analyzeSql(this.connection, sql, 'objects');
    if (!analysis.check.ok) {
      throw new FilterSqlRefusedError(
        `Objects query refused: ${analysis.check.reason}. A query is one SELECT over table objects.`,
        { context: { reason: analysis.check.reason } }
      );
    }
    await this.refresh();
    const maxRows = options.maxRows ?? 100_000;
    const prepared = await this.connection.prepare(
      `SELECT * FROM (${sql.trim().replace(/;\s*$/, '')}) LIMIT ${maxRows + 1}`
    );
    const timer = setTimeout(() => this.connection.interrupt(), options.timeoutMs ?? 10_000);
    try {
      if (prepared.statementType !== StatementType.SELECT) {
        throw new FilterSqlRefusedError('Objects query refused: not a SELECT.');
      }
      const out = readResultAsArrow(await prepared.run());
      if (out.numRows > maxRows) {
        throw new FilterSqlRefusedError(
          `Objects query returned more than ${maxRows} rows; add a WHERE or a LIMIT.`,
          { context: { maxRows } }
        );
      }
      return out;
    } finally {
      clearTimeout(timer);
      prepared.destroySync();
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
