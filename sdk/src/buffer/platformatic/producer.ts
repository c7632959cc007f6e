/**
 * Producers of the @platformatic/kafka transport. Keyed records are placed by the Java client's
 * hash ((murmur2(key) & 0x7fffffff) % partitions) here, because the package's default partitioner
 * hashes differently; unkeyed records go round robin. A send is one `send` of the package (one
 * Produce request per leader, acks=all, idempotent sequence numbers). Transactions map onto the
 * package's; `sendOffsets` adds the group to the transaction with the package's own
 * AddOffsetsToTxn, then sends TxnOffsetCommit itself (the package's exported protocol API) because
 * the package's `addOffset` cannot carry commit metadata — the stage keeps its watermark there.
 */
import {
  Consumer,
  FindCoordinatorKeyTypes,
  Producer,
  findCoordinatorV4,
  murmur2,
  txnOffsetCommitV3,
  type MessageToProduce
} from '@platformatic/kafka';
import { KafkaTransportError } from '../../errors.js';
import type * as T from '../transport-types.js';
import { baseOptions, guarded, toBuffer } from './common.js';

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

const RETRIABLE_COORDINATOR_CODES = new Set([14, 15, 16, 51]); // load in progress, not available, not coordinator, concurrent txns

function toHeaders(headers: T.ProduceRecord['headers']): Map<Buffer, Buffer> | undefined {
  if (headers === undefined) {
    return undefined;
  }
  const out = new Map<Buffer, Buffer>(); // one Buffer per occurrence: repeated keys stay apart
  for (const k in headers) {
    const v = headers[k];
    for (const one of Array.isArray(v) ? v : [v as T.HeaderValue]) {
      out.set(Buffer.from(k), typeof one === 'string' ? Buffer.from(one) : toBuffer(one));
    }
  }
  return out;
}

const javaPartition = (key: Buffer, partitions: number) => (murmur2(key) & 0x7fffffff) % partitions;

async function toMessages(producer: Producer, records: T.ProduceRecord[]): Promise<Message[]> {
  const topics = [...new Set(records.map(r => r.topic))];
  const meta = await producer.metadata({ topics, autocreateTopics: false });
  return records.map(r => {
    const key =
      r.key === undefined || r.key === null
        ? undefined
        : typeof r.key === 'string'
          ? Buffer.from(r.key)
          : toBuffer(r.key);
    let partition = r.partition;
    if (partition === undefined && key !== undefined) {
      partition = javaPartition(key, meta.topics.get(r.topic)?.partitionsCount ?? 1);
    }
    return {
      topic: r.topic,
      key,
      value: r.value === null ? undefined : toBuffer(r.value),
      partition,
      headers: toHeaders(r.headers),
      timestamp: r.timestampMs === undefined ? undefined : BigInt(r.timestampMs)
    };
  });
}

