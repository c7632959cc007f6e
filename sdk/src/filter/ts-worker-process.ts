/**
 * One sandboxed TypeScript filter process (sandbox.ts): started with its module, it announces the
 * module's meta, then routes one batch at a time. Everything the child sends is bounded
 * ({@link FrameReader}) and checked before use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeSandboxDir, placeCode, type SandboxDir } from './sandbox-dir.js';
import { REPO_ROOT, runtimePrefix, sandboxed, workerEnv, type SandboxMode } from './sandbox.js';
import {
  FrameReader,
  FrameType,
  encodeFrame,
  parseMeta,
  type Frame,
  type WorkerMeta
} from './ts-worker-frames.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXT = extname(fileURLToPath(import.meta.url));
const ENTRY = join(HERE, `ts-worker-entry${EXT}`);
const API = join(HERE, `filter-api${EXT}`);

/**
 * What Node counts in RLIMIT_DATA before running any code (V8 reserves its code range and more
 * at start: ~560 MB measured with Node 24), added to the filter's own memory limit.
 */
export const NODE_BASELINE_MB = 768;

/** tsx's loader (`--import`), which the .ts entry and .ts filter modules need. */
function tsxLoader(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkgPath = require.resolve('tsx/package.json');
    const pkg = require(pkgPath) as { exports: Record<string, string> };
    return pathToFileURL(join(dirname(pkgPath), pkg.exports['.'])).href;
  } catch {
    return undefined;
  }
}

/** How to start a worker. */
export interface TsWorkerStart {
  modulePath: string;
  exportName: string;
  mode: SandboxMode;
  memoryMb: number;
  cpuSeconds: number;
  processes?: number;
}

