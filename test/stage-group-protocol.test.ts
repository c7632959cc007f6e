/**
 * KIP-848: a stage whose manifest asks for the consumer group protocol (`consumer.groupProtocol:
 * 'consumer'`) joins its group with it on the default client and routes every alert exactly once.
 */
import { describe, expect, it } from 'vitest';
import { createTransport } from '../sdk/src/buffer/transport.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import {
  SAMPLES_MISSING_MESSAGE,
  SAMPLES_PRESENT,
  alertIdsOf,
  bootstrapServers,
  createTopic,
  produceValues,
  randomName,
  readTopic,
  runStageUntil,
  skipWithoutSamples,
  useSuiteKafka
} from './stage-helpers.js';

if (!SAMPLES_PRESENT) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

const ALERTS = 240;

describe.skipIf(skipWithoutSamples())('stage on the KIP-848 consumer group protocol', () => {
  const kafka = useSuiteKafka();

  // kafkajs has no KIP-848: the stage runs on the librdkafka client whatever the default
  it('routes every alert exactly once with groupProtocol "consumer" (confluent client)', async () => {
    const id = randomName('stage-kip848');
    const input = `${id}-in`;
    await createTopic(kafka.transport, input, 2);
    const small = smallRubinAlerts(2);
    const values = Array.from({ length: ALERTS }, (_, i) => small.make(i));
    await produceValues(kafka.transport, input, values, { chunk: 40 });
    const previous = process.env.ALERTLAB_KAFKA_CLIENT;
    process.env.ALERTLAB_KAFKA_CLIENT = 'confluent';
    let stats: Awaited<ReturnType<typeof runStageUntil>>;
    try {
      stats = await runStageUntil(
        {
          id,
          input: { topic: input, format: 'rubin' },
          filter: {
            language: 'sql',
            kind: 'leftright',
            outputs: ['even', 'odd'],
            source: 'alertId % 2 = 0'
          },
          outputs: { even: `${id}-even`, odd: `${id}-odd` },
          deadLetterTopic: `${id}-dlq`,
          batch: { maxRows: 50, maxWaitMs: 100 },
          consumer: { groupProtocol: 'consumer' }
        },
        ALERTS,
        120_000
      );
    } finally {
      if (previous === undefined) {
        delete process.env.ALERTLAB_KAFKA_CLIENT;
      } else {
        process.env.ALERTLAB_KAFKA_CLIENT = previous;
      }
    }
    expect(stats.recordsIn).toBe(ALERTS);
    expect(stats.deadLettered).toBe(0);
    const even = alertIdsOf(
      await readTopic(kafka.transport, `${id}-even`, { min: stats.out.even ?? 1, idleMs: 800 })
    );
    const odd = alertIdsOf(
      await readTopic(kafka.transport, `${id}-odd`, { min: stats.out.odd ?? 1, idleMs: 800 })
    );
    const all = [...even, ...odd];
    expect(new Set(all).size).toBe(ALERTS);
    expect(all).toHaveLength(ALERTS);
    expect(even.every(a => BigInt(a) % 2n === 0n)).toBe(true);
    expect(odd.every(a => BigInt(a) % 2n === 1n)).toBe(true);
    // the broker assigned the partitions: a KIP-848 group names a server-side assignor
    // ('uniform' is Kafka 4.x's default); a classic group names the client's, or none
    // (asked through the librdkafka client: kafkajs's DescribeGroups predates KIP-848 groups)
    const confluent = createTransport({
      bootstrapServers: bootstrapServers(),
      client: 'confluent'
    });
    try {
      const [group] = await (await confluent.admin()).describeGroups([id]);
      expect(group.protocol).toBe('uniform');
    } finally {
      await confluent.close();
    }
  });
});
