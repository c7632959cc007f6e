/**
 * The kafkajs implementation of the transport interface (transport-types.ts). This is the ONLY
 * module in alertlab that imports kafkajs: swapping the Kafka client is a change to this file.
 * kafkajs logs go to our logger, quietly: its errors are our info, everything else our debug
 * (failures reach callers as thrown errors, so the default 'warn' level shows none of its chatter).
 */
import type {
  Admin,
  Consumer,
  IHeaders,
  KafkaMessage,
  LogEntry,
  logLevel as KafkaLogLevel,
  Message,
  PartitionMetadata,
  Producer,
  Transaction
} from 'kafkajs';
import Module, { createRequire } from 'node:module';
import { TopicNotFoundError } from '../errors.js';
import { encodeProduceRequest, type ProduceRequestFields } from './produce-encoding.js';
import { getDefaultLogger, type Logger } from './log.js';
import { TopicMetadataCache, groupByPartition, soleReplicaBroker } from './partition-sends.js';
import { createRetry, type Retrier } from './retry.js';
import { waitUntilListed } from './topic-visible.js';
import { wrapError } from './transport-errors.js';
import type * as T from './transport-types.js';

const kafkajsInternal = createRequire(import.meta.url);

/**
 * kafkajs groups a send's messages by partition with `[...current, message]` per message:
 * quadratic in the messages of a partition (a stage sends thousands per request). Its module is
 * replaced, before kafkajs loads (it binds the function then), by this linear one with the same
 * result: messages by partition, in order.
 */
function groupMessagesPerPartition<M>(p: {
  topic: string;
  partitionMetadata: unknown[];
  messages: M[];
  partitioner(a: { topic: string; partitionMetadata: unknown[]; message: M }): number;
}): Record<number, M[]> {
  const out: Record<number, M[]> = {};
  if (p.partitionMetadata.length === 0) {
    return out;
  }
  for (const message of p.messages) {
    const partition = p.partitioner({
      topic: p.topic,
      partitionMetadata: p.partitionMetadata,
      message
    });
    (out[partition] ??= []).push(message);
  }
  return out;
}

function replaceGrouping(): boolean {
  try {
    const path = kafkajsInternal.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
    if (kafkajsInternal.cache[path] === undefined) {
      const replaced = new Module(path);
      replaced.filename = path;
      replaced.loaded = true;
      replaced.exports = groupMessagesPerPartition;
      kafkajsInternal.cache[path] = replaced;
    }
    return kafkajsInternal(path) === groupMessagesPerPartition;
  } catch {
    return false; // another kafkajs layout: its own (slower) grouping stays
  }
}

/** Whether kafkajs groups messages with the linear function above (tested). */
export const kafkajsLinearGrouping = replaceGrouping();

const { AssignerProtocol, Kafka, logLevel, Partitioners, CompressionTypes } = kafkajsInternal(
  'kafkajs'
) as typeof import('kafkajs');

/** The raw kafkajs client, for benchmarks that compare against a plain kafkajs consume only. */
export const RawKafka = Kafka;

/** kafkajs internals the produce path below replaces (kafkajs 2.2.x layout). */
interface ProduceApi {
  protocol(v: { version: number }): (fields: ProduceRequestFields & { compression?: number }) => {
    request: { encode(): Promise<unknown> };
  };
}
type EncoderClass = new (initialSize?: number) => { buf: Buffer; offset: number };
const produceApi = kafkajsInternal('kafkajs/src/protocol/requests/produce/index.js') as ProduceApi;
const KafkajsEncoder = kafkajsInternal('kafkajs/src/protocol/encoder.js') as EncoderClass;
const kafkajsProduce = produceApi.protocol;

/**
 * Produce requests (v3+, uncompressed) are encoded by produce-encoding.ts instead of kafkajs's
 * encoder, which allocates and zero-fills a buffer per record and per header, copies each record
 * three times and computes the batch CRC-32C a byte at a time — most of the CPU of a stage's
 * produce. Same bytes (produce-encoding.test.ts checks them against kafkajs's own encoding);
 * every other request, and compressed produce requests, stay kafkajs's.
 */
