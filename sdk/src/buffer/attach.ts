/**
 * `attach(topic, options)`: a buffer topic as an AsyncIterable of Arrow alert batches. Each fetched
 * Kafka batch is decoded whole (one `decodeBatch` call) and gets its Kafka coordinates as columns.
 *
 * Offsets: nothing is committed unless the caller calls `batch.commit()` (at-least-once: after a
 * restart or rebalance, a group resumes after its last commit). With `group`, committed offsets
 * win over `from: 'earliest' | 'latest'` (those only say where a group without commits starts);
 * `{ offset }`, `{ timestamp }` and `{ reset: 'earliest' | 'latest' }` reposition every partition
 * once, when first assigned, whatever the group committed (an explicit rewind; a timestamp past the
 * last record goes to the end).
 * Without `group`, attach reads through an ephemeral group (`alertlab-attach-<uuid>`) that owns
 * every partition and never commits: `commit()` then resolves without doing anything.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData
} from 'apache-arrow';
import { createDecoder } from '../alerts/index.js';
import type { AlertDecoder, AlertFormat, DecodeResult } from '../alerts/types.js';
import { ConfigError } from '../errors.js';
import { coordinatesOf, withKafkaColumns } from './coordinates.js';
import { DecodeWorker, decodeWithFallback } from './decode-worker.js';
import { getDefaultLogger, type Logger } from './log.js';
import { HandoffQueue } from './queue.js';
import { rejectAll, toBufferRejects, type BufferReject } from './reject.js';
import type {
  ConsumedRecord,
  ConsumerClient,
  ConsumerOptions,
  FetchedBatch,
  KafkaTransport
} from './transport-types.js';

/** Where reading starts. */
export type AttachFrom =
  | 'earliest'
  | 'latest'
  | { offset: bigint | number }
  | { timestamp: number | Date }
  | { reset: 'earliest' | 'latest' };

export interface AttachOptions {
  /** Consumer group: share the partitions with other members and commit progress. @default none (ephemeral, never commits) */
  group?: string;
  /** @default 'earliest' */
  from?: AttachFrom;
  /** Alert format of the record values. @default 'auto' */
  format?: AlertFormat;
  /** A ready decoder (e.g. one configured with a schema source); overrides `format`. @default createDecoder(format) */
  decoder?: AlertDecoder;
  /** Stops the iteration (the consumer leaves its group and disconnects). @default undefined */
  signal?: AbortSignal;
  /** Split fetched batches into batches of at most this many records. @default 10000 */
  maxBatchRows?: number;
  /** Keep cutout stamps as Binary columns. @default false */
  includeCutouts?: boolean;
  /** Batches waiting for the reader (more overlaps fetching with your work). @default 2 (4 with a worker) */
  prefetchBatches?: number;
  /**
   * Decode in a worker thread (decode-worker.ts) while this thread fetches the next batch: same
   * batches, another core. Applies when the decoder can be rebuilt there (`workerSpec()`: the
   * built-in decoders can); a custom decoder always decodes here. It pays off when a core is
   * free: on a 2-core machine that also runs the broker, decoding here was faster (bench/attach.ts).
   * @default true with 4 or more cores (os.availableParallelism()), else false
   */
  decodeWorker?: boolean;
  /** Consumer tuning (fetch sizes, session timeout). @default {} */
  consumer?: Omit<ConsumerOptions, 'groupId'>;
  /** Told which partitions of `topic` this reader owns, after each group (re)join. @default undefined */
  onAssignment?: (partitions: number[]) => void;
  /** @default getDefaultLogger() */
  logger?: Logger;
}

/** One decoded batch from one partition. */
export interface AlertBatch {
  topic: string;
  partition: number;
  /** Decoded alerts plus kafkaTopic, kafkaPartition, kafkaOffset, kafkaTimestampMs columns. */
  batch: RecordBatch;
  /** Records that did not decode or failed validation, with their original bytes. */
  rejects: BufferReject[];
  /** Offsets covered by this batch (rows and rejects), inclusive. */
  firstOffset: bigint;
  lastOffset: bigint;
  /** Commits the group's position past this batch (monotonic; a no-op without a group). */
  commit(): Promise<void>;
  /**
   * Hands this batch's lightcurve buffers back for a later batch to write over (see
   * DecodeResult.release): call it only once nothing reads the batch, or anything made from it,
   * any more. Optional and harmless to skip. Absent when the batch was decoded in a worker.
   */
  release?(): void;
}

