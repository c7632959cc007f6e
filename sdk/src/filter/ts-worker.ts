import { basename, extname, resolve } from 'node:path';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { FilterEvaluationError, FilterTimeoutError } from '../errors.js';
import { withLightcurveFeatures } from './features.js';
import { checkColumns } from './columns-check.js';
import { requireSandbox, type SandboxMode } from './sandbox.js';
import { DEFAULT_FILTER_TIMEOUT_MS } from './sql-filter.js';
import { FrameType, type WorkerMeta } from './ts-worker-frames.js';
import { TsWorkerProcess, errorText } from './ts-worker-process.js';
import type { Filter, FilterContext, FilterKind, Routing } from './types.js';

/** Default memory limit of a TypeScript filter process (MiB). */
export const DEFAULT_TS_MEMORY_MB = 2048;
/** Default CPU seconds of one filter process; it is replaced before it gets near them. */
export const DEFAULT_TS_CPU_SECONDS = 600;

/** Options for {@link loadTypeScriptFilter}. */
export interface TypeScriptFilterOptions {
  /** Filter id. @default the definition's id, else the module file name without extension */
  id?: string;
  /** Name of the module's export holding the definition. @default 'default' */
  exportName?: string;
  /** Per-batch time limit; past it the process is killed and restarted on the next batch. @default 2000 */
  timeoutMs?: number;
  /** Time allowed for the process to start and import the module. @default 20000 */
  startTimeoutMs?: number;
  /** Memory limit of the filter process (RLIMIT_DATA and V8 heap), MiB. @default 2048 */
  memoryLimitMb?: number;
  /** CPU seconds a filter process may use (RLIMIT_CPU); it is replaced at half. @default 600 */
  cpuSeconds?: number;
  /**
   * Run the process in the sandbox (sandbox.ts: its own uid, no network, `$ALERTLAB_HOME` and the
   * home directory hidden, bounded memory, CPU and processes, a syscall filter). Where the
   * machine cannot make one, loading is refused unless this is false (trusted code only).
   * @default true
   */
  sandbox?: boolean;
}

type Resolved = Required<Omit<TypeScriptFilterOptions, 'id' | 'sandbox'>> & { mode: SandboxMode };

/**
 * A TypeScript filter loaded from a module path and run in a separate, sandboxed process: user
 * code never runs in the caller's process or with its rights. Batches cross as Arrow IPC; each has
 * `timeoutMs`, past which the process is killed and a fresh one started for the next batch. A
 * crash, a kill or an oversized reply fails that batch only.
 */
export class WorkerTypeScriptFilter implements Filter {
  readonly language = 'typescript' as const;
  private live: TsWorkerProcess | undefined;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Processes started after the first. */
  restarts = 0;
  private closed = false;

  private constructor(
    readonly id: string,
    readonly source: string,
    private readonly options: Resolved,
    private meta: WorkerMeta
  ) {}

