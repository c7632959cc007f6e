/**
 * Producers of the confluent transport, on librdkafka's own producer (the package's callback API):
 * every record of a send is handed to librdkafka at once, which batches per partition, retries
 * with the idempotent sequence numbers, and reports each delivery. A send resolves when every
 * record is acknowledged (acks=all) and rejects with the first failure. Transactions map one to
 * one onto librdkafka's; `sendOffsets` carries the commit metadata (the stage's watermark).
 */
import { KafkaTransportError } from '../../errors.js';
import type { Logger } from '../log.js';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';
import {
  asClientError,
  callback,
  commonConfig,
  forwardLog,
  toBuffer,
  type Callback,
  type ConfluentModule,
  type DeliveryReport,
  type RdError,
  type RdHeaders,
  type RdKafkaConsumer,
  type RdProducer
} from './client.js';
import type { GroupHandlePool, GroupLease } from './group-handles.js';

/** librdkafka's "local queue full": wait for deliveries, then hand the record over again. */
const ERR_QUEUE_FULL = -184;
/**
 * The broker aborts a transaction left open this long. A stage's transaction only carries one
 * chunk's outputs and offsets (≤ 8 MiB by default), so 10 s (Kafka Streams' exactly-once default)
 * is ample. It is also how long a killed worker's open transaction holds its partitions: until it
 * is aborted, the group's offset fetch (read_committed) reports them unstable and the worker that
 * takes over waits. At librdkafka's 60 s default that wait was the most of a kill -9 recovery.
 */
const TXN_TIMEOUT_MS = 10_000;
/** librdkafka's batch.size: see createProducer. */
const BATCH_BYTES = 1_000_000;
/** How long init transactions may take (it waits for an older holder's transaction to end). */
const INIT_TIMEOUT_MS = 60_000;

/** The records of one send still waiting for their delivery reports. */
interface Pending {
  left: number;
  error: RdError | undefined;
  firsts: Map<string, T.ProduceResult>;
  done(): void;
}

function toHeaders(headers: T.ProduceRecord['headers']): RdHeaders | undefined {
  if (headers === undefined) {
    return undefined;
  }
  const out: RdHeaders = [];
  for (const k in headers) {
    const v = headers[k];
    for (const one of Array.isArray(v) ? v : [v as T.HeaderValue]) {
      out.push({ [k]: typeof one === 'string' ? one : toBuffer(one) });
    }
  }
  return out;
}

