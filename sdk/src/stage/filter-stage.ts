/**
 * The filter stage's per-chunk work: enrich (decode, cross-match, features) → filter → output
 * records → one Kafka transaction holding the outputs, the dead letters and the input offsets.
 * A filter that throws, runs past its time limit or loses its worker sends the chunk's alerts to
 * the dead-letter topic (original bytes, reason, source coordinates) and the stage goes on.
 */
import { deadLetterRecords, sendRecords } from '../buffer/produce.js';
import type { ConsumedRecord, ProduceRecord, ProducerClient } from '../buffer/transport-types.js';
import { getDefaultLogger, type Logger } from '../buffer/log.js';
import { FilterColumnError } from '../errors.js';
import { droppedCount } from '../filter/routing.js';
import type { Filter } from '../filter/types.js';
import type { PartitionObjects, StageObjectState } from '../state/stage-objects.js';
import type { StageManifest } from './manifest-types.js';
import type { PartitionHandler, PartitionStart } from './partitions.js';
import { outputRecords, type PayloadContext } from './payload.js';
import type { DecodedChunk, StagePipeline } from './pipeline.js';
import {
  filterFailureCode,
  filterRejects,
  tracebackOf,
  TRACEBACK_HEADER
} from './filter-failures.js';
import type { BufferReject } from '../buffer/reject.js';
import type { StageCounters } from './stats.js';
import { startChunkTiming, type ChunkTiming } from './chunk-timing.js';

/**
 * Largest produce request a stage sends inside a transaction: below the broker's default
 * message.max.bytes (1 MiB), so a request is never refused as too large — splitting and resending
 * inside a transaction would break the idempotent producer's sequence numbers.
 */
export const MAX_REQUEST_BYTES = 900_000;

/**
 * Input partitions a filter stage worker processes at once: one partition's transaction round
 * trips overlap the other's CPU work (which takes turns, see FilterStageHandler.exclusive).
 */
export const PARTITIONS_IN_FLIGHT = 2;

/**
 * Worker threads a filter stage worker decodes in (buffer/decode-worker.ts): its main thread keeps the
 * Kafka client's work (fetch parsing, produce encoding, transactions), the decode runs beside it.
 */
export const DECODE_WORKERS = 1;

export { TRACEBACK_HEADER, filterFailureCode } from './filter-failures.js';

interface FilterPartition {
  partition: number;
  producer: ProducerClient;
  /** The partition's object state (stages with `objects`). */
  objects?: PartitionObjects;
}

/** A chunk's routed output: records to send in its transaction, and what to count once committed. */
interface RoutedChunk {
  out: ProduceRecord[];
  alerts: number;
  rejects: BufferReject[];
  alertsPerOutput: number[];
  dropped: number;
  failed: { code: string; count: number } | undefined;
}

/** A filter asked for a column the projected decode left out (see StagePipeline.widen). */
class ProjectionTooNarrow extends Error {}

