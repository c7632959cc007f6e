/**
 * The Python filter host of the SDK (stages, the gate and the engine's backtests use it; the
 * kernel bridge re-exports it). Runs a Python `@alertlab.filter` in a worker process
 * (`python -m alertlab.worker`) and evaluates batches through it over the bridge (ROUTER here,
 * DEALER in the worker; Arrow IPC in, Int32 routing out). A Python exception, a hang past
 * `batchTimeoutMs` or a dead worker rejects that batch with a FilterWorkerError (carrying the
 * traceback or the worker's last output) and the next batch gets a fresh worker — so a stage can
 * dead-letter the batch and go on. The worker runs sandboxed (python/sandbox.ts) and talks over a
 * Unix socket in the host's private folder.
 */
import { randomUUID } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { Router } from 'zeromq';
import { FilterWorkerError } from '../errors.js';
import {
  newKey,
  repoRoot,
  writeConnectionFile,
  type ConnectionInfo
} from './python/connection-file.js';
import { DEFAULT_WORKER_MEMORY_MB, sandboxed, workerEnv } from './python/sandbox.js';
import { REPO_ROOT, requireSandbox, runtimePrefix, type SandboxMode } from './sandbox.js';
import { makeSandboxDir, placeCode, type SandboxDir } from './sandbox-dir.js';
import { SendQueue } from './python/send-queue.js';
import { WorkerChannel, type WorkerFilterSpec } from './python/worker-channel.js';
import { WorkerProcess } from './python/worker-process.js';

export type { WorkerFilterSpec } from './python/worker-channel.js';

/** One Arrow IPC stream (schema + the batch), what a worker reads. */
function toIpcBytes(data: Table | RecordBatch): Uint8Array {
  return tableToIPC(data instanceof Table ? data : new Table(data), 'stream');
}

/**
 * The named columns of a batch or table, in the order asked, missing names left out. By index:
 * apache-arrow 21's `RecordBatch.select` keeps each child at its old index, leaving holes (and a
 * wrong schema/children pairing) unless the chosen columns come first.
 */
export function selectColumns<T extends RecordBatch | Table>(
  batch: T,
  columns: readonly string[]
): T {
  const names = batch.schema.fields.map(f => f.name);
  const at = columns.map(c => names.indexOf(c)).filter(i => i >= 0);
  return batch.selectAt(at) as T;
}

export interface PythonFilterHostOptions {
  /** `package.module:name` or `path/to/file.py:name` of an `@alertlab.filter` function. */
  filter: string;
  /** Python interpreter with the `alertlab` package. @default `<repo>/.venv/bin/python` */
  python?: string;
  /** Per-batch time limit; past it the worker is killed and restarted. @default 30_000 */
  batchTimeoutMs?: number;
  /** Time for a worker to start and announce its filter. @default 30_000 */
  startTimeoutMs?: number;
  /** Worker working directory. @default process.cwd() */
  cwd?: string;
  /** Extra worker environment variables. @default {} */
  env?: Record<string, string>;
  /**
   * Run the worker in the process sandbox (python/sandbox.ts: no network, no capabilities, no
   * processes outliving it, bounded memory, no secrets in its environment, a syscall filter).
   * Where the machine cannot make one, the host refuses to start unless this is false (trusted
   * code only). @default true
   */
  sandbox?: boolean;
  /** Memory limit of the sandboxed worker (MiB). @default 2048 */
  memoryLimitMb?: number;
}

/** Per-row routing, the same shape as the SDK filter's `Routing`. */
export interface PythonRouting {
  readonly outputs: readonly string[];
  readonly index: Int32Array;
}

/** Time a cold worker's first batch may take, at least. */
const FIRST_BATCH_GRACE_MS = 15_000;

