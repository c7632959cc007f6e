/**
 * One worker process of a stage: `alertlab stage run <manifest>` as a child of the controller.
 * Its stdout JSON lines carrying stats are kept as the latest snapshot; the last stderr lines are
 * kept for `lastError`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StageStats } from '../stage/stats.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * V8 old-space cap of a stage worker, MiB (`--max-old-space-size`). A worker's live heap is tens of
 * MiB (alerts travel as Buffers and Arrow columns); with V8's default cap (a quarter of RAM, 4 GiB
 * here) it let garbage pile up to over a GiB of resident memory in the soak before collecting.
 * Set by a manifest's `worker.heapMb` or the controller's `ALERTLAB_STAGE_HEAP_MB` (64..16384); see
 * {@link workerHeapMb}. @default 512
 */
export const DEFAULT_STAGE_HEAP_MB = 512;

/** The stage workers' heap cap from the environment; a clear error when it is not a number in range. */
export function stageHeapMb(env: Record<string, string | undefined> = process.env): number {
  const raw = env.ALERTLAB_STAGE_HEAP_MB;
  if (raw === undefined || raw === '') {
    return DEFAULT_STAGE_HEAP_MB;
  }
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 64 || v > 16384) {
    throw new Error(
      `ALERTLAB_STAGE_HEAP_MB=${raw}: give the stage workers' V8 heap cap as whole MiB from 64 to 16384 (default ${DEFAULT_STAGE_HEAP_MB})`
    );
  }
  return v;
}

/**
 * The heap cap of one stage's workers: the manifest's `worker.heapMb`, else — for stages whose state
 * lives in the JS heap and grows with the data (`objects`: the id index; kind `aggregate`: up to
 * `maxOpenWindows` windows per partition) — V8's own limit (undefined), else the controller's
 * `ALERTLAB_STAGE_HEAP_MB`, else 512 MiB.
 */
export function workerHeapMb(
  manifest: { worker?: { heapMb?: number }; objects?: unknown; kind?: unknown },
  env: Record<string, string | undefined> = process.env
): number | undefined {
  if (manifest.worker?.heapMb !== undefined) {
    return manifest.worker.heapMb;
  }
  const objects = manifest.objects !== undefined && manifest.objects !== false;
  if (objects || manifest.kind === 'aggregate') {
    return undefined;
  }
  return stageHeapMb(env);
}

function manifestHeapMb(
  manifestPath: string,
  env: Record<string, string | undefined>
): number | undefined {
  let manifest: Parameters<typeof workerHeapMb>[0] = {};
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as typeof manifest;
  } catch {
    // the worker itself reports an unreadable manifest; it runs with V8's limit meanwhile
    return undefined;
  }
  return workerHeapMb(manifest, env);
}

/** The command that runs a worker: node + tsx + the CLI (what `bin/alertlab` runs). */
export function workerCommand(
  manifestPath: string,
  statsIntervalMs = 1000,
  heapMb?: number
): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [
      ...(heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`]),
      '--import',
      join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'),
      join(REPO_ROOT, 'sdk', 'src', 'cli', 'main.ts'),
      'stage',
      'run',
      manifestPath,
      '--stats-interval-ms',
      String(statsIntervalMs)
    ]
  };
}

/** Finds a stats snapshot in one stdout line (`{"type":"stats",...}`, `{"stats":{...}}` or a bare snapshot). */
export function statsOfLine(line: string): StageStats | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) {
    return undefined;
  }
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const s = (typeof o.stats === 'object' && o.stats !== null ? o.stats : o) as Record<
    string,
    unknown
  >;
  return typeof s.recordsIn === 'number' && typeof s.out === 'object'
    ? (s as unknown as StageStats)
    : undefined;
}

/** How a worker ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** Last stderr lines. */
  tail: string[];
}

/** A running worker process. */
export class WorkerProcess {
  stats: StageStats | undefined;
  readonly startedAt = Date.now();
  readonly tail: string[] = [];
  readonly exited: Promise<WorkerExit>;
  private readonly child: ChildProcess;
  private done = false;

  constructor(
    readonly stageId: string,
    readonly replica: number,
    manifestPath: string,
    env: Record<string, string>
  ) {
    // Two glibc malloc arenas instead of 8 per core: a worker's ~35 threads (librdkafka, libuv,
    // DuckDB) each took an arena and its fragments; the soak's workers held ~100-150 MB less RSS.
    const childEnv: Record<string, string | undefined> = {
      MALLOC_ARENA_MAX: '2',
      ...process.env,
      ...env,
      ALERTLAB_STAGE_REPLICA: String(replica)
    };
    // an operator's --max-old-space-size in NODE_OPTIONS wins over ours
    const ownCap = /--max-old-space-size/.test(childEnv.NODE_OPTIONS ?? '');
    const heapMb = ownCap ? undefined : manifestHeapMb(manifestPath, childEnv);
    const { command, args } = workerCommand(manifestPath, 1000, heapMb);
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
    createInterface({ input: this.child.stdout! }).on('line', line => {
      const s = statsOfLine(line);
      if (s) {
        this.stats = s;
      }
    });
    createInterface({ input: this.child.stderr! }).on('line', line => {
      this.tail.push(line);
      if (this.tail.length > 40) {
        this.tail.shift();
      }
    });
    this.exited = new Promise(resolveExit => {
      this.child.once('exit', (code, signal) => {
        this.done = true;
        // Let the readline streams drain the last lines first.
        setImmediate(() => resolveExit({ code, signal, tail: [...this.tail] }));
      });
      this.child.once('error', err => {
        this.tail.push(String(err));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Asks the worker to stop (SIGTERM), killing it after `graceMs`. */
  async stop(graceMs = 15_000): Promise<WorkerExit> {
    if (this.done) {
      return this.exited;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