export class FilterStageHandler implements PartitionHandler<FilterPartition> {
  private readonly payload: PayloadContext;
  private computing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly manifest: StageManifest,
    private readonly pipeline: StagePipeline,
    private readonly filter: Filter,
    private readonly counters: StageCounters,
    private readonly logger: Logger = getDefaultLogger(),
    private readonly objects?: StageObjectState
  ) {
    this.payload = {
      stageId: manifest.id,
      payload: manifest.payload,
      thinColumns: manifest.thinColumns,
      topics: manifest.outputs
    };
  }

  async open(start: PartitionStart): Promise<FilterPartition> {
    return {
      partition: start.partition,
      producer: start.producer as ProducerClient,
      objects: await this.objects?.open(start.partition, start.committedOffset)
    };
  }

  /**
   * Runs `fn` once every earlier call's `fn` has settled: partitions processed concurrently share
   * the pipeline (one DuckDB connection) and the filter, so their CPU parts take turns while their
   * Kafka transactions overlap.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.computing.then(fn, fn);
    this.computing = turn.catch(() => undefined);
    return turn;
  }

  /** Enrich → filter → output records (or dead letters) for one decoded chunk. */
  private async route(
    state: FilterPartition,
    records: ConsumedRecord[],
    decoded: DecodedChunk,
    timing: ChunkTiming = startChunkTiming(state.partition, records)
  ): Promise<RoutedChunk> {
    timing.turnAtMs = performance.now();
    try {
      return await this.routeOnce(
        state,
        records,
        decoded,
        decoded.ok && decoded.projected === true,
        timing
      );
    } catch (error) {
      if (!(error instanceof ProjectionTooNarrow)) {
        throw error;
      }
      // the filter read a survey column outside what it said it reads: decode everything from
      // now on, and this chunk again
      this.logger.warn('filter needs more columns than it declared; decoding every column now', {
        stage: this.manifest.id,
        error: String(error.cause)
      });
      this.pipeline.widen(); // chunks decoded narrow before this still widen here, one by one
      return this.routeOnce(state, records, await this.pipeline.decode(records), false, timing);
    }
  }

  private async routeOnce(
    state: FilterPartition,
    records: ConsumedRecord[],
    decoded: DecodedChunk,
    projected: boolean,
    timing: ChunkTiming
  ): Promise<RoutedChunk> {
    const m = this.manifest;
    const topic = m.input.topic;
    const partition = state.partition;
    const prepared = await this.pipeline.enrich(topic, partition, records, decoded);
    // object state: applied before the filter (it sees obj_* columns), changelogged last
    const objects =
      this.objects && state.objects
        ? this.objects.attach(state.objects, prepared.batch, records, prepared.rowIndex)
        : undefined;
    if (objects) {
      prepared.batch = objects.batch;
    }
    timing.enrichedAtMs = performance.now();
    const chunk: RoutedChunk = {
      out: [],
      alerts: prepared.batch.numRows,
      rejects: prepared.rejects,
      alertsPerOutput: [],
      dropped: 0,
      failed: undefined
    };
    if (prepared.batch.numRows > 0) {
      try {
        const routing = await this.filter.evaluate(prepared.batch, {
          timeoutMs: m.filter?.timeoutMs
        });
        const built = outputRecords(
          this.payload,
          prepared.batch,
          routing,
          records,
          prepared.rowIndex,
          prepared.matches,
          { topic, partition }
        );
        chunk.out = built.records;
        chunk.alertsPerOutput = built.alertsPerOutput;
        chunk.dropped = droppedCount(routing);
      } catch (error) {
        if (projected && error instanceof FilterColumnError) {
          throw new ProjectionTooNarrow('a filter read an undecoded column', { cause: error });
        }
        const rejects = filterRejects(topic, partition, records, prepared.rowIndex, error);
        const letters = deadLetterRecords(m.deadLetterTopic, rejects);
        const tb = tracebackOf(error);
        for (const l of letters) {
          (l.headers as Record<string, string>)[TRACEBACK_HEADER] = tb;
        }
        chunk.out = letters;
        chunk.failed = { code: filterFailureCode(error), count: letters.length };
      }
    }
    chunk.out.push(...deadLetterRecords(m.deadLetterTopic, prepared.rejects));
    if (objects) {
      chunk.out.push(...objects.changelog); // its watermark record must come last
    }
    timing.routedAtMs = performance.now();
    return chunk;
  }

  async process(state: FilterPartition, records: ConsumedRecord[]): Promise<void> {
    await (
      await this.prepare(state, records)
    )();
  }

  /**
   * Decode → route now; the returned commit sends the chunk's transaction and counts it.
   * `handedAtMs`: when the Kafka client handed the chunk's batch over (performance.now()).
   */
  async prepare(
    state: FilterPartition,
    records: ConsumedRecord[],
    handedAtMs?: number
  ): Promise<() => Promise<void>> {
    const timing = startChunkTiming(state.partition, records, handedAtMs);
    const decoded = await this.pipeline.decode(records); // shares nothing: not in turns
    timing.decodedAtMs = performance.now();
    const chunk = await this.exclusive(() => this.route(state, records, decoded, timing));
    return () => this.commit(state, records, chunk, timing);
  }

  private async commit(
    state: FilterPartition,
    records: ConsumedRecord[],
    chunk: RoutedChunk,
    timing: ChunkTiming
  ): Promise<void> {
    const m = this.manifest;
    timing.commitStartAtMs = performance.now();
    const tx = await state.producer.transaction();
    try {
      // the outputs, then the input offsets, then the commit. Overlapping the first two (sending
      // the offsets while the outputs are in flight) was tried on librdkafka: the kill -9 test
      // (test/stage-exactly-once.test.ts, 40,000 alerts) took 109-124 s against 39-40 s in turn.
      if (chunk.out.length > 0) {
        await sendRecords(tx, chunk.out, MAX_REQUEST_BYTES);
      }
      timing.producedAtMs = performance.now();
      const next = records[records.length - 1].offset + 1n;
      await tx.sendOffsets(m.id, [
        { topic: m.input.topic, partition: state.partition, offset: next }
      ]);
      timing.offsetsAtMs = performance.now();
      await tx.commit();
      timing.committedAtMs = performance.now();
    } catch (error) {
      this.counters.aborts++;
      await tx.abort().catch(() => undefined);
      throw error;
    }
    const c = this.counters;
    c.commits++;
    c.recordsIn += records.length;
    c.alertsIn += chunk.alerts;
    c.dropped += chunk.dropped;
    chunk.alertsPerOutput.forEach((n, k) => c.addOut(this.filter.outputs[k], n));
    for (const r of chunk.rejects) {
      c.addDeadLetters(String(r.code), 1);
    }
    if (chunk.failed) {
      c.filterErrors++;
      c.addDeadLetters(chunk.failed.code, chunk.failed.count);
    }
    c.observeLatency(timing.committedAtMs - timing.startedAtMs);
    c.observeChunk(timing);
  }

  async close(): Promise<void> {}
}
