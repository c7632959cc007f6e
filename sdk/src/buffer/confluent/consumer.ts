/**
 * The consumer of the confluent transport: the package's promise API (its KafkaJS-shaped layer on
 * librdkafka), which fetches in librdkafka's threads, hands batches per partition to a handler,
 * and manages heartbeats itself. Offsets are never auto-committed. `fromBeginning` is a setting of
 * the client there, not of `subscribe`, so the client is made (and connected) by `subscribe`.
 * Assignment listeners are called from the rebalance callback with the member's whole assignment
 * (classic protocol: eager round robin, every rebalance hands out all of it, as kafkajs does;
 * KIP-848 `consumer` protocol: incremental, listeners also hear revocations).
 */
import { KafkaTransportError } from '../../errors.js';
import type { Logger } from '../log.js';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';
import { commonConfig, type ConfluentModule, type KjsConsumer, type KjsMessage } from './client.js';
import { accountExternalMemoryInHeapLimit } from '../../alerts/external-memory.js';

/** librdkafka's "assign partitions" rebalance event. */
const ERR_ASSIGN_PARTITIONS = -175;
/**
 * Batch size: -1 hands a handler every record fetched for the partition (the stage and attach
 * chunk it themselves). A bounded size makes the client start with one-record batches and grow
 * them with the measured consumption rate.
 */
const MAX_BATCH_RECORDS = -1;
/**
 * librdkafka stops fetching while the consumer's local queue holds more than
 * `queued.max.messages.kbytes` (64 MB; for this high-level consumer one queue for all its
 * partitions) or `queued.min.messages`, and then waits `fetch.queue.backoff.ms` (1,000 ms by
 * default) before it fetches again. Real-size alerts (~240 KB) fill 64 MB with ~270 records, which
 * a decoding reader drains in a fraction of a second and then sat idle until the second ran out:
 * attach read realistic alerts at 928/s with the default and 3,344/s with 10 ms (raw consume
 * 3,200-4,000/s), a stage's transactional pipe likewise doubled. librdkafka warns that low values
 * may cost CPU: a stage's CPU per alert fell (fewer idle wake-ups of a starved pipeline); an idle
 * consumer's queue is never over the thresholds, so it never backs off at all.
 */
const FETCH_QUEUE_BACKOFF_MS = 10;

function toConsumed(m: KjsMessage): T.ConsumedRecord {
  return {
    offset: BigInt(m.offset),
    timestampMs: Number(m.timestamp),
    key: m.key,
    value: m.value,
    headers: (m.headers ?? {}) as T.ConsumedRecord['headers']
  };
}

/**
 * librdkafka's fatal error, as the package's consumer logs it (it only logs client errors): the
 * consumer is unusable from then on (its error event says "Fatal error: <reason>").
 */
const FATAL = /\bFatal error\b/;

/**
 * The client's own log lines: errors become our info (callers get thrown errors), the rest debug.
 * A fatal error also goes to `onFatal`.
 */
function kjsLogger(logger: Logger, onFatal: (message: string) => void) {
  const at = (level: 'info' | 'debug') => (message: string, extra?: Record<string, unknown>) =>
    logger[level](`confluent consumer: ${message}`, extra ?? {});
  const self = {
    info: at('debug'),
    debug: at('debug'),
    warn: at('debug'),
    error: (message: string, extra?: Record<string, unknown>) => {
      at('info')(message, extra);
      if (FATAL.test(message)) {
        onFatal(message);
      }
    },
    namespace: () => self,
    setLogLevel: () => undefined
  };
  return self;
}

