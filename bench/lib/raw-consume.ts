/**
 * A plain kafkajs consume that only counts records and bytes: the baseline attach is measured
 * against. kafkajs comes through the transport module (the one place that imports it), with the
 * same fetch sizes and isolation level attach uses.
 */
import { randomBytes } from 'node:crypto';
import { RawKafka } from '../../sdk/src/buffer/transport.js';

export async function rawConsume(
  brokers: string[],
  topic: string,
  expected: number
): Promise<{ records: number; bytes: number; ms: number }> {
  const kafka = new RawKafka({ brokers, clientId: 'alertlab-bench-raw', logLevel: 0 });
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomBytes(4).toString('hex')}`,
    maxBytesPerPartition: 10 * 1024 * 1024,
    maxBytes: 50 * 1024 * 1024,
    maxWaitTimeInMs: 500,
    readUncommitted: false
  });
  await consumer.connect();
  let records = 0;
  let bytes = 0;
  const t0 = performance.now();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              bytes += m.value?.length ?? 0;
            }
            records += batch.messages.length;
            if (records >= expected) {
              resolve();
            }
          }
        })
        .catch(reject);
    });
    return { records, bytes, ms: performance.now() - t0 };
  } finally {
    await consumer.disconnect();
  }
}
