import type { RecordBatch } from 'apache-arrow';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import {
  appendArrowBatch,
  createTableFromArrow,
  readResultAsArrow,
  type ArrowTablePlan
} from '../duck/index.js';

/** Name of the batch table SQL filters read. */
export const BATCH_TABLE = 'alerts';
/** Hidden INTEGER column holding each row's index in the batch. */
export const ROW_INDEX_COLUMN = '__row';

/**
 * DuckDB settings of a filter sandbox, all given when the instance is created. Observed with
 * DuckDB 1.5: `lock_configuration` at startup still allows CREATE TABLE and appenders (DDL and data
 * are not configuration), so locking at creation leaves no window in which a SET could loosen
 * anything; `enable_external_access=false` must be set at startup (it can never be turned back on).
 */
export const SANDBOX_SETTINGS: Readonly<Record<string, string>> = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
  threads: '1',
  lock_configuration: 'true'
};

/** Default DuckDB `memory_limit` of a SQL filter (MiB). */
export const DEFAULT_SQL_MEMORY_LIMIT_MB = 256;
/** Default DuckDB `threads` of a SQL filter. */
export const DEFAULT_SQL_THREADS = 1;

/** Per-filter resources of a sandbox. */
export interface SandboxLimits {
  /** DuckDB `memory_limit` (MiB): hash tables, sorts, aggregates past it fail the query. @default 256 */
  memoryLimitMb?: number;
  /** DuckDB worker threads. @default 1 */
  threads?: number;
}

/**
 * A fresh in-memory DuckDB that can see one Arrow batch as table `alerts` and nothing else: no
 * files, no network, no extensions, configuration locked; its own `memory_limit` and `threads`
 * (per filter), and no spilling to disk. What `memory_limit` does not count: values one function
 * call builds whole (`range(n)`, `repeat(s, n)`); sql-ast.ts refuses those unless n is a small
 * literal.
 */
export class SqlSandbox {
  private plan: ArrowTablePlan | undefined;
  private schemaKey = '';
  private stopped = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    /** The raw connection: tests use it to show the locked configuration refuses by itself. */
    readonly connection: DuckDBConnection
  ) {}

  static async create(limits: SandboxLimits = {}): Promise<SqlSandbox> {
    const memoryMb = Math.floor(limits.memoryLimitMb ?? DEFAULT_SQL_MEMORY_LIMIT_MB);
    const threads = Math.floor(limits.threads ?? DEFAULT_SQL_THREADS);
    if (!(memoryMb >= 16 && threads >= 1)) {
      throw new RangeError(
        `SQL sandbox limits: memoryLimitMb must be at least 16 and threads at least 1, got ${memoryMb} and ${threads}.`
      );
    }
    const instance = await DuckDBInstance.create(':memory:', {
      ...SANDBOX_SETTINGS,
      memory_limit: `${memoryMb}MB`,
      threads: String(threads),
      // never spill: the default temp directory is ".tmp" under the controller's working directory
      max_temp_directory_size: '0B'
    });
    const connection = await instance.connect();
    // in_watchlist('name') / in_watchmap('name') over the stage's watch columns (`,a,b,`)
    for (const [fn, column] of [
      ['in_watchlist', 'watchlists'],
      ['in_watchmap', 'watchmaps']
    ]) {
      await connection.run(
        `CREATE MACRO ${fn}(n) AS coalesce(contains(${column}, ',' || n || ','), false)`
      );
    }
    return new SqlSandbox(instance, connection);
  }

  /** Columns of the current `alerts` table (what SQL can use) and those left out (nested/binary). */
  get columns(): { usable: string[]; skipped: string[] } {
    return {
      usable: this.plan ? this.plan.columns.map(c => c.name) : [],
      skipped: this.plan ? [...this.plan.skipped] : []
    };
  }

  /** Replaces the `alerts` table with this batch (recreated only when the schema changes). */
  async load(batch: RecordBatch): Promise<ArrowTablePlan> {
    const key = batch.schema.fields.map(f => `${f.name}:${String(f.type)}`).join('|');
    if (this.plan === undefined || key !== this.schemaKey) {
      this.plan = await createTableFromArrow(this.connection, BATCH_TABLE, batch, {
        replace: true,
        rowIndexColumn: ROW_INDEX_COLUMN
      });
      this.schemaKey = key;
    } else {
      await this.connection.run(`TRUNCATE ${BATCH_TABLE}`);
    }
    await appendArrowBatch(this.connection, this.plan, batch);
    return this.plan;
  }

  /**
   * Runs a query that must be a SELECT (checked on the prepared statement) and reads it as Arrow.
   * Past `timeoutMs`, or when `signal` aborts, the query is interrupted and {@link SandboxInterrupted}
   * is thrown.
   */
  async select(sql: string, timeoutMs: number, signal?: AbortSignal): Promise<RecordBatch> {
    const prepared = await this.connection.prepare(sql);
    try {
      if (prepared.statementType !== StatementType.SELECT) {
        throw new Error(`statement type ${StatementType[prepared.statementType]} is not a SELECT`);
      }
      let interrupted: 'timeout' | 'abort' | undefined;
      const stop = (why: 'timeout' | 'abort'): void => {
        interrupted = why;
        this.connection.interrupt();
      };
      const onAbort = (): void => stop('abort');
      const timer = setTimeout(() => stop('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        if (this.stopped || signal?.aborted) {
          interrupted = 'abort';
          throw new Error(this.stopped ? 'the sandbox is stopping' : 'aborted before it ran');
        }
        return readResultAsArrow(await prepared.run());
      } catch (error) {
        throw interrupted || this.stopped
          ? new SandboxInterrupted(interrupted ?? 'abort', timeoutMs, { cause: error })
          : error;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      prepared.destroySync();
    }
  }

  /**
   * Stops for good: interrupts the running query (it rejects as aborted) and refuses to start
   * another one, so a query queued behind it cannot slip in before close().
   */
  stop(): void {
    this.stopped = true;
    this.connection.interrupt();
  }

  /** Stops a running query first: closing under one would block until it ends. */
  async close(): Promise<void> {
    this.stop();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A sandbox query stopped by its time limit or an abort signal. */
export class SandboxInterrupted extends Error {
  override name = 'SandboxInterrupted';
  constructor(
    readonly reason: 'timeout' | 'abort',
    readonly timeoutMs: number,
    options?: ErrorOptions
  ) {
    super(
      reason === 'timeout' ? `query interrupted after ${timeoutMs} ms` : 'query aborted',
      options
    );
  }
}