function onDelivery(error: RdError | null, report: DeliveryReport): void {
  const pending = report.opaque as Pending;
  if (error) {
    pending.error ??= error;
  } else {
    const key = `${report.topic}\u0000${report.partition}`;
    const offset = BigInt(report.offset);
    const first = pending.firsts.get(key);
    if (first === undefined || offset < first.baseOffset) {
      pending.firsts.set(key, {
        topic: report.topic,
        partition: report.partition,
        baseOffset: offset
      });
    }
  }
  if (--pending.left === 0) {
    pending.done();
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function produceAll(
  producer: RdProducer,
  records: T.ProduceRecord[]
): Promise<T.ProduceResult[]> {
  if (records.length === 0) {
    return [];
  }
  let done: () => void = () => undefined;
  const finished = new Promise<void>(resolve => (done = resolve));
  const pending: Pending = { left: records.length, error: undefined, firsts: new Map(), done };
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const value = r.value === null ? null : toBuffer(r.value);
    const key =
      r.key === undefined || r.key === null || typeof r.key === 'string' ? r.key : toBuffer(r.key);
    for (;;) {
      try {
        producer.produce(
          r.topic,
          r.partition ?? -1,
          value,
          key,
          r.timestampMs ?? null,
          pending,
          toHeaders(r.headers)
        );
        break;
      } catch (e) {
        if ((e as RdError).code !== ERR_QUEUE_FULL) {
          pending.left -= records.length - i; // never handed over: no report will come
          pending.error ??= e as RdError;
          if (pending.left === 0) {
            done();
          }
          await finished;
          throw pending.error;
        }
        await sleep(2);
      }
    }
  }
  await finished;
  if (pending.error) {
    throw pending.error;
  }
  return [...pending.firsts.values()];
}

export interface ProducerContext {
  mod: ConfluentModule;
  options: T.TransportOptions;
  logger: Logger;
  ctx: Record<string, unknown>;
  /**
   * Consumer handles by group whose group metadata (generation -1) a transaction commits with; a
   * transactional producer holds its groups' leases until it closes.
   */
  groupHandles: GroupHandlePool<RdKafkaConsumer>;
}

export async function createProducer(
  c: ProducerContext,
  opts: T.ProducerOptions
): Promise<T.ProducerClient> {
  const transactional = opts.transactionalId !== undefined;
  const producer = new c.mod.Producer({
    ...commonConfig(c.options),
    'enable.idempotence': transactional || (opts.idempotent ?? true),
    ...(transactional
      ? {
          'transactional.id': opts.transactionalId,
          'transaction.timeout.ms': TXN_TIMEOUT_MS,
          // librdkafka refuses a socket timeout more than 100 ms above the transaction's
          'socket.timeout.ms': Math.min(
            Number(commonConfig(c.options)['socket.timeout.ms']),
            TXN_TIMEOUT_MS
          )
        }
      : {}),
    acks: -1,
    partitioner: 'murmur2_random', // the Java client's (and kafkajs's) key hash
    'compression.codec': opts.compression ?? 'none',
    'linger.ms': 2,
    // Record batches stay under a broker's default message.max.bytes (1 MiB) whatever the send
    // hands over (a record larger than this still goes, in a batch of its own: librdkafka applies
    // batch.size after a batch's first record), so sends may be larger than a batch and
    // librdkafka keeps several of their batches in flight (batchesRecords; see sendRecords).
    'batch.size': BATCH_BYTES,
    'message.max.bytes': 64 * 1024 * 1024,
    dr_cb: true,
    event_cb: true,
    log_level: c.logger.enabled('debug') ? 6 : 3
  });
  producer.on('delivery-report', onDelivery);
  producer.on('event.log', forwardLog(c.logger, 'producer'));
  producer.on('event.error', e => c.logger.info(`librdkafka producer error: ${e.message}`));
  const fail = (operation: string, topic?: string) => (e: unknown) => {
    throw wrapError(asClientError(e), operation, {
      ...c.ctx,
      topic,
      transactionalId: opts.transactionalId
    });
  };
  await callback<unknown>(cb => producer.connect({}, cb)).catch(fail('connect producer'));
  producer.setPollInBackground(true);
  /**
   * The package runs a transaction call in a thread of its own without the lock its disconnect
   * takes, so a disconnect while one runs frees the librdkafka handle under it. Calls are counted
   * here: `close` waits for the running ones, and none starts once closing.
   */
  const running = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  const txCall = <R = void>(operation: string, fn: (cb: Callback<R>) => void): Promise<R> => {
    if (closing !== undefined) {
      return Promise.reject(
        new KafkaTransportError(`The producer is closed: cannot ${operation}.`, {
          context: { ...c.ctx, transactionalId: opts.transactionalId }
        })
      );
    }
    const call = callback<R>(fn);
    running.add(call);
    void call.finally(() => running.delete(call)).catch(() => undefined);
    return call;
  };
  let initialised: Promise<void> | undefined;
  /** The group handles this producer's transactions commit with, held until it closes. */
  const leases = new Map<string, Promise<GroupLease<RdKafkaConsumer>>>();
  const leaseOf = async (groupId: string): Promise<RdKafkaConsumer> => {
    let lease = leases.get(groupId);
    if (lease === undefined) {
      lease = c.groupHandles.acquire(groupId);
      leases.set(groupId, lease);
      lease.catch(() => leases.delete(groupId));
    }
    return (await lease).handle;
  };
  const send = (records: T.ProduceRecord[]) =>
    closing !== undefined
      ? Promise.reject(new KafkaTransportError('The producer is closed: cannot produce.'))
      : produceAll(producer, records).catch(fail('produce', records[0]?.topic));
  const timeoutMs = c.options.requestTimeoutMs ?? 30_000;
  return {
    batchesRecords: true,
    send: async records => {
      if (transactional) {
        throw new KafkaTransportError(
          'A transactional producer sends inside a transaction: call transaction() first.',
          { context: { transactionalId: opts.transactionalId } }
        );
      }
      return send(records);
    },
    transaction: async () => {
      if (!transactional) {
        throw new KafkaTransportError(
          'transaction() needs a producer made with a transactionalId.'
        );
      }
      initialised ??= txCall('init transactions', cb =>
        producer.initTransactions(INIT_TIMEOUT_MS, cb)
      );
      await initialised.catch((e: unknown) => {
        initialised = undefined;
        fail('init transactions')(e);
      });
      await txCall('begin transaction', cb => producer.beginTransaction(cb)).catch(
        fail('begin transaction')
      );
      return {
        batchesRecords: true,
        send,
        sendOffsets: async (groupId, offsets) => {
          const handle = await leaseOf(groupId);
          await txCall('send offsets', cb =>
            producer.sendOffsetsToTransaction(
              offsets.map(o => ({
                topic: o.topic,
                partition: o.partition,
                offset: Number(o.offset),
                ...(o.metadata === undefined || o.metadata === null ? {} : { metadata: o.metadata })
              })),
              handle,
              timeoutMs,
              cb
            )
          ).catch(fail('send offsets', offsets[0]?.topic));
        },
        commit: () =>
          txCall('commit transaction', cb => producer.commitTransaction(timeoutMs, cb)).catch(
            fail('commit transaction')
          ),
        abort: () =>
          txCall('abort transaction', cb => producer.abortTransaction(timeoutMs, cb)).catch(
            fail('abort transaction')
          )
      };
    },
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled([...running]);
        await callback<unknown>(cb => producer.disconnect(10_000, cb)).catch(() => undefined);
        for (const lease of await Promise.allSettled(leases.values())) {
          if (lease.status === 'fulfilled') {
            lease.value.release();
          }
        }
        leases.clear();
      })())
  };
}
