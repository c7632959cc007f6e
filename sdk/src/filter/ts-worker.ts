import { Worker } from 'node:worker_threads';
import { basename, extname, resolve } from 'node:path';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { FilterEvaluationError, FilterTimeoutError } from '../errors.js';
import { withLightcurveFeatures } from './features.js';
import { workerBootstrap } from '../worker-bootstrap.js';
import { checkColumns } from './columns-check.js';
import { DEFAULT_FILTER_TIMEOUT_MS } from './sql-filter.js';
import type { WorkerInit, WorkerMeta, WorkerReply } from './ts-worker-entry.js';
import type { Filter, FilterContext, FilterKind, Routing } from './types.js';

/** Options for {@link loadTypeScriptFilter}. */
export interface TypeScriptFilterOptions {
  /** Filter id. @default the definition's id, else the module file name without extension */
  id?: string;
  /** Name of the module's export holding the definition. @default 'default' */
  exportName?: string;
  /** Per-batch time limit; past it the worker is terminated and restarted on the next batch. @default 2000 */
  timeoutMs?: number;
  /** Time allowed for the worker to start and import the module. @default 20000 */
  startTimeoutMs?: number;
}

/** Reports a failed import of the worker entry to the parent. */
const REPORT_IMPORT_ERROR =
  "e => require('node:worker_threads').parentPort.postMessage({ type: 'error', seq: -1, message: String(e && e.message || e), stack: e && e.stack })";

interface Live {
  worker: Worker;
  meta: WorkerMeta;
}

/**
 * A TypeScript filter loaded from a module path and run in a worker thread, so a filter that loops
 * can be stopped: each batch has `timeoutMs`; on timeout the worker is terminated and a fresh one is
 * started for the next batch.
 */
