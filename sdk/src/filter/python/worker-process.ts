/** One spawned Python worker process: its exit as a promise and the tail of its output. */
import { spawn, type ChildProcess } from 'node:child_process';

/** Keeps the last `limit` characters written to stdout/stderr. */
class Tail {
  private text = '';
  constructor(private readonly limit = 8192) {}
  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class WorkerProcess {
  readonly exited: Promise<WorkerExit>;
  private readonly output = new Tail();
  private exitInfo: WorkerExit | null = null;
  private readonly exitListeners = new Set<() => void>();

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => this.output.push(b));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b));
    this.exited = new Promise(resolve => {
      const ended = (info: WorkerExit): void => {
        this.exitInfo ??= info;
        resolve(this.exitInfo);
        for (const fn of this.exitListeners) {
          fn();
        }
        this.exitListeners.clear();
      };
      child.once('exit', (code, signal) => ended({ code, signal }));
      child.once('error', err => {
        this.output.push(Buffer.from(`spawn failed: ${err.message}\n`));
        ended({ code: -1, signal: null });
      });
    });
  }

  static spawn(
    python: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv }
  ): WorkerProcess {
    return new WorkerProcess(
      spawn(python, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Calls `fn` once when the process ends (soon, if it has); returns a function that forgets it.
   * A wait per batch must use this, not `exited.then(...)`: each reaction on the long-lived
   * `exited` promise kept that batch's race — and the reply it settled with — alive until the
   * worker ended (the soak's Python stage grew ~4 KB external + 2 KB heap per batch).
   */
  onExit(fn: () => void): () => void {
    if (!this.alive) {
      queueMicrotask(fn);
      return () => undefined;
    }
    this.exitListeners.add(fn);
    return () => {
      this.exitListeners.delete(fn);
    };
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  describeExit(): string {
    const e = this.exitInfo;
    if (!e) {
      return 'still running';
    }
    return e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
  }

  outputTail(): string {
    return this.output.toString();
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    if (this.alive) {
      this.child.kill('SIGKILL');
    }
    await this.exited;
  }
}
