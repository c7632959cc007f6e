/**
 * Where an alert's latency goes, for bench/latency.ts: the stage's own chunk phases
 * (sdk/src/stage/chunk-timing.ts) plus the two outside it — `fetch` (sent → the stage's Kafka
 * client handed it over: the producer's linger, the broker, the stage's fetch) and `visible`
 * (the stage's commit acknowledged → a read_committed consumer downstream received it: the
 * transaction markers and that consumer's own fetch). Also the floor of one transaction measured
 * alone, on the same broker.
 */
import type { KafkaTransport } from '../../sdk/src/buffer/transport-types.js';
import { CHUNK_PHASES, chunkPhases, type ChunkTiming } from '../../sdk/src/stage/chunk-timing.js';

export const ALERT_PHASES = ['fetch', ...CHUNK_PHASES, 'visible'] as const;

export interface PhaseSummary {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export function percentiles(values: number[]): PhaseSummary {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) {
    return { p50Ms: NaN, p99Ms: NaN, meanMs: NaN };
  }
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return {
    p50Ms: r1(q(0.5)),
    p99Ms: r1(q(0.99)),
    meanMs: r1(s.reduce((a, b) => a + b) / s.length)
  };
}

/** Each alert's chunk timing, by the alert's numeric key (the bench keys alerts 0, 1, ...). */
export class PhaseLog {
  private readonly byKey = new Map<number, ChunkTiming>();
  readonly chunkSizes: number[] = [];

  readonly listener = (t: ChunkTiming): void => {
    this.chunkSizes.push(t.records.length);
    for (const r of t.records) {
      if (r.key) {
        this.byKey.set(Number(Buffer.from(r.key).toString()), t);
      }
    }
  };

  clear(): void {
    this.byKey.clear();
    this.chunkSizes.length = 0;
  }

  /**
   * Per phase, p50/p99/mean over the alerts `keys` (sent at `sentAt(k)`, seen downstream at
   * `seenAt(k)`, same clock as performance.now()), and the chunk sizes the stage chose.
   */
  breakdown(
    keys: number[],
    sentAt: (k: number) => number,
    seenAt: (k: number) => number
  ): { phases: Record<string, PhaseSummary>; chunks: PhaseSummary & { count: number } } {
    const per: Record<string, number[]> = Object.fromEntries(ALERT_PHASES.map(p => [p, []]));
    for (const k of keys) {
      const t = this.byKey.get(k);
      if (t === undefined) {
        continue;
      }
      per.fetch.push(t.handedAtMs - sentAt(k));
      const d = chunkPhases(t);
      for (const p of CHUNK_PHASES) {
        per[p].push(d[p]);
      }
      per.visible.push(seenAt(k) - t.committedAtMs);
    }
    const phases = Object.fromEntries(ALERT_PHASES.map(p => [p, percentiles(per[p])]));
    return {
      phases,
      chunks: { count: this.chunkSizes.length, ...percentiles(this.chunkSizes) }
    };
  }
}

/** One line per phase: `fetch 3.1/9.0` (p50/p99 ms). */
export function phaseLine(phases: Record<string, PhaseSummary>): string {
  return Object.entries(phases)
    .map(([p, s]) => `${p} ${s.p50Ms}/${s.p99Ms}`)
    .join(', ');
}

/**
 * The floor of the stage's commit: `rounds` transactions of one small record plus an input offset
 * (begin → produce acknowledged → offsets → commit), on a transactional producer of their own.
 */
export async function transactionFloor(
  transport: KafkaTransport,
  topic: string,
  rounds: number
): Promise<Record<string, PhaseSummary>> {
  const producer = await transport.producer({ transactionalId: `${topic}-floor` });
  const steps: Record<string, number[]> = { produce: [], offsets: [], commit: [], total: [] };
  try {
    for (let i = 0; i < rounds + 3; i++) {
      const t0 = performance.now();
      const tx = await producer.transaction();
      await tx.send([{ topic, value: new Uint8Array(400), key: `floor-${i}` }]);
      const t1 = performance.now();
      await tx.sendOffsets(`${topic}-floor`, [{ topic, partition: 0, offset: BigInt(i + 1) }]);
      const t2 = performance.now();
      await tx.commit();
      const t3 = performance.now();
      if (i >= 3) {
        steps.produce.push(t1 - t0);
        steps.offsets.push(t2 - t1);
        steps.commit.push(t3 - t2);
        steps.total.push(t3 - t0);
      }
    }
  } finally {
    await producer.close();
  }
  return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, percentiles(v)]));
}