export function createConsumer(
  mod: ConfluentModule,
  options: T.TransportOptions,
  opts: T.ConsumerOptions,
  logger: Logger,
  ctx: Record<string, unknown>
): T.ConsumerClient {
  const groupId = opts.groupId;
  // every fetched value is a Buffer of its own: see alerts/external-memory.ts
  accountExternalMemoryInHeapLimit();
  const assignmentListeners = new Set<(a: Record<string, number[]>) => void>();
  const disconnectListeners = new Set<() => void>();
  const crashListeners = new Set<(error: Error, restarting: boolean) => void>();
  const crash = (error: Error, restarting: boolean) => {
    for (const listener of crashListeners) {
      listener(error, restarting);
    }
  };
  let fatal = false;
  const onFatal = (message: string) => {
    if (!fatal && !closed) {
      fatal = true;
      crash(
        new KafkaTransportError(`The consumer failed for good: ${message}`, {
          context: { ...ctx, groupId }
        }),
        false
      );
    }
  };
  let consumer: KjsConsumer | undefined;
  let closed = false;
  const call = async <R>(
    operation: string,
    extra: Record<string, unknown>,
    fn: () => Promise<R>
  ) => {
    try {
      return await fn();
    } catch (e) {
      throw wrapError(e, operation, { ...ctx, groupId, ...extra });
    }
  };
  const made = (): KjsConsumer => {
    if (consumer === undefined) {
      throw new KafkaTransportError('Subscribe the consumer before using it.', {
        context: { ...ctx, groupId }
      });
    }
    return consumer;
  };
  // The member's partitions: an eager rebalance revokes all, then assigns all; KIP-848 (and
  // cooperative) rebalances add and take away some. Listeners get the whole set after each
  // assignment, and after each revocation too when revocations come alone (incremental).
  const incremental = opts.groupProtocol === 'consumer';
  /**
   * Seeks asked for while assignment listeners run. librdkafka drops a seek on a partition it has
   * only just been assigned (it is not fetching yet: "erroneous state", logged, not thrown), so
   * the partition would start at its committed offset instead; these offsets go into the
   * assignment itself. Shown by the contract test "seek from an assignment listener".
   */
  let rebalanceSeeks: Map<string, bigint> | undefined;
  const owned = new Map<string, Set<number>>();
  const onRebalance = (
    err: { code: number },
    assignment: Array<{ topic: string; partition: number }>
  ) => {
    const assign = err.code === ERR_ASSIGN_PARTITIONS;
    for (const tp of assignment) {
      const set = owned.get(tp.topic) ?? new Set<number>();
      owned.set(tp.topic, set);
      if (assign) {
        set.add(tp.partition);
      } else {
        set.delete(tp.partition);
      }
    }
    if (!assign && !incremental) {
      return undefined;
    }
    const byTopic: Record<string, number[]> = {};
    for (const [topic, set] of owned) {
      byTopic[topic] = [...set].sort((a, b) => a - b);
    }
    const seeks = new Map<string, bigint>();
    rebalanceSeeks = seeks;
    try {
      for (const listener of assignmentListeners) {
        listener(byTopic);
      }
    } finally {
      rebalanceSeeks = undefined;
    }
    // seeks asked for by a listener start the partitions there (see `seek`)
    return seeks.size === 0
      ? undefined
      : assignment.map(tp => {
          const offset = seeks.get(`${tp.topic}\u0000${tp.partition}`);
          return offset === undefined ? tp : { ...tp, offset: Number(offset) };
        });
  };
  const on = <L>(set: Set<L>, listener: L) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  return {
    groupId,
    subscribe: (topics, subscribeOptions = {}) =>
      call('subscribe', { topic: topics.join(',') }, async () => {
        if (consumer !== undefined) {
          await consumer.subscribe({ topics });
          return;
        }
        const kafka = new mod.KafkaJS.Kafka({});
        const c = kafka.consumer({
          ...commonConfig(options),
          'group.id': groupId,
          'enable.auto.commit': false,
          'auto.offset.reset': subscribeOptions.fromBeginning ? 'earliest' : 'latest',
          'isolation.level': (opts.readCommitted ?? true) ? 'read_committed' : 'read_uncommitted',
          ...(incremental
            ? { 'group.protocol': 'consumer' }
            : {
                'session.timeout.ms': opts.sessionTimeoutMs ?? 30_000,
                'heartbeat.interval.ms': opts.heartbeatIntervalMs ?? 3_000,
                'partition.assignment.strategy': 'roundrobin'
              }),
          'max.poll.interval.ms': opts.rebalanceTimeoutMs ?? 60_000,
          'max.partition.fetch.bytes': opts.maxBytesPerPartition ?? 10 * 1024 * 1024,
          'fetch.max.bytes': opts.maxBytes ?? 50 * 1024 * 1024,
          'fetch.wait.max.ms': opts.maxWaitTimeMs ?? 500,
          'fetch.queue.backoff.ms': FETCH_QUEUE_BACKOFF_MS,
          'allow.auto.create.topics': false,
          'js.consumer.max.batch.size': MAX_BATCH_RECORDS,
          rebalance_cb: onRebalance,
          kafkaJS: { logger: kjsLogger(logger, onFatal) }
        });
        await c.connect();
        consumer = c;
        await c.subscribe({ topics });
      }),
    run: (handler, runOptions = {}) =>
      call('run consumer', {}, () =>
        made()
          .run({
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: runOptions.partitionsConcurrently ?? 1,
            // A handler's error: the package logs it and fetches the batch's unresolved records
            // again (it always restarts), which listeners hear as a crash that is restarting.
            eachBatch: async p => {
              try {
                await handler({
                  topic: p.batch.topic,
                  partition: p.batch.partition,
                  highWatermark: BigInt(p.batch.highWatermark),
                  records: p.batch.messages.map(toConsumed),
                  resolveOffset: offset => p.resolveOffset(offset.toString()),
                  heartbeat: p.heartbeat,
                  isRunning: p.isRunning,
                  isStale: p.isStale
                });
              } catch (error) {
                crash(error instanceof Error ? error : new Error(String(error)), true);
                throw error;
              }
            }
          })
          .catch((error: unknown) => {
            crash(error instanceof Error ? error : new Error(String(error)), false);
            throw error;
          })
      ),
    seek: (topic, partition, offset) => {
      if (rebalanceSeeks === undefined) {
        made().seek({ topic, partition, offset: offset.toString() });
      } else {
        rebalanceSeeks.set(`${topic}\u0000${partition}`, offset);
      }
    },
    pause: (topic, partitions) => made().pause([{ topic, partitions }]),
    resume: (topic, partitions) => made().resume([{ topic, partitions }]),
    commit: offsets =>
      call('commit offsets', { topic: offsets[0]?.topic }, async () => {
        if (offsets.some(o => (o.metadata ?? null) !== null)) {
          throw new KafkaTransportError(
            'The confluent consumer commits offsets without metadata; commit metadata in a transaction (sendOffsets).',
            { context: { ...ctx, groupId } }
          );
        }
        await made().commitOffsets(
          offsets.map(o => ({
            topic: o.topic,
            partition: o.partition,
            offset: o.offset.toString()
          }))
        );
      }),
    onAssignment: listener => on(assignmentListeners, listener),
    onDisconnect: listener => on(disconnectListeners, listener),
    onCrash: listener => on(crashListeners, listener),
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await consumer?.disconnect().catch(() => undefined);
      for (const listener of disconnectListeners) {
        listener();
      }
    }
  };
}
