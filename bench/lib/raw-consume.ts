/**
 * A plain consume that only counts records and bytes: the baseline attach is measured against.
 * It goes through the transport (so the Kafka client is the one the run chose, and nothing here
 * knows a client), with the same fetch sizes and isolation level attach uses, and no decoding.
 */
import { randomBytes } from 'node:crypto';
import type { KafkaTransport } from '../../sdk/src/buffer/transport-types.js';

export async function rawConsume(
  transport: KafkaTransport,
  topic: string,
  expected: number
): Promise<{ records: number; bytes: number; ms: number }> {
  const consumer = await transport.consumer({
    groupId: `bench-raw-${randomBytes(4).toString('hex')}`,
    maxBytesPerPartition: 10 * 1024 * 1024,
    maxBytes: 50 * 1024 * 1024,
    maxWaitTimeMs: 500,
    readCommitted: true
  });
  let records = 0;
  let bytes = 0;
  const t0 = performance.now();
  try {
    await consumer.subscribe([topic], { fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run(async batch => {
          for (const r of batch.records) {
            bytes += r.value?.length ?? 0;
          }
          records += batch.records.length;
          const last = batch.records.at(-1);
          if (last !== undefined) {
            batch.resolveOffset(last.offset);
          }
          if (records >= expected) {
            resolve();
          }
        })
        .catch(reject);
    });
    return { records, bytes, ms: performance.now() - t0 };
  } finally {
    await consumer.close();
  }
}