produceApi.protocol = ({ version }) => {
  const make = kafkajsProduce({ version });
  if (version < 3) {
    return make;
  }
  return fields => {
    const built = make(fields);
    if ((fields.compression ?? 0) === 0) {
      built.request.encode = async () => asKafkajsEncoder(encodeProduceRequest(fields));
    }
    return built;
  };
};

/**
 * kafkajs frames every request by copying its body into a growing buffer twice (protocol/
 * request.js); it grows with `Buffer.alloc`, zero-filling megabytes that are overwritten at once.
 * Grown buffers come unfilled instead: an encoder only ever exposes bytes below its offset.
 */
Object.assign(KafkajsEncoder.prototype, {
  ensureAvailable(this: InstanceType<EncoderClass>, length: number): void {
    if (this.offset + length > this.buf.length) {
      const grown = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(this.offset + length)));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }
  }
});

function asKafkajsEncoder(bytes: Buffer): InstanceType<EncoderClass> {
  const encoder = new KafkajsEncoder(0);
  encoder.buf = bytes;
  encoder.offset = bytes.length;
  return encoder;
}

/** kafkajs's own Produce v3 body for `fields`: the reference the encoder is tested against. */
export async function kafkajsProduceRequestBody(fields: ProduceRequestFields): Promise<Buffer> {
  const encoded = (await kafkajsProduce({ version: 3 })(fields).request.encode()) as {
    buf: Buffer;
    offset: number;
  };
  return encoded.buf.subarray(0, encoded.offset);
}

function kafkajsLevel(logger: Logger): KafkaLogLevel {
  if (logger.enabled('debug')) {
    return logLevel.INFO;
  }
  return logger.enabled('info') ? logLevel.ERROR : logLevel.NOTHING;
}

/** kafkajs errors become our info (they surface as thrown errors anyway), the rest debug. */
function logCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _t, ...fields } = log;
      const target = level <= logLevel.ERROR ? 'info' : 'debug';
      logger[target](`kafkajs ${namespace}: ${String(message)}`, fields);
    };
}

const toBuffer = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function toHeaders(headers: T.ProduceRecord['headers']): IHeaders | undefined {
  if (headers === undefined) {
    return undefined;
  }
  const out: IHeaders = {};
  for (const k in headers) {
    const v = headers[k];
    out[k] = Array.isArray(v) ? v.map(headerValue) : headerValue(v as T.HeaderValue);
  }
  return out;
}

/** Module level, not a closure per record: records are sent by the thousand. */
function headerValue(x: T.HeaderValue): string | Buffer {
  return typeof x === 'string' ? x : toBuffer(x);
}

function toConsumed(m: KafkaMessage): T.ConsumedRecord {
  return {
    offset: BigInt(m.offset),
    timestampMs: Number(m.timestamp),
    key: m.key,
    value: m.value,
    headers: (m.headers ?? {}) as T.ConsumedRecord['headers']
  };
}

/** Where a topic's messages go: each message's partition, each partition's replicas. */
type Router = (topic: string) => Promise<{
  partitionOf(message: Message): number;
  replicasOf(partition: number): readonly number[] | undefined;
}>;

/**
 * One sendBatch per partition, all at once (kafkajs retries: see partition-sends.ts), or one
 * for all when every partition lives on one broker alone (no leader can move).
 */
