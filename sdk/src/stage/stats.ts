/**
 * Stage counters: records in, alerts out per output, dead letters, a batch latency histogram, and
 * where a filter stage's chunks spend their time (chunk-timing.ts).
 */
import { CHUNK_PHASES, chunkPhases, type ChunkPhase, type ChunkTiming } from './chunk-timing.js';

/** Upper bounds (ms) of the latency histogram buckets; the last bucket is unbounded. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

export interface StageStats {
  stageId: string;
  kind: string;
  /** Kafka records consumed and processed (committed). */
  recordsIn: number;
  /** Alerts decoded from them. */
  alertsIn: number;
  /** Alerts written per output name (or per archive night / aggregate topic). */
  out: Record<string, number>;
  /** Records written to the dead-letter topic, by reason code. */
  deadLettered: number;
  deadLetterByCode: Record<string, number>;
  /** Alerts not routed anywhere (yes/no drops). */
  dropped: number;
  /** Transactions (or archive flushes) committed and aborted. */
  commits: number;
  aborts: number;
  /** Filter calls that failed (exception, time limit). */
  filterErrors: number;
  /** Batch latency (fetch handed over → committed): count per bucket, `le` in ms (Infinity last). */
  latency: { le: number; count: number }[];
  latencyMsSum: number;
  batches: number;
  /** Partitions this worker owns now. */
  partitions: number[];
  startedAt: string;
  uptimeMs: number;
  /** Kind-specific counters (late records, windows emitted, files written...). */
  extra: Record<string, number>;
  /** Per phase of a committed chunk (filter stages): chunks, total and largest ms. */
  phases: Record<string, PhaseTotals>;
  /** The worker process's memory (stats lines of `alertlab stage run`). */
  memory?: WorkerMemory;
}

/** A worker process's memory, MiB (Node's process.memoryUsage()), in its stats lines. */
export interface WorkerMemory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory outside V8's heap that V8 knows of (ArrayBuffers, native buffers). */
  externalMb: number;
  arrayBuffersMb: number;
}

/** This process's memory now. */
export function workerMemory(): WorkerMemory {
  const m = process.memoryUsage();
  const mb = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers)
  };
}

export interface PhaseTotals {
  chunks: number;
  sumMs: number;
  maxMs: number;
}

/** Mutable counters behind {@link StageStats}. */
export class StageCounters {
  recordsIn = 0;
  alertsIn = 0;
  readonly out = new Map<string, number>();
  deadLettered = 0;
  readonly deadLetterByCode = new Map<string, number>();
  dropped = 0;
  commits = 0;
  aborts = 0;
  filterErrors = 0;
  batches = 0;
  latencyMsSum = 0;
  partitions: number[] = [];
  readonly extra = new Map<string, number>();
  private readonly buckets = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  private readonly started = Date.now();
  private readonly phases = new Map<ChunkPhase, PhaseTotals>();
  private readonly chunkListeners = new Set<(timing: ChunkTiming) => void>();

  constructor(
    readonly stageId: string,
    readonly kind: string
  ) {}

  addOut(name: string, n: number): void {
    this.out.set(name, (this.out.get(name) ?? 0) + n);
  }

  addDeadLetters(code: string, n: number): void {
    this.deadLettered += n;
    this.deadLetterByCode.set(code, (this.deadLetterByCode.get(code) ?? 0) + n);
  }

  addExtra(name: string, n: number): void {
    this.extra.set(name, (this.extra.get(name) ?? 0) + n);
  }

  observeLatency(ms: number): void {
    this.batches++;
    this.latencyMsSum += ms;
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) {
      i++;
    }
    this.buckets[i]++;
  }

  /** Adds a committed chunk's phases; listeners (if any) hear its timing. */
  observeChunk(timing: ChunkTiming): void {
    const d = chunkPhases(timing);
    for (const phase of CHUNK_PHASES) {
      const t = this.phases.get(phase) ?? { chunks: 0, sumMs: 0, maxMs: 0 };
      t.chunks++;
      t.sumMs += d[phase];
      t.maxMs = Math.max(t.maxMs, d[phase]);
      this.phases.set(phase, t);
    }
    for (const listener of this.chunkListeners) {
      listener(timing);
    }
  }

  /** Hears every committed chunk's timing; returns the unsubscribe. */
  onChunk(listener: (timing: ChunkTiming) => void): () => void {
    this.chunkListeners.add(listener);
    return () => void this.chunkListeners.delete(listener);
  }

  snapshot(): StageStats {
    return {
      stageId: this.stageId,
      kind: this.kind,
      recordsIn: this.recordsIn,
      alertsIn: this.alertsIn,
      out: Object.fromEntries(this.out),
      deadLettered: this.deadLettered,
      deadLetterByCode: Object.fromEntries(this.deadLetterByCode),
      dropped: this.dropped,
      commits: this.commits,
      aborts: this.aborts,
      filterErrors: this.filterErrors,
      latency: this.buckets.map((count, i) => ({
        le: i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : Infinity,
        count
      })),
      latencyMsSum: this.latencyMsSum,
      batches: this.batches,
      partitions: [...this.partitions],
      startedAt: new Date(this.started).toISOString(),
      uptimeMs: Date.now() - this.started,
      extra: Object.fromEntries(this.extra),
      phases: Object.fromEntries([...this.phases].map(([k, v]) => [k, { ...v }]))
    };
  }
}
