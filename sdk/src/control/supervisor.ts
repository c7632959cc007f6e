/**
 * The supervisor: N worker processes per stage (one consumer group = the stage id), restarted with
 * exponential backoff when they die, replaced when the stage's version changes, and their stats
 * summed (live workers plus those that exited) so counters never go backwards.
 */
import type { StageStats, WorkerMemory } from '../stage/stats.js';
import { stageHeapMb, WorkerProcess, type WorkerExit } from './worker.js';

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /** Extra environment of every worker. @default {} */
  env?: Record<string, string>;
  /** First restart delay. @default 500 */
  initialBackoffMs?: number;
  /** Longest restart delay. @default 30000 */
  maxBackoffMs?: number;
  /** A worker that ran this long resets its backoff. @default 30000 */
  stableAfterMs?: number;
  /** Time a stopping worker gets before SIGKILL. @default 15000 */
  stopGraceMs?: number;
  /** Told about starts, exits and restarts (structured logs). @default none */
  onEvent?: (event: string, fields: Record<string, unknown>) => void;
}

/** What the supervisor should run for a stage. */
export interface StageTarget {
  manifestPath: string;
  version: number;
  replicas: number;
  running: boolean;
}

/** Name of the output a stage's dead letters are listed under (`outputTopics['dead-letter']`). */
export const DEAD_LETTER_OUTPUT = 'dead-letter';

/** Summed counters of a stage. */
export interface StageTotals {
  recordsIn: number;
  alertsIn: number;
  out: Record<string, number>;
  deadLettered: number;
  dropped: number;
  filterErrors: number;
  commits: number;
  aborts: number;
  latency: { le: number; count: number }[];
  latencyMsSum: number;
  batches: number;
}

/** A live view of a stage's workers. */
export interface StageRuntimeStatus {
  version: number;
  desiredReplicas: number;
  running: boolean;
  workers: {
    replica: number;
    pid: number | undefined;
    uptimeMs: number;
    partitions: number[];
    /** From the worker's last stats line. */
    memory?: WorkerMemory;
  }[];
  restarts: number;
  workerErrors: number;
  lastError?: { time: string; message: string };
  totals: StageTotals;
  /** Records in per second over the last ~10 s. */
  ratePerSecond: number;
  /** Alerts written per second over the last ~10 s, per output (dead letters: 'dead-letter'). */
  outRatePerSecond: Record<string, number>;
}

interface Runtime {
  target: StageTarget;
  workers: Map<number, WorkerProcess>;
  timers: Map<number, NodeJS.Timeout>;
  failures: Map<number, number>;
  restarts: number;
  workerErrors: number;
  lastError?: { time: string; message: string };
  retired: StageTotals;
  samples: { t: number; n: number; out: Record<string, number> }[];
}

function emptyTotals(): StageTotals {
  return {
    recordsIn: 0,
    alertsIn: 0,
    out: {},
    deadLettered: 0,
    dropped: 0,
    filterErrors: 0,
    commits: 0,
    aborts: 0,
    latency: [],
    latencyMsSum: 0,
    batches: 0
  };
}

function addStats(t: StageTotals, s: StageStats): void {
  t.recordsIn += s.recordsIn;
  t.alertsIn += s.alertsIn;
  for (const [k, v] of Object.entries(s.out)) {
    t.out[k] = (t.out[k] ?? 0) + v;
  }
  t.deadLettered += s.deadLettered;
  t.dropped += s.dropped;
  t.filterErrors += s.filterErrors;
  t.commits += s.commits;
  t.aborts += s.aborts;
  t.latencyMsSum += s.latencyMsSum;
  t.batches += s.batches;
  s.latency.forEach((b, i) => {
    const le = typeof b.le === 'number' ? b.le : Infinity; // JSON lines carry Infinity as a string
    if (!t.latency[i]) {
      t.latency[i] = { le, count: 0 };
    }
    t.latency[i].count += b.count;
  });
}

function cloneTotals(t: StageTotals): StageTotals {
  return { ...t, out: { ...t.out }, latency: t.latency.map(b => ({ ...b })) };
}

/** Runs and watches the worker processes of every stage. close() stops them all. */
export class Supervisor {
  private readonly stages = new Map<string, Runtime>();
  private closed = false;

  constructor(private readonly options: SupervisorOptions = {}) {
    stageHeapMb({ ...process.env, ...options.env }); // a bad ALERTLAB_STAGE_HEAP_MB stops the controller at start
  }

  /** Makes the workers of `id` match `target` (starts, stops, replaces on a version change). */
  async apply(id: string, target: StageTarget): Promise<void> {
    let rt = this.stages.get(id);
    if (!rt) {
      rt = {
        target,
        workers: new Map(),
        timers: new Map(),
        failures: new Map(),
        restarts: 0,
        workerErrors: 0,
        retired: emptyTotals(),
        samples: []
      };
      this.stages.set(id, rt);
    }
    const changed = rt.target.manifestPath !== target.manifestPath;
    rt.target = target;
    const want = target.running ? target.replicas : 0;
    const stops: Promise<unknown>[] = [];
    for (const [replica, w] of [...rt.workers]) {
      if (changed || replica >= want) {
        rt.workers.delete(replica);
        stops.push(this.retire(id, rt, w));
      }
    }
    for (const [replica, timer] of [...rt.timers]) {
      if (changed || replica >= want) {
        clearTimeout(timer);
        rt.timers.delete(replica);
      }
    }
    await Promise.all(stops);
    for (let r = 0; r < want; r++) {
      if (!rt.workers.has(r) && !rt.timers.has(r)) {
        this.spawn(id, rt, r);
      }
    }
  }