async function sendWith(
  sender: Producer | Transaction,
  records: T.ProduceRecord[],
  compression: T.ProducerOptions['compression'],
  route: Router
): Promise<T.ProduceResult[]> {
  const byTopic = new Map<string, T.ProduceRecord[]>();
  for (const r of records) {
    const list = byTopic.get(r.topic) ?? [];
    list.push(r);
    byTopic.set(r.topic, list);
  }
  const replicas = new Map<string, (partition: number) => readonly number[] | undefined>();
  const topicMessages = await Promise.all(
    [...byTopic].map(async ([topic, list]) => {
      const { partitionOf, replicasOf } = await route(topic);
      replicas.set(topic, replicasOf);
      return {
        topic,
        messages: list.map(r => {
          const message: Message = {
            key:
              r.key === undefined || r.key === null || typeof r.key === 'string'
                ? r.key
                : toBuffer(r.key),
            value: r.value === null ? null : toBuffer(r.value),
            partition: r.partition,
            headers: toHeaders(r.headers),
            timestamp: r.timestampMs === undefined ? undefined : String(r.timestampMs)
          };
          return { ...message, partition: partitionOf(message) };
        })
      };
    })
  );
  const batches = groupByPartition(topicMessages);
  const sends = soleReplicaBroker(batches.map(b => replicas.get(b.topic)?.(b.partition)))
    ? [topicMessages]
    : batches.map(b => [{ topic: b.topic, messages: b.messages }]);
  const answers = await Promise.all(
    sends.map(topicMessagesOfSend =>
      sender.sendBatch({
        topicMessages: topicMessagesOfSend,
        acks: -1,
        compression: compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None
      })
    )
  );
  return answers.flat().map(r => ({
    topic: r.topicName,
    partition: r.partition,
    baseOffset: BigInt(r.baseOffset ?? r.offset ?? '-1')
  }));
}