export class WorkerTypeScriptFilter implements Filter {
  readonly language = 'typescript' as const;
  private live: Live | undefined;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly id: string,
    readonly source: string,
    private readonly options: Required<Omit<TypeScriptFilterOptions, 'id'>>,
    private meta: WorkerMeta
  ) {}

  static async load(
    modulePath: string,
    options: TypeScriptFilterOptions = {}
  ): Promise<WorkerTypeScriptFilter> {
    const source = resolve(modulePath);
    const resolved = {
      exportName: options.exportName ?? 'default',
      timeoutMs: options.timeoutMs ?? DEFAULT_FILTER_TIMEOUT_MS,
      startTimeoutMs: options.startTimeoutMs ?? 20_000
    };
    const fallbackId = basename(source, extname(source));
    const live = await startWorker(
      source,
      resolved.exportName,
      resolved.startTimeoutMs,
      options.id ?? fallbackId
    );
    const filter = new WorkerTypeScriptFilter(
      options.id ?? live.meta.id ?? fallbackId,
      source,
      resolved,
      live.meta
    );
    filter.adopt(live);
    return filter;
  }

  /** Keeps a started worker; forgets it when it exits so the next batch starts a fresh one. */
  private adopt(live: Live): void {
    this.live = live;
    this.meta = live.meta;
    live.worker.on('error', () => undefined);
    live.worker.on('exit', () => {
      if (this.live === live) {
        this.live = undefined;
      }
    });
  }

  get kind(): FilterKind {
    return this.meta.kind;
  }
  get outputs(): readonly string[] {
    return this.meta.outputs;
  }
  get requiredColumns(): readonly string[] {
    return this.meta.columns;
  }

  evaluate(batch: RecordBatch, ctx: FilterContext = {}): Promise<Routing> {
    const run = this.queue.then(() => this.evaluateNow(batch, ctx));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(batch: RecordBatch, ctx: FilterContext): Promise<Routing> {
    if (batch.numRows === 0) {
      return { outputs: this.outputs, index: new Int32Array(0) };
    }
    const enriched = withLightcurveFeatures(batch);
    checkColumns(this.id, 'TypeScript', this.requiredColumns, enriched);
    if (this.live === undefined) {
      this.adopt(
        await startWorker(
          this.source,
          this.options.exportName,
          this.options.startTimeoutMs,
          this.id
        )
      );
    }
    const { worker } = this.live as Live;
    const seq = ++this.seq;
    const timeoutMs = ctx.timeoutMs ?? this.options.timeoutMs;
    const ipc = tableToIPC(new Table(enriched), 'stream');
    return new Promise<Routing>((resolvePromise, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        ctx.signal?.removeEventListener('abort', onAbort);
      };
      const kill = (error: Error): void => {
        cleanup();
        this.live = undefined;
        void worker.terminate();
        reject(error);
      };
      const timer = setTimeout(() => {
        kill(
          new FilterTimeoutError(
            `TypeScript filter "${this.id}" did not finish a batch of ${batch.numRows} alerts within ${timeoutMs} ms; its worker was stopped and will restart on the next batch. Make the filter faster (whole-batch loops over typed arrays) or raise timeoutMs.`,
            { context: { filterId: this.id, timeoutMs, rows: batch.numRows } }
          )
        );
      }, timeoutMs);
      const onAbort = (): void =>
        kill(
          new FilterEvaluationError(`TypeScript filter "${this.id}": evaluation aborted.`, {
            context: { filterId: this.id }
          })
        );
      const onError = (error: Error): void =>
        kill(
          new FilterEvaluationError(
            `TypeScript filter "${this.id}" crashed its worker: ${error.message}`,
            { cause: error, context: { filterId: this.id } }
          )
        );
      const onExit = (code: number): void =>
        kill(
          new FilterEvaluationError(
            `TypeScript filter "${this.id}": its worker exited (code ${code}) during a batch.`,
            { context: { filterId: this.id } }
          )
        );
      const onMessage = (reply: WorkerReply): void => {
        if (reply.type === 'ready' || reply.seq !== seq) {
          return;
        }
        cleanup();
        if (reply.type === 'result') {
          resolvePromise({ outputs: this.outputs, index: reply.index });
        } else {
          const error = new FilterEvaluationError(
            `TypeScript filter "${this.id}" threw on a batch of ${batch.numRows} alerts: ${reply.message}`,
            {
              context: { filterId: this.id, stack: reply.stack }
            }
          );
          reject(error);
        }
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ type: 'evaluate', seq, ipc }, [ipc.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live !== undefined) {
      await live.worker.terminate();
    }
  }
}

function startWorker(
  modulePath: string,
  exportName: string,
  startTimeoutMs: number,
  id: string
): Promise<Live> {
  const init: WorkerInit = { modulePath, exportName };
  const worker = new Worker(
    workerBootstrap(import.meta.url, 'ts-worker-entry', REPORT_IMPORT_ERROR),
    { eval: true, workerData: init }
  );
  return new Promise<Live>((resolvePromise, reject) => {
    const detach = (): void => {
      clearTimeout(timer);
      worker.off('error', onError);
      worker.off('exit', onExit);
      worker.off('message', onMessage);
    };
    const fail = (message: string, cause?: unknown): void => {
      detach();
      void worker.terminate();
      reject(
        new FilterEvaluationError(
          `TypeScript filter "${id}" could not start from ${modulePath}: ${message}`,
          { cause, context: { filterId: id, modulePath } }
        )
      );
    };
    const onError = (error: Error): void => fail(error.message, error);
    const onExit = (code: number): void => fail(`worker exited with code ${code}`);
    const onMessage = (reply: WorkerReply): void => {
      if (reply.type === 'ready') {
        detach();
        resolvePromise({ worker, meta: reply.meta });
      } else if (reply.type === 'error' && reply.seq === -1) {
        fail(reply.message);
      }
    };
    const timer = setTimeout(
      () => fail(`no answer within ${startTimeoutMs} ms (a loop at module top level?)`),
      startTimeoutMs
    );
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.on('message', onMessage);
  });
}
