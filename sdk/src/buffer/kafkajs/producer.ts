/** The produce path of the kafkajs transport: records to kafkajs messages, one send per partition. */
import type { IHeaders, Message, Producer, Transaction } from 'kafkajs';
import type * as T from '../transport-types.js';
import { groupByPartition, soleReplicaBroker } from './partition-sends.js';
import { kafkajs } from './patches.js';

const { CompressionTypes } = kafkajs;

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

/** Where a topic's messages go: each message's partition, each partition's replicas. */
export type Router = (topic: string) => Promise<{
  partitionOf(message: Message): number;
  replicasOf(partition: number): readonly number[] | undefined;
}>;

/**
 * One sendBatch per partition, all at once (kafkajs retries: see partition-sends.ts), or one
 * for all when every partition lives on one broker alone (no leader can move).
 */
export async function sendWith(
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