function createAdmin(admin: Admin, retry: Retrier, ctx: Record<string, unknown>): T.AdminClient {
  const call = async <R>(
    operation: string,
    extra: Record<string, unknown>,
    fn: () => Promise<R>
  ) => {
    try {
      return await retry(fn);
    } catch (e) {
      throw wrapError(e, operation, { ...ctx, ...extra });
    }
  };
  const describeTopics = (topics: string[]) =>
    call('describe topics', { topic: topics.length === 1 ? topics[0] : undefined }, async () => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.find(t => !existing.has(t));
      if (missing !== undefined) {
        throw new TopicNotFoundError(
          `Topic "${missing}" does not exist. Create it with \`alertlab buffer create\`.`,
          { context: { topic: missing } }
        );
      }
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      return meta.map(t => ({
        topic: t.name,
        partitions: t.partitions
          .map(p => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas ?? []
          }))
          .sort((a, b) => a.partition - b.partition)
      }));
    });
  return {
    createTopics: specs =>
      call('create topics', {}, async () => {
        const existingNow = new Set(await admin.listTopics());
        const existing = specs.filter(s => existingNow.has(s.topic)).map(s => s.topic);
        const todo = specs.filter(s => !existingNow.has(s.topic));
        if (todo.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: todo.map(s => ({
              topic: s.topic,
              numPartitions: s.partitions ?? 1,
              replicationFactor: s.replicationFactor ?? 1,
              configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({
                name,
                value
              }))
            }))
          });
          await waitUntilListed(
            () => admin.listTopics(),
            todo.map(s => s.topic)
          );
        }
        return { created: todo.map(s => s.topic), existing };
      }),
    deleteTopics: topics =>
      call('delete topics', {}, async () => {
        const existing = new Set(await admin.listTopics());
        const todo = topics.filter(t => existing.has(t));
        if (todo.length > 0) {
          await admin.deleteTopics({ topics: todo });
        }
      }),
    listTopics: () => call('list topics', {}, async () => (await admin.listTopics()).sort()),
    describeTopics,
    describeCluster: () =>
      call('describe cluster', {}, async () => {
        const c = await admin.describeCluster();
        return { clusterId: c.clusterId, controller: c.controller, brokers: c.brokers };
      }),
    endOffsets: topic =>
      call('fetch end offsets', { topic }, async () => {
        await describeTopics([topic]);
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets
          .map(o => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    offsetsForTimestamp: (topic, timestampMs) =>
      call('fetch offsets by timestamp', { topic }, async () => {
        await describeTopics([topic]);
        const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
        return offsets
          .map(o => ({ topic, partition: o.partition, offset: BigInt(o.offset) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    groupOffsets: (groupId, topic) =>
      call('fetch group offsets', { topic, groupId }, async () => {
        const res = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (res.find(r => r.topic === topic)?.partitions ?? [])
          .map(p => ({
            topic,
            partition: p.partition,
            offset: BigInt(p.offset),
            metadata: p.metadata ?? null // stage: commit metadata
          }))
          .sort((a, b) => a.partition - b.partition);
      }),
    listGroups: () =>
      call('list groups', {}, async () =>
        (await admin.listGroups()).groups
          .map(g => ({ groupId: g.groupId, protocolType: g.protocolType }))
          .sort((a, b) => a.groupId.localeCompare(b.groupId))
      ),
    describeGroups: groupIds =>
      call('describe groups', { groupIds }, async () =>
        (await admin.describeGroups(groupIds)).groups.map(g => ({
          groupId: g.groupId,
          state: g.state,
          protocol: g.protocol,
          protocolType: g.protocolType,
          members: g.members.map(m => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment:
              g.protocolType === 'consumer' && m.memberAssignment.length > 0
                ? (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {})
                : {}
          }))
        }))
      ),
    deleteGroups: groupIds =>
      call('delete groups', { groupIds }, async () => {
        await admin.deleteGroups(groupIds);
      }),
    close: () => admin.disconnect()
  };
}

function createConsumer(consumer: Consumer, groupId: string, ctx: Record<string, unknown>) {
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
  const client: T.ConsumerClient = {
    groupId,
    subscribe: (topics, options = {}) =>
      call('subscribe', { topic: topics.join(',') }, () =>
        consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false })
      ),
    run: (handler, options = {}) =>
      call('run consumer', {}, () =>
        consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
          eachBatchAutoResolve: false,
          eachBatch: async p =>
            handler({
              topic: p.batch.topic,
              partition: p.batch.partition,
              highWatermark: BigInt(p.batch.highWatermark),
              records: p.batch.messages.map(toConsumed),
              resolveOffset: offset => p.resolveOffset(offset.toString()),
              heartbeat: p.heartbeat,
              isRunning: p.isRunning,
              isStale: p.isStale
            })
        })
      ),
    seek: (topic, partition, offset) =>
      consumer.seek({ topic, partition, offset: offset.toString() }),
    pause: (topic, partitions) => consumer.pause([{ topic, partitions }]),
    resume: (topic, partitions) => consumer.resume([{ topic, partitions }]),
    commit: offsets =>
      call('commit offsets', { topic: offsets[0]?.topic }, () =>
        consumer.commitOffsets(
          offsets.map(o => ({
            topic: o.topic,
            partition: o.partition,
            offset: o.offset.toString(),
            metadata: o.metadata ?? null
          }))
        )
      ),
    onAssignment: listener =>
      consumer.on(consumer.events.GROUP_JOIN, e => listener(e.payload.memberAssignment)),
    onDisconnect: listener => consumer.on(consumer.events.DISCONNECT, () => listener()),
    onCrash: listener =>
      consumer.on(consumer.events.CRASH, e =>
        listener(wrapError(e.payload.error, 'consume', { ...ctx, groupId }), e.payload.restart)
      ),
    close: () => consumer.disconnect()
  };
  return client;
}

