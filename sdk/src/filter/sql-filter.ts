import type { RecordBatch } from 'apache-arrow';
import {
  FilterColumnError,
  FilterEvaluationError,
  FilterSqlRefusedError,
  FilterTimeoutError
} from '../errors.js';
import { resolveOutputs } from './outputs.js';
import { analyzeSql, selectRowIndexSql } from './sql-ast.js';
import { batchColumns, sandboxInput } from './sql-columns.js';
import { BATCH_TABLE, ROW_INDEX_COLUMN, SandboxInterrupted, SqlSandbox } from './sql-sandbox.js';
import { staticSqlCheck } from './sql-static.js';
import {
  OBJECTS_TABLE,
  columnsWithObjects,
  createObjectsView,
  hasObjectColumns
} from './sql-objects.js';
import type { Filter, FilterContext, FilterKind, FilterSpec, Routing } from './types.js';

/** Default per-batch time limit for user code (ms). */
export const DEFAULT_FILTER_TIMEOUT_MS = 2000;

/**
 * Builds the query that runs for each batch. Forms:
 * - yes/no: a condition (`mag < 19 AND band = 'g'`, optionally starting with WHERE) or a full
 *   `SELECT ... FROM alerts WHERE ...` (its projection is ignored; the rows it returns pass);
 * - left/right: a boolean expression, true → first output, false or NULL → second;
 * - switch: an expression (typically a CASE) giving an output name; NULL or unknown → default.
 */
function wrap(
  kind: FilterKind,
  source: string,
  outputs: readonly string[],
  defaultIndex: number
): string {
  const body = source.trim().replace(/;\s*$/, '');
  if (kind === 'yesno') {
    return `SELECT ${ROW_INDEX_COLUMN} FROM ${BATCH_TABLE} WHERE (${body.replace(/^where\s+/i, '')}\n)`;
  }
  if (kind === 'leftright') {
    return `SELECT ${ROW_INDEX_COLUMN}, (CASE WHEN (${body}\n) THEN 0 ELSE 1 END)::INTEGER AS k FROM ${BATCH_TABLE}`;
  }
  const whens = outputs.map((name, i) => `WHEN '${name}' THEN ${i}`).join(' ');
  return `SELECT ${ROW_INDEX_COLUMN}, (CASE CAST((${body}\n) AS VARCHAR) ${whens} ELSE ${defaultIndex} END)::INTEGER AS k FROM ${BATCH_TABLE}`;
}

