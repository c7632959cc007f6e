/**
 * Stage workers on lab hosts, supervised the way a deployment would (a worker that exits is
 * started again after a second, as Kubernetes or systemd would), and the test's views of the
 * stage: an observer that outlives its own hung clients and the committed progress of the group
 * (the read-back of the outputs is in netfault-verify.ts). No vitest imports: bench/recovery.ts
 * uses these too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdminClient, KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import type { NetLab } from './netfault-hosts.js';

const ALERTLAB = join(import.meta.dirname, '..', 'bin', 'alertlab');

export const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** One `alertlab stage run` on a lab host, restarted whenever it exits until `stop()`. */
export class LabWorker {
  child?: ChildProcess;
  restarts = 0;
  readonly stderr: string[] = [];
  readonly lines: Array<Record<string, unknown>> = [];
  private stopping = false;
  private exited?: Promise<void>;

  constructor(
    readonly lab: NetLab,
    readonly host: string,
    readonly manifestPath: string,
    /** Where the worker's stderr is appended, restarts included. */
    readonly logFile: string
  ) {}

  /** Writes the manifest and starts the worker on its host; its log goes to `logDir`. */
  static start(
    lab: NetLab,
    host: string,
    dir: string,
    manifest: Record<string, unknown>,
    logDir: string
  ): LabWorker {
    const path = join(dir, `${String(manifest.id)}-${host}.json`);
    writeFileSync(path, JSON.stringify(manifest, null, 2));
    const w = new LabWorker(lab, host, path, join(logDir, `${host}.log`));
    w.spawnOnce();
    return w;
  }

  private spawnOnce(): void {
    const child = spawn(
      'ip',
      [...this.lab.exec(this.host).slice(1), ALERTLAB, 'stage', 'run', this.manifestPath],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: process.env.CI ?? '' } }
    );
    this.child = child;
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const p of parts) {
        try {
          this.lines.push(JSON.parse(p) as Record<string, unknown>);
        } catch {
          this.stderr.push(p);
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString());
      appendFileSync(this.logFile, chunk);
      if (this.stderr.length > 400) {
        this.stderr.splice(0, 200);
      }
    });
    this.exited = new Promise(resolve =>
      child.once('exit', code => {
        if (!this.stopping) {
          const note = `[supervisor] ${new Date().toISOString()} worker on ${this.host} exited (${String(code)})\n`;
          this.stderr.push(note);
          appendFileSync(this.logFile, note);
          this.restarts++;
          setTimeout(() => {
            if (!this.stopping) {
              this.spawnOnce();
            }
          }, 1000);
        }
        resolve();
      })
    );
  }

  get started(): boolean {
    return this.lines.some(l => l.type === 'started');
  }

  /** SIGTERM (a clean stop); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) {
      return;
    }
    c.kill('SIGTERM');
    const killed = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(killed);
  }

  log(chars = 4000): string {
    return this.stderr.join('').slice(-chars);
  }
}

/** `p`'s value, or `undefined` when it has not settled within `ms` (p keeps running). */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(value => ({ value })),
      new Promise<undefined>(resolve => (timer = setTimeout(() => resolve(undefined), ms)))
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The test's own admin view of the cluster, robust to its own faults: a call that hangs (a client
 * stuck on a connection into a partitioned or lost host) times out, and after two such calls in a
 * row the admin client is replaced by a fresh one.
 */
export class Observer {
  private failures = 0;
  private constructor(
    readonly transport: KafkaTransport,
    public admin: AdminClient
  ) {}

  static async create(transport: KafkaTransport): Promise<Observer> {
    return new Observer(transport, await transport.admin());
  }

  /** `fn(admin)`, or undefined when it failed or took over `timeoutMs`. */
  async call<T>(
    fn: (admin: AdminClient) => Promise<T>,
    timeoutMs = 10_000
  ): Promise<T | undefined> {
    const r = await within(
      fn(this.admin).catch(() => undefined),
      timeoutMs
    );
    if (r === undefined) {
      this.failures++;
      if (this.failures >= 2) {
        this.failures = 0;
        const old = this.admin;
        void old.close().catch(() => undefined);
        this.admin = await this.transport.admin();
      }
      return undefined;
    }
    this.failures = 0;
    return r.value;
  }

  async close(): Promise<void> {
    await within(
      this.admin.close().catch(() => undefined),
      5000
    );
  }
}

/** Sum of committed offsets of `group` on `topic` (-1 counts 0); undefined when unreachable. */
export async function committedSum(
  obs: Observer,
  group: string,
  topic: string
): Promise<bigint | undefined> {
  const offsets = await obs.call(a => a.groupOffsets(group, topic));
  return offsets?.reduce((s, o) => s + (o.offset > 0n ? o.offset : 0n), 0n);
}

/** Sum of the end offsets of `topic`; undefined when unreachable. */
export async function endSum(obs: Observer, topic: string): Promise<bigint | undefined> {
  const ends = await obs.call(a => a.endOffsets(topic));
  return ends?.reduce((s, o) => s + o.high, 0n);
}

/**
 * Watches a group's committed total every `everyMs`: when it last moved, and the longest stall —
 * time during which input was waiting (committed < end offsets) and the commits did not move.
 * `waitFor(target)` resolves with the time from a mark until `target` was committed.
 */
export class ProgressWatch {
  last = 0n;
  lastMoveAt = Date.now();
  longestStallMs = 0;
  private stalledSince?: number;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly obs: Observer,
    private readonly group: string,
    private readonly topic: string,
    everyMs = 250
  ) {
    this.timer = setInterval(() => void this.poll(), everyMs);
  }

  /** Starts a new stall measurement (at a fault). */
  resetStall(): void {
    this.longestStallMs = 0;
    this.stalledSince = undefined;
  }

  private async poll(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      const end = await endSum(this.obs, this.topic);
      const now = await committedSum(this.obs, this.group, this.topic);
      const t = Date.now();
      if (now !== undefined && now > this.last) {
        this.last = now;
        this.lastMoveAt = t;
        this.stalledSince = undefined;
      } else if (end !== undefined && this.last < end) {
        this.stalledSince ??= t;
        this.longestStallMs = Math.max(this.longestStallMs, t - this.stalledSince);
      } else if (end !== undefined) {
        this.stalledSince = undefined;
      }
    } finally {
      this.busy = false;
    }
  }

  /** Resolves with ms from `since` until `target` was committed; rejects after `timeoutMs`. */
  async waitFor(target: bigint, since: number, timeoutMs: number): Promise<number> {
    for (;;) {
      if (this.last >= target) {
        return this.lastMoveAt - since;
      }
      if (Date.now() - since > timeoutMs) {
        throw new Error(
          `group ${this.group}: committed ${this.last} of ${target} on ${this.topic} ` +
            `${timeoutMs} ms after the mark`
        );
      }
      await sleep(100);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