  static async load(
    modulePath: string,
    options: TypeScriptFilterOptions = {}
  ): Promise<WorkerTypeScriptFilter> {
    const source = resolve(modulePath);
    // refuses where no sandbox can be made, unless the caller opted out
    const mode = requireSandbox('TypeScript', options.sandbox !== false);
    const resolved: Resolved = {
      exportName: options.exportName ?? 'default',
      timeoutMs: options.timeoutMs ?? DEFAULT_FILTER_TIMEOUT_MS,
      startTimeoutMs: options.startTimeoutMs ?? 20_000,
      memoryLimitMb: options.memoryLimitMb ?? DEFAULT_TS_MEMORY_MB,
      cpuSeconds: options.cpuSeconds ?? DEFAULT_TS_CPU_SECONDS,
      mode
    };
    const fallbackId = basename(source, extname(source));
    const started = await startWorker(source, resolved, options.id ?? fallbackId);
    const filter = new WorkerTypeScriptFilter(
      options.id ?? started.meta.id ?? fallbackId,
      source,
      resolved,
      started.meta
    );
    filter.live = started.worker;
    return filter;
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
  /** The uid the current process runs as (root mode), for tests and audits. */
  get workerUid(): number | undefined {
    return this.live?.dir.uid;
  }
  /** The sandbox the processes run in ('none': a plain child process). */
  get sandboxMode(): SandboxMode {
    return this.options.mode;
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
    if (this.closed) {
      throw new FilterEvaluationError(`TypeScript filter "${this.id}" is closed.`, {
        context: { filterId: this.id }
      });
    }
    const enriched = withLightcurveFeatures(batch);
    checkColumns(this.id, 'TypeScript', this.requiredColumns, enriched);
    if (this.live !== undefined && this.live.cpuMs > this.options.cpuSeconds * 500) {
      await this.live.kill(); // replaced well before RLIMIT_CPU could stop it mid-batch
      this.live = undefined;
    }
    if (this.live === undefined || !this.live.alive) {
      this.restarts += 1;
      const started = await startWorker(this.source, this.options, this.id);
      this.live = started.worker;
      this.meta = started.meta;
    }
    const worker = this.live;
    const seq = ++this.seq;
    const rows = batch.numRows;
    const timeoutMs = ctx.timeoutMs ?? this.options.timeoutMs;
    const context = { filterId: this.id, rows };
    if (ctx.signal?.aborted) {
      throw new FilterEvaluationError(`TypeScript filter "${this.id}": evaluation aborted.`, {
        context
      });
    }
    const reply = worker.next(timeoutMs, ctx.signal);
    worker.send(seq, tableToIPC(new Table(enriched), 'stream'), rows);
    const answer = await reply;
    if (answer.kind === 'frame' && answer.frame.seq === seq) {
      const { type, payload } = answer.frame;
      if (type === FrameType.result && payload.length === 8 + rows * 4) {
        worker.cpuMs = payload.readDoubleLE(0);
        const index = new Int32Array(rows);
        new Uint8Array(index.buffer).set(payload.subarray(8));
        const n = this.outputs.length;
        if (index.every(k => k >= -1 && k < n)) {
          return { outputs: this.outputs, index };
        }
      } else if (type === FrameType.error) {
        throw new FilterEvaluationError(
          `TypeScript filter "${this.id}" threw on a batch of ${rows} alerts: ${errorText(payload)}`,
          { context }
        );
      }
    }
    this.live = undefined;
    await worker.kill();
    if (answer.kind === 'timeout') {
      throw new FilterTimeoutError(
        `TypeScript filter "${this.id}" did not finish a batch of ${rows} alerts within ${timeoutMs} ms; its process was stopped and will restart on the next batch. Make the filter faster (whole-batch loops over typed arrays) or raise timeoutMs.`,
        { context: { ...context, timeoutMs } }
      );
    }
    const why =
      answer.kind === 'aborted'
        ? 'evaluation aborted'
        : answer.kind === 'exited'
          ? `its process ${answer.how} during the batch (out of memory or CPU, a crash, or a kill); it restarts on the next batch${tail(worker)}`
          : answer.kind === 'protocol'
            ? `its process sent ${answer.reason}; it was stopped`
            : 'its process sent a malformed reply; it was stopped';
    throw new FilterEvaluationError(`TypeScript filter "${this.id}": ${why}.`, { context });
  }

  /** Kills the process (a batch still running fails) and refuses later batches. */
  async close(): Promise<void> {
    this.closed = true;
    const live = this.live;
    this.live = undefined;
    await live?.kill();
    await this.queue;
  }
}

function tail(w: TsWorkerProcess): string {
  const t = w.output.toString().trim().split('\n').slice(-5).join('\n');
  return t ? `. Its last output:\n${t}` : '';
}

async function startWorker(
  modulePath: string,
  options: Resolved,
  id: string
): Promise<{ worker: TsWorkerProcess; meta: WorkerMeta }> {
  const started = await TsWorkerProcess.start(
    {
      modulePath,
      exportName: options.exportName,
      mode: options.mode,
      memoryMb: options.memoryLimitMb,
      cpuSeconds: options.cpuSeconds
    },
    options.startTimeoutMs
  );
  if ('failed' in started) {
    throw new FilterEvaluationError(
      `TypeScript filter "${id}" could not start from ${modulePath}: ${started.failed}`,
      { context: { filterId: id, modulePath } }
    );
  }
  return started;
}