/** Keeps the last `limit` characters of the child's output. */
class Tail {
  private text = '';
  constructor(private readonly limit = 4096) {}
  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

/** An answer to one request: a frame, or why none came. */
export type Answer =
  | { kind: 'frame'; frame: Frame }
  | { kind: 'exited'; how: string }
  | { kind: 'protocol'; reason: string };

export class TsWorkerProcess {
  readonly output = new Tail();
  readonly exited: Promise<string>;
  private waiter: ((a: Answer) => void) | undefined;
  private limit = 64 * 1024;
  private exitHow: string | undefined;
  /** CPU time the child reported with its last result. */
  cpuMs = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: Socket,
    readonly dir: SandboxDir
  ) {
    child.stdout?.on('data', (b: Buffer) => this.output.push(b));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b));
    this.exited = new Promise<string>(resolve => {
      child.once('exit', (code, signal) => {
        this.exitHow = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.answer({ kind: 'exited', how: this.exitHow });
        resolve(this.exitHow);
      });
      child.once('error', err => {
        this.exitHow = `could not be started (${err.message})`;
        this.answer({ kind: 'exited', how: this.exitHow });
        resolve(this.exitHow);
      });
    });
    const reader = new FrameReader(() => this.limit);
    channel.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) {
          this.answer({ kind: 'frame', frame });
        }
      } catch (error) {
        this.answer({ kind: 'protocol', reason: (error as Error).message });
        void this.kill();
      }
    });
    channel.on('error', () => undefined);
  }

  /** Starts the child and waits until it has loaded its module (or failed to). */
  static async start(
    opts: TsWorkerStart,
    timeoutMs: number
  ): Promise<{ worker: TsWorkerProcess; meta: WorkerMeta } | { failed: string }> {
    const dir = await makeSandboxDir('alertlab-tsfilter-', opts.mode);
    try {
      const code = await placeCode(dir, opts.modulePath, opts.mode);
      if (code.copied) {
        await shimSdk(dir);
      }
      const loader = tsxLoader();
      const ts = /\.[mc]?tsx?$/.test(code.path) || EXT === '.ts';
      const args = [
        ...(ts && loader ? ['--import', loader] : []),
        `--max-old-space-size=${Math.max(16, Math.floor(opts.memoryMb * 0.75))}`,
        ENTRY,
        code.path,
        opts.exportName
      ];
      const run = sandboxed(
        opts.mode,
        process.execPath,
        args,
        {
          memoryMb: opts.memoryMb + NODE_BASELINE_MB,
          cpuSeconds: opts.cpuSeconds,
          processes: opts.processes
        },
        { keep: [REPO_ROOT, runtimePrefix(process.execPath)], writable: [dir.root], uid: dir.uid }
      );
      const child = spawn(run.command, run.args, {
        cwd: dir.scratch,
        env: workerEnv(dir.scratch),
        stdio: ['ignore', 'pipe', 'pipe', 'pipe']
      });
      const worker = new TsWorkerProcess(child, child.stdio[3] as Socket, dir);
      const first = await worker.next(timeoutMs);
      if (first.kind === 'frame' && first.frame.type === FrameType.ready) {
        const meta = parseMeta(first.frame.payload);
        if (meta !== undefined) {
          return { worker, meta };
        }
      }
      await worker.kill();
      const why =
        first.kind === 'frame'
          ? first.frame.type === FrameType.error
            ? errorText(first.frame.payload)
            : 'it sent a malformed announcement'
          : first.kind === 'exited'
            ? `its process ${first.how}${tailOf(worker)}`
            : first.kind === 'protocol'
              ? first.reason
              : `it did not load within ${timeoutMs} ms (a loop at module top level?)`;
      return { failed: why };
    } catch (error) {
      await dir.remove();
      throw error;
    }
  }

  private answer(a: Answer): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(a);
  }

  /** The next frame, or the exit, or 'timeout'. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<Answer | { kind: 'timeout' | 'aborted' }> {
    if (this.exitHow !== undefined) {
      return Promise.resolve({ kind: 'exited', how: this.exitHow });
    }
    return new Promise(resolve => {
      const done = (a: Answer | { kind: 'timeout' | 'aborted' }): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
        resolve(a);
      };
      const onAbort = (): void => done({ kind: 'aborted' });
      const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = done;
    });
  }

  /** Sends a batch (Arrow IPC) whose reply may hold `rows` routes. */
  send(seq: number, ipc: Uint8Array, rows: number): void {
    this.limit = Math.max(64 * 1024, 8 + rows * 4);
    for (const part of encodeFrame(FrameType.evaluate, seq, ipc)) {
      this.channel.write(part);
    }
  }

  get alive(): boolean {
    return this.exitHow === undefined;
  }

  /** SIGKILL (its PID namespace dies with it), wait for the exit, remove its folder. */
  async kill(): Promise<void> {
    if (this.exitHow === undefined) {
      this.child.kill('SIGKILL');
    }
    this.channel.destroy();
    await this.exited;
    await this.dir.remove();
  }
}

/** `@alertlab/sdk` for a copied module: a package in its scratch folder re-exporting filter-api. */
async function shimSdk(dir: SandboxDir): Promise<void> {
  const pkg = join(dir.scratch, 'node_modules', '@alertlab', 'sdk');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(dir.scratch, 'package.json'), '{ "type": "module" }\n');
  await writeFile(
    join(pkg, 'package.json'),
    '{ "name": "@alertlab/sdk", "type": "module", "main": "index.js" }\n'
  );
  await writeFile(
    join(pkg, 'index.js'),
    `export * from ${JSON.stringify(pathToFileURL(API).href)};\n`
  );
  for (const p of [
    join(dir.scratch, 'node_modules'),
    join(dir.scratch, 'node_modules', '@alertlab'),
    pkg
  ]) {
    await dir.grant(p);
  }
}

/** The message of an `error` frame. */
export function errorText(payload: Buffer): string {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { message?: unknown };
    return typeof v.message === 'string' ? v.message.slice(0, 8192) : 'unknown error';
  } catch {
    return 'unreadable error';
  }
}

function tailOf(w: TsWorkerProcess): string {
  const t = w.output.toString().trim();
  return t ? `; its last output:\n${t}` : '';
}