/** Creates a transport on kafkajs. Connections open lazily, one per client made. */
export function createTransport(options: T.TransportOptions): T.KafkaTransport {
  const logger = options.logger ?? getDefaultLogger();
  const kafka = new Kafka({
    clientId: options.clientId ?? 'alertlab',
    brokers: options.bootstrapServers,
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: kafkajsLevel(logger),
    logCreator: logCreator(logger.child('kafkajs')),
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 30_000 }
  });
  const retry = createRetry({ retries: 5, ...options.retry });
  const ctx = { bootstrapServers: options.bootstrapServers.join(',') };
  const open = new Set<{ close(): Promise<void> }>();
  const track = <C extends { close(): Promise<void> }>(c: C): C => {
    const close = c.close.bind(c);
    c.close = async () => {
      open.delete(c);
      await close();
    };
    open.add(c);
    return c;
  };
  const connect = async (what: string, fn: () => Promise<void>) => {
    try {
      await retry(fn);
    } catch (e) {
      throw wrapError(e, `connect ${what}`, ctx);
    }
  };
  /** Partition metadata for the producers' partitioners, from one admin connected on first use. */
  let metadataAdmin: Promise<Admin> | undefined;
  const topicMetadata = new TopicMetadataCache<PartitionMetadata>(async topic => {
    metadataAdmin ??= (async () => {
      const admin = kafka.admin();
      await connect('admin', () => admin.connect());
      track({
        close: async () => {
          metadataAdmin = undefined;
          await admin.disconnect();
        }
      });
      return admin;
    })().catch((error: unknown) => {
      metadataAdmin = undefined;
      throw error;
    });
    const { topics } = await (await metadataAdmin).fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions;
  });
  return {
    bootstrapServers: options.bootstrapServers,
    admin: async () => {
      const admin = kafka.admin();
      await connect('admin', () => admin.connect());
      return track(createAdmin(admin, retry, ctx));
    },
    producer: async (opts = {}) => {
      const transactional = opts.transactionalId !== undefined;
      const partitioner = Partitioners.DefaultPartitioner();
      const route: Router = async topic => {
        const partitionMetadata = await topicMetadata.get(topic);
        return {
          partitionOf: message => partitioner({ topic, partitionMetadata, message }),
          replicasOf: partition =>
            partitionMetadata.find(p => p.partitionId === partition)?.replicas
        };
      };
      const producer = kafka.producer({
        idempotent: transactional || (opts.idempotent ?? true),
        transactionalId: opts.transactionalId,
        maxInFlightRequests: transactional || (opts.idempotent ?? true) ? 1 : undefined,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 30_000 }
      });
      await connect('producer', () => producer.connect());
      const send = (sender: Producer | Transaction) => async (records: T.ProduceRecord[]) => {
        try {
          return await sendWith(sender, records, opts.compression, route);
        } catch (e) {
          throw wrapError(e, 'produce', { ...ctx, topic: records[0]?.topic });
        }
      };
      return track({
        send: send(producer),
        transaction: async (): Promise<T.ProducerTransaction> => {
          const tx = await producer.transaction();
          return {
            send: send(tx),
            sendOffsets: (consumerGroupId, offsets) =>
              tx.sendOffsets({
                consumerGroupId,
                topics: [...new Set(offsets.map(o => o.topic))].map(topic => ({
                  topic,
                  partitions: offsets
                    .filter(o => o.topic === topic)
                    .map(o => ({
                      partition: o.partition,
                      offset: o.offset.toString(),
                      metadata: o.metadata ?? null // stage: commit metadata
                    }))
                }))
              }),
            commit: () => tx.commit(),
            abort: () => tx.abort()
          };
        },
        close: () => producer.disconnect()
      });
    },
    consumer: async opts => {
      const consumer = kafka.consumer({
        groupId: opts.groupId,
        readUncommitted: !(opts.readCommitted ?? true),
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: opts.heartbeatIntervalMs ?? 3_000,
        rebalanceTimeout: opts.rebalanceTimeoutMs ?? 60_000,
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 10 * 1024 * 1024,
        maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
        maxWaitTimeInMs: opts.maxWaitTimeMs ?? 500,
        allowAutoTopicCreation: false
      });
      await connect('consumer', () => consumer.connect());
      return track(createConsumer(consumer, opts.groupId, ctx));
    },
    close: async () => {
      const all = [...open];
      const results = await Promise.allSettled(all.map(c => c.close()));
      const failed = results.find(r => r.status === 'rejected');
      if (failed !== undefined) {
        logger.warn('closing a Kafka client failed', { error: String(failed.reason) });
      }
    }
  };
}