function results(offsets: Array<{ topic: string; partition: number; offset: bigint }> = []) {
  return offsets.map(o => ({ topic: o.topic, partition: o.partition, baseOffset: o.offset }));
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export async function createProducer(
  options: T.TransportOptions,
  ctx: Record<string, unknown>,
  opts: T.ProducerOptions
): Promise<T.ProducerClient> {
  const transactionalId = opts.transactionalId;
  const producer = new Producer({
    ...baseOptions(options, 'producer'),
    idempotent: transactionalId !== undefined || (opts.idempotent ?? true),
    ...(transactionalId === undefined ? {} : { transactionalId }),
    // InitProducerId must say "no producer yet" (-1/-1): the package's default (0/0) names a
    // producer id the broker never gave, so a transactional id used before is refused for good
    producerId: -1n,
    producerEpoch: -1,
    acks: -1,
    compression: opts.compression ?? 'none',
    autocreateTopics: false
  });
  const context = { ...ctx, transactionalId };
  const groups = new Map<string, Consumer>();
  const groupConsumer = (groupId: string) => {
    let c = groups.get(groupId);
    if (c === undefined) {
      c = new Consumer({ ...baseOptions(options, 'txn-group'), groupId });
      groups.set(groupId, c);
    }
    return c;
  };
  /** TxnOffsetCommit with metadata, generation -1 (pre-KIP-447, as the other transports). */
  const commitOffsets = async (groupId: string, offsets: T.TopicPartitionOffset[]) => {
    const topics = new Map<
      string,
      Array<{
        partitionIndex: number;
        committedOffset: bigint;
        committedLeaderEpoch: number;
        committedMetadata: string | null;
      }>
    >();
    for (const o of offsets) {
      const list = topics.get(o.topic) ?? [];
      list.push({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: -1,
        committedMetadata: o.metadata ?? null
      });
      topics.set(o.topic, list);
    }
    for (let attempt = 0; ; attempt++) {
      const bootstrap = await producer.connections.getFirstAvailable(
        options.bootstrapServers.map(s => {
          const at = s.lastIndexOf(':');
          return { host: s.slice(0, at), port: Number(s.slice(at + 1)) };
        })
      );
      const found = await findCoordinatorV4.api.async(bootstrap, FindCoordinatorKeyTypes.GROUP, [
        groupId
      ]);
      const coordinator = found.coordinators[0];
      const connection = await producer.connections.get({
        host: coordinator.host,
        port: coordinator.port
      });
      const res = await txnOffsetCommitV3.api.async(
        connection,
        transactionalId as string,
        groupId,
        producer.producerId as bigint,
        producer.producerEpoch as number,
        -1,
        '',
        null,
        [...topics].map(([name, partitions]) => ({ name, partitions }))
      );
      const code = res.topics.flatMap(t => t.partitions).find(p => p.errorCode !== 0)?.errorCode;
      if (code === undefined) {
        return;
      }
      if (!RETRIABLE_COORDINATOR_CODES.has(code) || attempt >= 10) {
        throw new KafkaTransportError(`TxnOffsetCommit failed with Kafka error code ${code}`, {
          context: { ...context, groupId, code }
        });
      }
      await sleep(100 * (attempt + 1));
    }
  };
  const send = (records: T.ProduceRecord[]) =>
    guarded('produce', { ...context, topic: records[0]?.topic }, async () =>
      records.length === 0
        ? []
        : results((await producer.send({ messages: await toMessages(producer, records) })).offsets)
    );
  return {
    send: async records => {
      if (transactionalId !== undefined) {
        throw new KafkaTransportError(
          'A transactional producer sends inside a transaction: call transaction() first.',
          { context }
        );
      }
      return send(records);
    },
    transaction: async () => {
      if (transactionalId === undefined) {
        throw new KafkaTransportError(
          'transaction() needs a producer made with a transactionalId.'
        );
      }
      const tx = await guarded('begin transaction', context, () => producer.beginTransaction());
      // The package ends even an empty transaction with EndTxn, which the broker refuses
      // (INVALID_TXN_STATE), and its producer then stays "in" that transaction for good. An
      // empty one is ended locally instead (cancel): the broker never saw it begin.
      let touched = false;
      const end = (commit: boolean) =>
        guarded(commit ? 'commit transaction' : 'abort transaction', context, () =>
          !touched ? tx.cancel() : commit ? tx.commit() : tx.abort()
        );
      return {
        send: records =>
          guarded('produce', { ...context, topic: records[0]?.topic }, async () => {
            if (records.length === 0) {
              return [];
            }
            touched = true;
            return results(
              (await tx.send({ messages: await toMessages(producer, records) })).offsets
            );
          }),
        sendOffsets: (groupId, offsets) =>
          guarded('send offsets', { ...context, groupId, topic: offsets[0]?.topic }, async () => {
            touched = true;
            await tx.addConsumer(groupConsumer(groupId));
            await commitOffsets(groupId, offsets);
          }),
        commit: () => end(true),
        abort: () => end(false)
      };
    },
    close: async () => {
      await Promise.allSettled([...groups.values()].map(c => c.close(true)));
      await producer.close().catch(() => undefined);
    }
  };
}