function isFullSelect(source: string): boolean {
  return /^\s*(\(\s*)*(select|with)\b/i.test(source);
}

/** A filter written in SQL, run by its own sandboxed DuckDB over each batch. */
export class SqlFilter implements Filter {
  readonly language = 'sql' as const;
  private query: string | undefined;
  private inferred: string[] = [];
  /** The query expands `*` / `COLUMNS(...)`, or named a column the parse did not show: copy all. */
  private wholeBatch = false;
  /** The query reads table `objects` (object state); the view exists for this table plan. */
  private usesObjects = false;
  private viewPlan: unknown;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly id: string,
    readonly kind: FilterKind,
    readonly outputs: readonly string[],
    private readonly defaultIndex: number,
    private readonly declared: readonly string[],
    readonly source: string,
    private readonly timeoutMs: number,
    private readonly sandbox: SqlSandbox
  ) {}

  /** Validates outputs, checks the SQL statically and with DuckDB's parser, and opens the sandbox. */
  static async create(spec: FilterSpec): Promise<SqlFilter> {
    const { outputs, defaultIndex } = resolveOutputs(spec);
    refuseUnless(spec.id, staticSqlCheck(spec.source));
    const sandbox = await SqlSandbox.create({
      memoryLimitMb: spec.memoryLimitMb,
      threads: spec.threads
    });
    const filter = new SqlFilter(
      spec.id,
      spec.kind,
      outputs,
      defaultIndex,
      spec.columns ?? [],
      spec.source,
      spec.timeoutMs ?? DEFAULT_FILTER_TIMEOUT_MS,
      sandbox
    );
    try {
      await filter.compile();
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    return filter;
  }

  get requiredColumns(): readonly string[] {
    return [...new Set([...this.declared, ...this.inferred])];
  }

  /** The columns the query reads, unless it reads the whole batch (`*`). */
  get readsOnly(): readonly string[] | undefined {
    return this.wholeBatch ? undefined : this.requiredColumns;
  }

  private async compile(): Promise<void> {
    const connection = this.sandbox.connection;
    const full = this.kind === 'yesno' && isFullSelect(this.source);
    const text = full
      ? this.source.trim().replace(/;\s*$/, '')
      : wrap(this.kind, this.source, this.outputs, this.defaultIndex);
    const analysis = await analyzeSql(connection, text, BATCH_TABLE, [OBJECTS_TABLE]);
    refuseUnless(this.id, analysis.check);
    this.usesObjects = analysis.tables?.includes(OBJECTS_TABLE) ?? false;
    this.inferred = analysis.columns.filter(c => c !== ROW_INDEX_COLUMN);
    if (full && analysis.statement) {
      try {
        this.query = await selectRowIndexSql(connection, analysis.statement, ROW_INDEX_COLUMN);
      } catch (cause) {
        refuseUnless(this.id, { ok: false, reason: (cause as Error).message });
      }
    } else {
      this.query = text;
    }
    // the rewrite drops a full SELECT's own projection; what remains decides if `*` is read
    this.wholeBatch = full
      ? (await analyzeSql(connection, this.query as string, BATCH_TABLE, [OBJECTS_TABLE])).star
      : analysis.star;
  }

  /** Routes a batch; calls are queued, as the sandbox holds one batch at a time. */
  evaluate(batch: RecordBatch, ctx: FilterContext = {}): Promise<Routing> {
    const run = this.queue.then(() => this.evaluateNow(batch, ctx));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(batch: RecordBatch, ctx: FilterContext): Promise<Routing> {
    const narrowed = !this.wholeBatch;
    const required = this.usesObjects ? this.withObjects(batch) : this.requiredColumns;
    const input = sandboxInput(batch, narrowed ? required : undefined);
    if (input.missing.length > 0) {
      this.refuseColumns(input.missing, batch);
    }
    const plan = await this.sandbox.load(input.batch);
    if (this.usesObjects && plan !== this.viewPlan) {
      const loaded = plan.columns.map(c => c.name);
      await createObjectsView(this.sandbox.connection, BATCH_TABLE, ROW_INDEX_COLUMN, loaded);
      this.viewPlan = plan;
    }
    this.checkColumns(batch, required);
    let result: RecordBatch;
    try {
      result = await this.sandbox.select(
        this.query as string,
        ctx.timeoutMs ?? this.timeoutMs,
        ctx.signal
      );
    } catch (cause) {
      if (cause instanceof SandboxInterrupted && cause.reason === 'timeout') {
        throw new FilterTimeoutError(
          `SQL filter "${this.id}" did not finish a batch of ${batch.numRows} alerts within ${cause.timeoutMs} ms; the query was interrupted. Simplify the query (no self-joins) or raise timeoutMs.`,
          { cause, context: { filterId: this.id, timeoutMs: cause.timeoutMs, rows: batch.numRows } }
        );
      }
      const message = (cause as Error).message;
      if (/Referenced column|not found in FROM clause/i.test(message)) {
        if (narrowed) {
          this.wholeBatch = true;
          return this.evaluateNow(batch, ctx);
        }
        this.refuseColumns([], batch);
      }
      if (/permission|disabled|locked|not a SELECT/i.test(message)) {
        throw new FilterSqlRefusedError(
          `SQL filter "${this.id}" was refused by the sandbox: ${message}`,
          {
            cause,
            context: { filterId: this.id, reason: message }
          }
        );
      }
      throw new FilterEvaluationError(
        `SQL filter "${this.id}" failed on a batch of ${batch.numRows} alerts: ${message}`,
        {
          cause,
          context: { filterId: this.id }
        }
      );
    }
    const index = new Int32Array(batch.numRows).fill(-1);
    const rows = result.getChildAt(0)?.data[0].values as Int32Array;
    if (this.kind === 'yesno') {
      for (let i = 0; i < rows.length; i++) {
        index[rows[i]] = 0;
      }
    } else {
      const k = result.getChildAt(1)?.data[0].values as Int32Array;
      for (let i = 0; i < rows.length; i++) {
        index[rows[i]] = k[i];
      }
    }
    return { outputs: this.outputs, index };
  }

  /** The batch columns a query reading `objects` needs; refuses a batch without object state. */
  private withObjects(batch: RecordBatch): string[] {
    const names = batch.schema.fields.map(f => f.name);
    if (!hasObjectColumns(names)) {
      throw new FilterColumnError(
        `SQL filter "${this.id}" reads table ${OBJECTS_TABLE}, but these alerts carry no object state. Run it in a stage whose manifest has "objects": true.`,
        { context: { filterId: this.id, missing: [OBJECTS_TABLE] } }
      );
    }
    return columnsWithObjects(this.requiredColumns, names);
  }

  /** Refuses required columns the sandbox could not take (nested or binary ones). */
  private checkColumns(batch: RecordBatch, required: readonly string[]): void {
    const usable = new Set(this.sandbox.columns.usable.map(c => c.toLowerCase()));
    const missing = required.filter(c => !usable.has(c.toLowerCase()));
    if (missing.length > 0) {
      this.refuseColumns(missing, batch);
    }
  }

  /** Lists every column of the batch (not only those copied into the sandbox). */
  private refuseColumns(missing: string[], batch: RecordBatch): never {
    const { usable, skipped } = batchColumns(batch);
    const what =
      missing.length > 0
        ? `needs column(s) ${missing.join(', ')} that the batch does not have`
        : 'references a column the batch does not have';
    throw new FilterColumnError(
      `SQL filter "${this.id}" ${what}. Columns that exist: ${usable.join(', ')}` +
        (skipped.length > 0 ? ` (not usable from SQL: ${skipped.join(', ')})` : '') +
        '. Fix the column names or add the cross-match that provides them.',
      { context: { filterId: this.id, missing, existing: usable, skipped } }
    );
  }

  /** Interrupts a running batch and waits for it to return before closing the sandbox. */
  async close(): Promise<void> {
    this.sandbox.stop();
    await this.queue;
    await this.sandbox.close();
  }
}

function refuseUnless(filterId: string, check: { ok: true } | { ok: false; reason: string }): void {
  if (!check.ok) {
    throw new FilterSqlRefusedError(
      `SQL filter "${filterId}" refused: ${check.reason}. A filter is one SELECT over the alerts batch.`,
      {
        context: { filterId, reason: check.reason }
      }
    );
  }
}
