/**
 * The @platformatic/kafka faults the platformatic transport works around above the interface
 * (sdk/src/buffer/platformatic/), each shown on the real broker with the package used directly:
 * - its default partitioner hashes a key to (murmur2 >>> 0) % partitions, not the Java client's
 *   (murmur2 & 0x7fffffff) % partitions, so keyed records land elsewhere than Java, kafkajs and
 *   librdkafka put them (the transport places keyed records itself: producer.ts);
 * - a produce to a missing topic fails with a UserError "Unknown topic …" that carries no Kafka
 *   error code (the transport recognises it: common.ts);
 * - ending an empty transaction sends EndTxn, which the broker refuses, and the producer then
 *   stays inside that transaction: every later beginTransaction fails (the transport ends an
 *   empty transaction locally with `cancel`: producer.ts; the stage opens one to fence);
 * - InitProducerId goes out with producer id 0 / epoch 0 instead of -1 / -1 ("none yet"), so a
 *   second producer of a transactional id used before is refused: a restarted stage worker could
 *   never produce again (the transport passes -1 / -1: producer.ts).
 * When a release fixes one, its test here fails: drop the workaround with it.
 */
import { Producer, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { consumeRecords, randomName, withTopics } from './buffer-helpers.js';
import { contractTransport, javaPartition } from './transport-contract-helpers.js';

const client = 'platformatic';

describe('@platformatic/kafka faults the platformatic transport works around', () => {
  it('its default partitioner puts keyed records where the Java client does not', async () => {
    const transport = contractTransport(client);
    const topic = randomName('platformatic-partitioner');
    const producer = new Producer({
      clientId: 'alertlab-platformatic-faults',
      bootstrapBrokers: transport.bootstrapServers
    });
    try {
      await withTopics(transport, [{ topic, partitions: 3 }], async () => {
        const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
        await producer.send({
          messages: keys.map(k => ({ topic, key: Buffer.from(k), value: Buffer.from(k) })),
          acks: -1
        });
        const got = await consumeRecords(transport, topic, { count: keys.length });
        const wrong = got.filter(
          r => r.partition !== javaPartition(Buffer.from(r.key as Uint8Array).toString(), 3)
        );
        // about half the keys hash negative, and those differ when 2^31 % partitions != 0
        expect(wrong.length).toBeGreaterThan(0);
        // through the transport, every key goes where the Java client puts it
        const topic2 = randomName('platformatic-partitioner-t');
        await withTopics(transport, [{ topic: topic2, partitions: 3 }], async () => {
          const p = await transport.producer();
          await p.send(keys.map(k => ({ topic: topic2, key: k, value: Buffer.from(k) })));
          const placed = await consumeRecords(transport, topic2, { count: keys.length });
          for (const r of placed) {
            expect(r.partition).toBe(javaPartition(Buffer.from(r.key as Uint8Array).toString(), 3));
          }
        });
      });
    } finally {
      await producer.close();
      await transport.close();
    }
  });

  it('a produce to a missing topic fails with a UserError without a Kafka error code', async () => {
    const producer = new Producer({
      clientId: 'alertlab-platformatic-faults',
      bootstrapBrokers: contractTransport(client).bootstrapServers,
      autocreateTopics: false
    });
    try {
      const error: unknown = await producer
        .send({
          messages: [{ topic: randomName('platformatic-missing'), value: Buffer.from('x') }]
        })
        .then(
          () => undefined,
          (e: unknown) => e
        );
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(/^Unknown topic /);
      expect((error as { apiCode?: unknown }).apiCode).toBeUndefined();
    } finally {
      await producer.close();
    }
  });

  it('an empty transaction cannot be ended, and its producer cannot begin another', async () => {
    const transport = contractTransport(client);
    const producer = new Producer({
      clientId: 'alertlab-platformatic-faults',
      bootstrapBrokers: transport.bootstrapServers,
      transactionalId: randomName('platformatic-empty-tx'),
      idempotent: true
    });
    try {
      const tx = await producer.beginTransaction();
      await expect(tx.abort()).rejects.toThrow(/EndTxn/);
      await expect(producer.beginTransaction()).rejects.toThrow(/already an active transaction/);
      // through the transport, an empty transaction ends and the next one begins
      const p = await transport.producer({ transactionalId: randomName('platformatic-empty-t') });
      await (await p.transaction()).abort();
      await (await p.transaction()).commit();
    } finally {
      await producer.close();
      await transport.close();
    }
  });

  it('a transactional id used before is refused to a new producer with the defaults', async () => {
    const transport = contractTransport(client);
    const transactionalId = randomName('platformatic-reused-tx');
    const make = () =>
      new Producer({
        clientId: 'alertlab-platformatic-faults',
        bootstrapBrokers: transport.bootstrapServers,
        transactionalId,
        idempotent: true
      });
    const [first, second] = [make(), make()];
    try {
      await first.beginTransaction(); // its InitProducerId takes the id
      await expect(second.beginTransaction()).rejects.toThrow(/InitProducerId/);
      // through the transport, the next holder of the id starts (and fences the one before)
      for (let i = 0; i < 2; i++) {
        const p = await transport.producer({ transactionalId });
        await (await p.transaction()).abort();
        await p.close();
      }
    } finally {
      await Promise.allSettled([first.close(), second.close()]);
      await transport.close();
    }
  });
});
