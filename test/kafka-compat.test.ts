/**
 * kafkajs 2.2.4 against the Kafka the project runs (4.x, KRaft; KIP-896 removed old protocol
 * versions in 4.0): admin, consumer groups with rebalancing, the idempotent producer, and
 * transactions (produce + sendOffsets + commit; aborted records invisible to read_committed).
 * Everything goes through our transport module, the only kafkajs import.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsumerClient, KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import {
  bootstrapServers,
  consumeRecords,
  quietLogger,
  randomName,
  waitFor,
  withTopics
} from './buffer-helpers.js';

const enc = new TextEncoder();
const text = (v: Uint8Array | null) => (v === null ? null : Buffer.from(v).toString('utf8'));

let transport: KafkaTransport;
beforeEach(() => {
  transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
});
afterEach(async () => {
  await transport.close();
});

describe('kafkajs against Kafka 4.x', () => {
  it('uses kafkajs 2.2.4', () => {
    const req = createRequire(import.meta.url);
    expect((req('kafkajs/package.json') as { version: string }).version).toBe('2.2.4');
  });

  it('admin: creates topics idempotently, reads metadata, offsets and offsets by time', async () => {
    const topic = randomName('compat-admin');
    await withTopics(transport, [{ topic, partitions: 3 }], async () => {
      const admin = await transport.admin();
      const again = await admin.createTopics([{ topic, partitions: 3 }]);
      expect(again).toEqual({ created: [], existing: [topic] });
      expect(await admin.listTopics()).toContain(topic);
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      const [info] = await admin.describeTopics([topic]);
      expect(info.partitions.map(p => p.partition)).toEqual([0, 1, 2]);
      for (const p of info.partitions) {
        expect(p.replicas).toContain(p.leader);
        expect(p.isr).toContain(p.leader);
      }
      const producer = await transport.producer();
      const t0 = Date.now() - 60_000;
      await producer.send(
        [0, 1, 2].flatMap(partition => [
          { topic, partition, value: enc.encode('old'), timestampMs: t0 },
          { topic, partition, value: enc.encode('new'), timestampMs: t0 + 30_000 }
        ])
      );
      const ends = await admin.endOffsets(topic);
      expect(ends.map(o => [o.partition, o.low, o.high])).toEqual([
        [0, 0n, 2n],
        [1, 0n, 2n],
        [2, 0n, 2n]
      ]);
      const byTime = await admin.offsetsForTimestamp(topic, t0 + 10_000);
      expect(byTime.map(o => o.offset)).toEqual([1n, 1n, 1n]);
      const future = await admin.offsetsForTimestamp(topic, Date.now() + 3_600_000);
      expect(future.map(o => o.offset)).toEqual([2n, 2n, 2n]);
      await expect(admin.describeTopics([randomName('missing')])).rejects.toThrow(/does not exist/);
    });
  });

  it('idempotent producer: every record exactly once, in order per partition', async () => {
    const topic = randomName('compat-idem');
    await withTopics(transport, [{ topic, partitions: 2 }], async () => {
      const producer = await transport.producer({ idempotent: true });
      const records = Array.from({ length: 200 }, (_, i) => ({
        topic,
        key: `k${i % 7}`,
        value: enc.encode(String(i))
      }));
      const results = await producer.send(records);
      expect(results.length).toBeGreaterThan(0);
      const got = await consumeRecords(transport, topic, { count: 200 });
      expect(got).toHaveLength(200);
      expect(new Set(got.map(r => text(r.value))).size).toBe(200);
      for (const p of [0, 1]) {
        const values = got.filter(r => r.partition === p).map(r => Number(text(r.value)));
        expect(values).toEqual([...values].sort((a, b) => a - b));
      }
    });
  });

  it('consumer groups: two members split the partitions, one leaving hands its partitions over', async () => {
    const topic = randomName('compat-group');
    const groupId = randomName('compat-g');
    await withTopics(transport, [{ topic, partitions: 4 }], async () => {
      const assignments = new Map<string, number[]>();
      const members: ConsumerClient[] = [];
      for (const name of ['a', 'b']) {
        const c = await transport.consumer({
          groupId,
          sessionTimeoutMs: 10_000,
          heartbeatIntervalMs: 500,
          maxWaitTimeMs: 100
        });
        c.onAssignment(a => assignments.set(name, a[topic] ?? []));
        await c.subscribe([topic], { fromBeginning: true });
        await c.run(async () => undefined);
        members.push(c);
      }
      const split = () => {
        const a = assignments.get('a') ?? [];
        const b = assignments.get('b') ?? [];
        return a.length > 0 && b.length > 0 && a.length + b.length === 4;
      };
      await waitFor(split, 60_000);
      const a = assignments.get('a') ?? [];
      const b = assignments.get('b') ?? [];
      expect(a.filter(p => b.includes(p))).toEqual([]);
      expect([...a, ...b].sort()).toEqual([0, 1, 2, 3]);
      const admin = await transport.admin();
      const [group] = await admin.describeGroups([groupId]);
      expect(group.state).toBe('Stable');
      expect(group.members).toHaveLength(2);
      await members[1].close();
      await waitFor(() => (assignments.get('a') ?? []).length === 4, 60_000);
      expect(assignments.get('a')?.sort()).toEqual([0, 1, 2, 3]);
      await members[0].close();
    });
  });

  it('transactions: produce + sendOffsets + commit is atomic; aborted records stay invisible', async () => {
    const input = randomName('compat-tx-in');
    const output = randomName('compat-tx-out');
    const groupId = randomName('compat-tx-g');
    await withTopics(transport, [{ topic: input }, { topic: output }], async () => {
      const plain = await transport.producer();
      await plain.send([0, 1, 2].map(i => ({ topic: input, value: enc.encode(`in-${i}`) })));
      const producer = await transport.producer({ transactionalId: randomName('compat-tx') });

      const committed = await producer.transaction();
      await committed.send([{ topic: output, value: enc.encode('committed-1') }]);
      await committed.sendOffsets(groupId, [
        { topic: input, partition: 0, offset: 3n, metadata: 'watermarkMs=42' }
      ]);
      await committed.commit();

      const aborted = await producer.transaction();
      await aborted.send([{ topic: output, value: enc.encode('aborted-1') }]);
      await aborted.abort();

      const again = await producer.transaction();
      await again.send([{ topic: output, value: enc.encode('committed-2') }]);
      await again.commit();

      const admin = await transport.admin();
      const offsets = await admin.groupOffsets(groupId, input);
      expect(offsets).toEqual([
        { topic: input, partition: 0, offset: 3n, metadata: 'watermarkMs=42' }
      ]);

      const readCommitted = await consumeRecords(transport, output, { count: 2 });
      expect(readCommitted.map(r => text(r.value))).toEqual(['committed-1', 'committed-2']);
      const readUncommitted = await consumeRecords(transport, output, {
        count: 3,
        readCommitted: false
      });
      expect(readUncommitted.map(r => text(r.value))).toEqual([
        'committed-1',
        'aborted-1',
        'committed-2'
      ]);
    });
  });
});