function emptyBatch(): RecordBatch {
  const fields = [
    new Field('kafkaTopic', new Utf8(), false),
    new Field('kafkaPartition', new Int32(), false),
    new Field('kafkaOffset', new Int64(), false),
    new Field('kafkaTimestampMs', new Float64(), false)
  ];
  const schema = new Schema(fields);
  const children = fields.map(f => makeData({ type: f.type, length: 0 }));
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length: 0, children }));
}

function checkOptions(options: AttachOptions): void {
  const rows = options.maxBatchRows;
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 1)) {
    throw new ConfigError(`attach: maxBatchRows must be a positive integer, got ${rows}.`);
  }
  const from = options.from;
  if (typeof from === 'object' && 'offset' in from && BigInt(from.offset) < 0n) {
    throw new ConfigError(`attach: from.offset must be >= 0, got ${from.offset}.`);
  }
}

async function startPositions(
  transport: KafkaTransport,
  topic: string,
  from: AttachFrom
): Promise<Map<number, bigint> | undefined> {
  const admin = await transport.admin();
  try {
    const [info] = await admin.describeTopics([topic]);
    if (typeof from !== 'object') {
      return undefined;
    }
    if ('offset' in from) {
      const offset = BigInt(from.offset);
      return new Map(info.partitions.map(p => [p.partition, offset]));
    }
    const ends = new Map((await admin.endOffsets(topic)).map(o => [o.partition, o]));
    if ('reset' in from) {
      const low = from.reset === 'earliest';
      return new Map([...ends].map(([p, o]) => [p, low ? o.low : o.high]));
    }
    const ms = from.timestamp instanceof Date ? from.timestamp.getTime() : from.timestamp;
    const offsets = await admin.offsetsForTimestamp(topic, ms);
    // no record at or after ms: the broker answers -1, which means the end of the partition
    return new Map(
      offsets.map(o => [
        o.partition,
        o.offset < 0n ? (ends.get(o.partition)?.high ?? 0n) : o.offset
      ])
    );
  } finally {
    await admin.close();
  }
}

interface BatchContext {
  topic: string;
  decoder: AlertDecoder;
  /** Decodes in a worker thread when set (falls back to `decoder` if the worker dies). */
  worker?: DecodeWorker;
  includeCutouts: boolean;
  logger: Logger;
  commit: (partition: number, nextOffset: bigint) => Promise<void>;
}

/** A chunk handed to the reader: its partition now, its batch once decoded. */
interface Pending {
  partition: number;
  batch: Promise<AlertBatch>;
}

/** The decoder's result for `values`, from the worker when there is one (and it is alive). */
async function decodeValues(
  ctx: BatchContext,
  values: Array<Uint8Array | null>
): Promise<DecodeResult> {
  const options = { includeCutouts: ctx.includeCutouts };
  const worker = ctx.worker;
  if (worker === undefined) {
    return ctx.decoder.decodeBatch(values, options);
  }
  return decodeWithFallback(worker, ctx.decoder, values, options, error => {
    if (worker.closed) {
      return false; // the iteration ended: nobody reads this batch
    }
    ctx.logger.warn('decode worker died; this batch decodes inline, the next starts a new one', {
      topic: ctx.topic,
      error: String(error)
    });
    return true;
  });
}

/** Decodes one chunk of records of one partition into an AlertBatch. */
export async function decodeChunk(
  ctx: BatchContext,
  partition: number,
  records: ConsumedRecord[]
): Promise<AlertBatch> {
  let batch: RecordBatch;
  let rejects: BufferReject[];
  let release: (() => void) | undefined;
  const values = records.map(r => r.value);
  // I/O failures here (a schema registry down) are not the records' fault: they fail the fetch,
  // and the Kafka client retries it, instead of sending good records to the dead letters.
  if (ctx.worker === undefined) {
    await ctx.decoder.prepare?.(values);
  }
  try {
    const decoded = await decodeValues(ctx, values);
    const coords = coordinatesOf(ctx.topic, partition, records, decoded.rowIndex);
    batch = withKafkaColumns(decoded.batch, coords);
    rejects = toBufferRejects(ctx.topic, partition, records, decoded.rejects);
    release = decoded.release;
  } catch (error) {
    if (ctx.worker?.closed) {
      throw error; // the iteration ended while this batch decoded: nobody reads it
    }
    ctx.logger.warn('decoder failed on a whole batch; all its records go to rejects', {
      topic: ctx.topic,
      partition,
      error: String(error)
    });
    batch = emptyBatch();
    rejects = rejectAll(
      ctx.topic,
      partition,
      records,
      'decode-error',
      `Decoder failed: ${String(error)}`
    );
  }
  const firstOffset = records[0].offset;
  const lastOffset = records[records.length - 1].offset;
  return {
    topic: ctx.topic,
    partition,
    batch,
    rejects,
    firstOffset,
    lastOffset,
    commit: () => ctx.commit(partition, lastOffset + 1n),
    ...(release && { release })
  };
}