  /** Stops the workers of `id` and forgets it. */
  async remove(id: string): Promise<void> {
    const rt = this.stages.get(id);
    if (!rt) {
      return;
    }
    await this.apply(id, { ...rt.target, running: false });
    this.stages.delete(id);
  }

  /** A live view of the workers of `id`. */
  status(id: string): StageRuntimeStatus | undefined {
    const rt = this.stages.get(id);
    if (!rt) {
      return undefined;
    }
    const totals = cloneTotals(rt.retired);
    for (const w of rt.workers.values()) {
      if (w.stats) {
        addStats(totals, w.stats);
      }
    }
    const now = Date.now();
    // Dead letters count as the 'dead-letter' output (its topic is listed with the outputs).
    const out = { ...totals.out, [DEAD_LETTER_OUTPUT]: totals.deadLettered };
    rt.samples.push({ t: now, n: totals.recordsIn, out });
    while (rt.samples.length > 2 && now - rt.samples[1].t > 10_000) {
      rt.samples.shift();
    }
    const first = rt.samples[0];
    const dt = (now - first.t) / 1000;
    return {
      version: rt.target.version,
      desiredReplicas: rt.target.running ? rt.target.replicas : 0,
      running: rt.target.running,
      workers: [...rt.workers.values()]
        .sort((a, b) => a.replica - b.replica)
        .map(w => ({
          replica: w.replica,
          pid: w.pid,
          uptimeMs: now - w.startedAt,
          partitions: w.stats?.partitions ?? [],
          ...(w.stats?.memory ? { memory: w.stats.memory } : {})
        })),
      restarts: rt.restarts,
      workerErrors: rt.workerErrors,
      lastError: rt.lastError,
      totals,
      ratePerSecond: dt > 0 ? (totals.recordsIn - first.n) / dt : 0,
      outRatePerSecond: Object.fromEntries(
        Object.entries(out).map(([k, n]) => [k, dt > 0 ? (n - (first.out[k] ?? 0)) / dt : 0])
      )
    };
  }

  /** Pids of the live workers of `id` (tests kill one to see it come back). */
  pids(id: string): number[] {
    return [...(this.stages.get(id)?.workers.values() ?? [])].flatMap(w => (w.pid ? [w.pid] : []));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.stages.keys()].map(id => this.remove(id)));
  }

  private async retire(id: string, rt: Runtime, w: WorkerProcess): Promise<void> {
    await w.stop(this.options.stopGraceMs ?? 15_000);
    if (w.stats) {
      addStats(rt.retired, w.stats);
    }
    this.options.onEvent?.('worker-stopped', { stage: id, replica: w.replica, pid: w.pid });
  }

  private spawn(id: string, rt: Runtime, replica: number): void {
    const w = new WorkerProcess(id, replica, rt.target.manifestPath, this.options.env ?? {});
    rt.workers.set(replica, w);
    this.options.onEvent?.('worker-started', {
      stage: id,
      replica,
      pid: w.pid,
      version: rt.target.version
    });
    void w.exited.then(exit => this.onExit(id, rt, w, exit));
  }

  private onExit(id: string, rt: Runtime, w: WorkerProcess, exit: WorkerExit): void {
    if (rt.workers.get(w.replica) !== w) {
      return; // stopped on purpose (retire() accounts for it)
    }
    rt.workers.delete(w.replica);
    if (w.stats) {
      addStats(rt.retired, w.stats);
    }
    rt.workerErrors++;
    const lastLines = exit.tail.slice(-5).join('\n');
    rt.lastError = {
      time: new Date().toISOString(),
      message: `worker ${w.replica} (pid ${w.pid}) exited with ${exit.signal ?? `code ${exit.code}`}${lastLines ? `: ${lastLines}` : ''}`
    };
    const stable = Date.now() - w.startedAt >= (this.options.stableAfterMs ?? 30_000);
    const failures = stable ? 1 : (rt.failures.get(w.replica) ?? 0) + 1;
    rt.failures.set(w.replica, failures);
    const delayMs = Math.min(
      this.options.maxBackoffMs ?? 30_000,
      (this.options.initialBackoffMs ?? 500) * 2 ** (failures - 1)
    );
    this.options.onEvent?.('worker-exited', {
      stage: id,
      replica: w.replica,
      pid: w.pid,
      code: exit.code,
      signal: exit.signal,
      restartInMs: delayMs
    });
    if (this.closed || !rt.target.running || w.replica >= rt.target.replicas) {
      return;
    }
    const timer = setTimeout(() => {
      rt.timers.delete(w.replica);
      if (
        !this.closed &&
        this.stages.get(id) === rt &&
        rt.target.running &&
        w.replica < rt.target.replicas &&
        !rt.workers.has(w.replica)
      ) {
        rt.restarts++;
        this.spawn(id, rt, w.replica);
      }
    }, delayMs);
    rt.timers.set(w.replica, timer);
  }
}
