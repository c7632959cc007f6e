/**
 * The @confluentinc/kafka-javascript (librdkafka) behaviours the confluent transport works around
 * above the interface (sdk/src/buffer/confluent/):
 * - librdkafka's admin ListConsumerGroupOffsets (the package's `fetchOffsets`) dies of SIGSEGV
 *   when the group coordinator answers NOT_COORDINATOR: it asks the handle's consumer group to
 *   find the coordinator again, and an admin handle has none (librdkafka issue 5040). The
 *   transport reads group offsets through a consumer handle of the group (`committed`). Shown in
 *   test/cluster-fault.test.ts, where a broker that coordinates some groups stops: it takes a
 *   moving coordinator, which one broker cannot give.
 * - the package's consumer never reports a handler's error: it logs it and fetches the batch
 *   again. The transport reports it to onCrash listeners (restarting), so a stage says so.
 * - its transaction calls run without the lock its disconnect takes: the transport's producer
 *   close waits for them (not shown: a use-after-free is not something a test can wait for).
 */
import { describe, expect, it } from 'vitest';
import { kafkaClientAvailable } from '../sdk/src/buffer/transport.js';
import { randomName, waitFor, withTopics } from './buffer-helpers.js';
import { contractTransport } from './transport-contract-helpers.js';

const client = 'confluent';
const loadable = (await kafkaClientAvailable(client)) || process.env.CI === 'true';
if (!loadable) {
  console.warn('confluent client faults: the client is not built here (run scripts/setup.sh)');
}

describe.skipIf(!loadable)('confluent transport: the package faults it works around', () => {
  it('a handler error reaches onCrash (restarting) and its records come again', async () => {
    const transport = contractTransport(client);
    const topic = randomName('confluent-crash');
    try {
      await withTopics(transport, [{ topic, partitions: 1 }], async () => {
        const producer = await transport.producer();
        await producer.send(
          ['a', 'b', 'c'].map(v => ({ topic, partition: 0, value: Buffer.from(v) }))
        );
        await producer.close();
        const consumer = await transport.consumer({ groupId: randomName('confluent-crash-g') });
        const crashes: Array<[string, boolean]> = [];
        consumer.onCrash((error, restarting) => crashes.push([error.message, restarting]));
        const seen: string[] = [];
        let failOnce = true;
        await consumer.subscribe([topic], { fromBeginning: true });
        await consumer.run(async batch => {
          seen.push(...batch.records.map(r => Buffer.from(r.value as Uint8Array).toString()));
          if (failOnce) {
            failOnce = false;
            throw new Error('handler failed on purpose');
          }
          batch.resolveOffset(batch.records[batch.records.length - 1].offset);
        });
        try {
          await waitFor(() => seen.filter(v => v === 'a').length === 2, 60_000);
          expect(crashes).toEqual([['handler failed on purpose', true]]);
          await waitFor(() => seen.filter(v => v === 'c').length === 2, 30_000);
        } finally {
          await consumer.close();
        }
      });
    } finally {
      await transport.close();
    }
  });
});