/** attach() on an existing transport; the transport stays open when iteration ends. */
export async function* attachWith(
  transport: KafkaTransport,
  topic: string,
  options: AttachOptions = {}
): AsyncGenerator<AlertBatch, void, undefined> {
  checkOptions(options);
  const { signal, group } = options;
  if (signal?.aborted) {
    return;
  }
  const from = options.from ?? 'earliest';
  const logger = options.logger ?? getDefaultLogger();
  const targets = await startPositions(transport, topic, from);
  const decoder = options.decoder ?? createDecoder(options.format ?? 'auto');
  const useWorker = options.decodeWorker ?? availableParallelism() >= 4;
  const spec = useWorker ? decoder.workerSpec?.() : undefined;
  const worker = spec === undefined ? undefined : new DecodeWorker(spec);
  // batches in fetch order; with a worker, each may still be decoding while the next is fetched
  const queue = new HandoffQueue<Pending>(options.prefetchBatches ?? (worker ? 4 : 2));
  const maxRows = options.maxBatchRows ?? 10_000;
  const committed = new Map<number, bigint>();
  let consumer: ConsumerClient | undefined;
  const ctx: BatchContext = {
    topic,
    decoder,
    worker,
    includeCutouts: options.includeCutouts ?? false,
    logger,
    commit: async (partition, nextOffset) => {
      if (group === undefined || consumer === undefined) {
        return;
      }
      if ((committed.get(partition) ?? -1n) >= nextOffset) {
        return;
      }
      await consumer.commit([{ topic, partition, offset: nextOffset }]);
      if ((committed.get(partition) ?? -1n) < nextOffset) {
        committed.set(partition, nextOffset);
      }
    }
  };
  // Once the queue is closed (abort, reader gone) the consumer is closed too: a handler that
  // returns without resolving its offset would otherwise have the client fetch the same batch
  // again and again while the generator waits, suspended, for a reader that never comes back.
  let closing: Promise<void> | undefined;
  const closeConsumer = (): Promise<void> => {
    const c = consumer;
    if (c !== undefined) {
      closing ??= c.close();
    }
    return closing ?? Promise.resolve();
  };
  const handler = async (fb: FetchedBatch): Promise<void> => {
    if (fb.topic !== topic) {
      return;
    }
    const all = fb.records;
    for (let start = 0; start < all.length; start += maxRows) {
      if (queue.isClosed) {
        void closeConsumer().catch(() => undefined);
        return;
      }
      if (!fb.isRunning() || fb.isStale()) {
        return;
      }
      const chunk = all.length <= maxRows ? all : all.slice(start, start + maxRows);
      const decoding = decodeChunk(ctx, fb.partition, chunk);
      if (worker === undefined) {
        await decoding; // a failing prepare() fails the fetch, which the Kafka client retries
      }
      decoding.catch(() => undefined); // awaited by the reader; a dropped one fails nobody
      const item = { partition: fb.partition, batch: decoding };
      if (!(await queue.push(item, { onWait: () => fb.heartbeat() }))) {
        void closeConsumer().catch(() => undefined);
        return;
      }
      fb.resolveOffset(chunk[chunk.length - 1].offset);
    }
  };
  const onAbort = (): void => {
    queue.close();
    void closeConsumer().catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    consumer = await transport.consumer({
      ...options.consumer,
      groupId: group ?? `alertlab-attach-${randomUUID()}`
    });
    if (queue.isClosed) {
      return;
    }
    const positioned = new Set<number>();
    const c = consumer;
    c.onAssignment(assignment => {
      const mine = assignment[topic] ?? [];
      for (const p of mine) {
        const target = targets?.get(p);
        if (target !== undefined && !positioned.has(p)) {
          c.seek(topic, p, target);
          positioned.add(p);
        }
      }
      queue.drop(item => !mine.includes(item.partition));
      options.onAssignment?.([...mine].sort((a, b) => a - b));
    });
    // the transport (or a BufferClient) closed under us: end the iteration instead of hanging
    c.onDisconnect(() => queue.close());
    c.onCrash((error, restarting) => {
      if (!restarting) {
        queue.fail(error);
      } else {
        logger.warn('Kafka consumer crashed and is rejoining', { topic, error: error.message });
      }
    });
    await c.subscribe([topic], { fromBeginning: from !== 'latest' });
    await c.run(handler);
    for (;;) {
      const next = await queue.next(signal);
      if (next.done) {
        return;
      }
      yield await next.value.batch;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    queue.close();
    await closeConsumer();
    await worker?.close();
  }
}