export class PythonFilterHost {
  readonly id = randomUUID();
  readonly language = 'python' as const;
  /** Workers started after the first (restarts after a hang or a crash). */
  restarts = 0;
  private worker: WorkerProcess | null = null;
  private channel: WorkerChannel;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly options: PythonFilterHostOptions,
    private readonly socket: Router,
    private readonly info: ConnectionInfo,
    private readonly dir: SandboxDir,
    private readonly mode: SandboxMode,
    /** The filter reference the worker loads (its file copied into its folder if need be). */
    private readonly ref: string,
    public spec: WorkerFilterSpec
  ) {
    this.channel = new WorkerChannel(socket, new SendQueue(socket), Buffer.from(info.key));
  }

  /** The pid of the worker that has routed a batch (its later batches get no grace). */
  private warmPid: number | undefined;

  /** Binds a private endpoint, writes its connection file (0600), starts the first worker. */
  static async create(options: PythonFilterHostOptions): Promise<PythonFilterHost> {
    // refuses where no sandbox can be made, unless the caller opted out
    const mode = requireSandbox('Python', options.sandbox !== false);
    // a Unix socket in the worker's private folder: it reaches a worker in its own network namespace
    const dir = await makeSandboxDir('alertlab-filter-', mode);
    let socket: Router | undefined;
    try {
      socket = new Router({ mandatory: true, linger: 0 });
      await socket.bind(`ipc://${join(dir.root, 'w')}-1`);
      await chmod(join(dir.root, 'w-1'), 0o600);
      await dir.grant(join(dir.root, 'w-1'));
      const info: ConnectionInfo = {
        transport: 'ipc',
        ip: join(dir.root, 'w'),
        shell_port: 1,
        key: newKey(),
        signature_scheme: 'hmac-sha256',
        pid: process.pid
      };
      await writeConnectionFile(join(dir.root, 'host.json'), info);
      await dir.grant(join(dir.root, 'host.json'));
      const ref = await placeFilter(dir, options.filter, mode);
      const placeholder: WorkerFilterSpec = { name: options.filter, kind: 'switch', outputs: [] };
      const host = new PythonFilterHost(options, socket, info, dir, mode, ref, placeholder);
      try {
        await host.start();
      } catch (err) {
        await host.close();
        throw err;
      }
      return host;
    } catch (err) {
      socket?.close();
      await dir.remove();
      throw err;
    }
  }

  get kind(): string {
    return this.spec.kind;
  }
  get outputs(): readonly string[] {
    return this.spec.outputs;
  }
  get requiredColumns(): readonly string[] {
    return this.spec.columns ?? [];
  }
  get source(): string {
    return this.spec.source ?? '';
  }
  /** The uid the worker runs as (root mode: one of its own). */
  get workerUid(): number | undefined {
    return this.dir.uid;
  }
  /** The current worker's pid (changes after a restart). */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  private async start(): Promise<void> {
    const python = this.options.python ?? join(repoRoot(), '.venv', 'bin', 'python');
    const args = ['-m', 'alertlab.worker', '--connect', join(this.dir.root, 'host.json')];
    args.push('--filter', this.ref);
    const sandbox = this.options.sandbox !== false;
    const memoryMb = this.options.memoryLimitMb ?? DEFAULT_WORKER_MEMORY_MB;
    const run = sandboxed(
      this.mode,
      python,
      args,
      { memoryMb },
      { keep: [REPO_ROOT, runtimePrefix(python)], writable: [this.dir.root], uid: this.dir.uid }
    );
    // without namespaces the worker still gets the reduced environment (no secrets)
    const env = sandbox
      ? workerEnv(this.dir.scratch, this.options.env)
      : { ...process.env, ...(this.options.env ?? {}) };
    const cwd = this.options.cwd ?? (sandbox ? this.dir.scratch : undefined);
    const worker = WorkerProcess.spawn(run.command, run.args, { cwd, env });
    this.worker = worker;
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    this.spec = await this.channel.awaitHello(worker, timeoutMs, this.options.filter);
  }

  /** Routes every row of `batch` (serialized: one batch at a time per worker). */
  evaluate(batch: RecordBatch | Table): Promise<PythonRouting> {
    const run = this.chain.then(() => this.evaluateNow(batch));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(batch: RecordBatch | Table): Promise<PythonRouting> {
    if (this.closed) {
      throw new FilterWorkerError(`Python filter ${this.options.filter} is closed.`, 'closed');
    }
    if (!this.worker?.alive) {
      this.restarts += 1;
      await this.start();
    }
    const worker = this.worker as WorkerProcess;
    const columns = this.spec.columns;
    const sent = columns && columns.length > 0 ? selectColumns(batch, columns) : batch;
    // A freshly started worker's first batch pays for lazy imports (pyarrow IPC, pandas, the
    // user's module): it gets at least FIRST_BATCH_GRACE_MS, so a busy machine does not turn a
    // cold start into a timeout. Later batches get batchTimeoutMs.
    const limitMs = this.options.batchTimeoutMs ?? 30_000;
    const timeoutMs =
      this.warmPid === worker.pid ? limitMs : Math.max(limitMs, FIRST_BATCH_GRACE_MS);
    const context = { filter: this.options.filter, rows: batch.numRows, workerPid: worker.pid };
    const outcome = await this.channel.evaluate(worker, toIpcBytes(sent), timeoutMs);
    if (outcome.kind !== 'timeout' && outcome.kind !== 'exited') {
      this.warmPid = worker.pid;
    }
    if (outcome.kind === 'timeout') {
      await worker.kill();
      throw new FilterWorkerError(
        `Python filter ${this.options.filter} did not route a batch of ${batch.numRows} rows within ${timeoutMs} ms; the worker (pid ${worker.pid}) was killed and restarts for the next batch. Dead-letter this batch, or raise batchTimeoutMs if the filter is just slow.`,
        'timeout',
        [],
        { ...context, timeoutMs }
      );
    }
    if (outcome.kind === 'exited') {
      await worker.kill();
      throw new FilterWorkerError(
        `Python filter ${this.options.filter} worker (pid ${worker.pid}) ${worker.describeExit()} while routing a batch of ${batch.numRows} rows; it restarts for the next batch. Its last output:\n${worker.outputTail()}`,
        'worker-exited',
        worker.outputTail().split('\n'),
        context
      );
    }
    const c = outcome.reply.content;
    if (c.status !== 'ok') {
      const traceback = Array.isArray(c.traceback) ? c.traceback.map(String) : [];
      throw new FilterWorkerError(
        `Python filter ${this.options.filter} raised ${String(c.ename)}: ${String(c.evalue)} on a batch of ${batch.numRows} rows. Fix the filter (traceback attached); the worker keeps running.`,
        String(c.code ?? 'remote-exception'),
        traceback,
        context
      );
    }
    const raw = outcome.reply.buffers[0] ?? new Uint8Array(0);
    if (raw.byteLength !== batch.numRows * 4) {
      throw new FilterWorkerError(
        `Python filter ${this.options.filter} returned ${raw.byteLength / 4} routes for ${batch.numRows} rows.`,
        'bad-reply',
        [],
        context
      );
    }
    const index = new Int32Array(batch.numRows);
    new Uint8Array(index.buffer).set(raw);
    return { outputs: this.spec.outputs, index };
  }

  /** Stops the worker, closes the socket and removes the connection file. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.chain;
    await this.worker?.kill();
    this.channel.close();
    this.socket.close();
    await this.dir.remove();
  }
}

/** `file.py:name` with the file where the worker can read it (copied into its folder if need be). */
async function placeFilter(dir: SandboxDir, filter: string, mode: SandboxMode): Promise<string> {
  const m = /^(.+\.py):([A-Za-z_][A-Za-z0-9_]*)$/.exec(filter);
  if (m === null) {
    return filter; // package.module:name, imported from the worker's path
  }
  const placed = await placeCode(dir, m[1], mode);
  return `${placed.path}:${m[2]}`;
}

/** Runs `fn` with a host and closes it afterwards. */
export async function withPythonFilterHost<T>(
  options: PythonFilterHostOptions,
  fn: (host: PythonFilterHost) => Promise<T>
): Promise<T> {
  const host = await PythonFilterHost.create(options);
  try {
    return await fn(host);
  } finally {
    await host.close();
  }
}
