/**
 * Where a filter stage's chunk spends its time, from the moment the Kafka client handed its batch
 * over to the moment its transaction was acknowledged. Marks are `performance.now()` readings;
 * {@link chunkPhases} turns them into the phase durations that StageCounters sums (stats.ts) and
 * latency work reads (bench/latency.ts adds the two phases outside the stage: produce → handed
 * over, and acknowledged → visible to a read_committed consumer downstream).
 */
import type { ConsumedRecord } from '../buffer/transport-types.js';

/** The phases of one chunk, in order; their durations add up to handed-over → committed. */
export const CHUNK_PHASES = [
  /** Waiting behind the earlier chunks of the same fetched batch. */
  'queued',
  /** Decoding the chunk (in the decode worker thread). */
  'decode',
  /** Waiting for the turn on the shared pipeline (another partition's chunk computing). */
  'turn',
  /** Kafka columns, cross-match, watch columns, lightcurve features. */
  'enrich',
  /** The filter and the output records. */
  'filter',
  /** Waiting for the partition's previous transaction to commit (CommitChain). */
  'chain',
  /** Beginning the transaction and producing the outputs and dead letters (acknowledged). */
  'produce',
  /** Adding the input offsets to the transaction (beside the produce: the wait past it). */
  'offsets',
  /** Committing the transaction (EndTxn acknowledged). */
  'commit'
] as const;

export type ChunkPhase = (typeof CHUNK_PHASES)[number];

/** Marks of one chunk (ms, `performance.now()`); a mark not reached stays NaN. */
export interface ChunkTiming {
  partition: number;
  /** The chunk's input records (not a copy: read, never change). */
  records: readonly ConsumedRecord[];
  /** The Kafka client handed the batch holding this chunk to the stage. */
  handedAtMs: number;
  startedAtMs: number;
  decodedAtMs: number;
  turnAtMs: number;
  enrichedAtMs: number;
  routedAtMs: number;
  commitStartAtMs: number;
  producedAtMs: number;
  offsetsAtMs: number;
  committedAtMs: number;
}

/** A chunk's timing started now (the other marks NaN until reached). */
export function startChunkTiming(
  partition: number,
  records: readonly ConsumedRecord[],
  handedAtMs?: number
): ChunkTiming {
  const now = performance.now();
  return {
    partition,
    records,
    handedAtMs: handedAtMs ?? now,
    startedAtMs: now,
    decodedAtMs: NaN,
    turnAtMs: NaN,
    enrichedAtMs: NaN,
    routedAtMs: NaN,
    commitStartAtMs: NaN,
    producedAtMs: NaN,
    offsetsAtMs: NaN,
    committedAtMs: NaN
  };
}

/** Durations (ms) of the phases of a committed chunk, in {@link CHUNK_PHASES} order. */
export function chunkPhases(t: ChunkTiming): Record<ChunkPhase, number> {
  const marks = [
    t.handedAtMs,
    t.startedAtMs,
    t.decodedAtMs,
    t.turnAtMs,
    t.enrichedAtMs,
    t.routedAtMs,
    t.commitStartAtMs,
    t.producedAtMs,
    t.offsetsAtMs,
    t.committedAtMs
  ];
  const out = {} as Record<ChunkPhase, number>;
  CHUNK_PHASES.forEach((phase, i) => {
    out[phase] = Math.max(0, marks[i + 1] - marks[i]);
  });
  return out;
}
