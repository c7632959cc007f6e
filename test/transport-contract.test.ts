/**
 * The transport contract, part 1: what every implementation of transport-types.ts must do against
 * the real broker, run once per Kafka client (ALERTLAB_CONTRACT_CLIENTS, default all): admin,
 * idempotent produce in order with the Java client's key partitioning, transactions (produce +
 * sendOffsets with metadata + commit atomic, aborted records invisible to read_committed),
 * headers, seek/replay (also from an assignment listener, where attach seeks), 10 MB records and a
 * 6 MB chunk through sendRecords under the default 1 MiB batch limit. Groups: transport-contract-groups.test.ts. Broker
 * faults: test/cluster-fault.test.ts and test/stage-exactly-once.test.ts, run per client with
 * ALERTLAB_KAFKA_CLIENT (see the README's "Kafka clients").
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendRecords } from '../sdk/src/buffer/produce.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { consumeRecords, randomName, sleep, waitFor, withTopics } from './buffer-helpers.js';
import { contractTransport, javaPartition, loadableClients } from './transport-contract-helpers.js';

const enc = new TextEncoder();
const text = (v: Uint8Array | null) => (v === null ? null : Buffer.from(v).toString('utf8'));
const clients = await loadableClients();

describe.each([...clients])('transport contract on %s', (client, loadable) => {
  let transport: KafkaTransport;
  beforeEach(() => {
    transport = contractTransport(client);
  });
  afterEach(async () => {
    await transport.close();
  });

  it.skipIf(!loadable)('says which client it runs on', () => {
    expect(transport.client).toBe(client);
  });

  it.skipIf(!loadable)(
    'admin: topics, metadata, cluster, end offsets, offsets by time',
    async () => {
      const topic = randomName(`contract-admin-${client}`);
      const admin = await transport.admin();
      try {
        expect(await admin.createTopics([{ topic, partitions: 3 }])).toEqual({
          created: [topic],
          existing: []
        });
        expect(await admin.createTopics([{ topic, partitions: 3 }])).toEqual({
          created: [],
          existing: [topic]
        });
        expect(await admin.listTopics()).toContain(topic);
        const cluster = await admin.describeCluster();
        expect(cluster.clusterId).toMatch(/\S/);
        expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
        expect(cluster.brokers.map(b => b.nodeId)).toContain(cluster.controller ?? -1);
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
        const missing = randomName('missing');
        await expect(admin.describeTopics([missing])).rejects.toThrow(/does not exist/);
        await expect(admin.endOffsets(missing)).rejects.toThrow(/does not exist/);
        await admin.deleteTopics([topic]);
        await waitFor(async () => !(await admin.listTopics()).includes(topic), 30_000);
      } finally {
        await admin.deleteTopics([topic]).catch(() => undefined);
        await admin.close();
      }
    }
  );

  it.skipIf(!loadable)(
    'produce to a missing topic fails, saying the topic does not exist',
    async () => {
      const producer = await transport.producer();
      await expect(
        producer.send([{ topic: randomName('contract-missing'), value: enc.encode('x') }])
      ).rejects.toThrow(/does not exist/);
    }
  );

  it.skipIf(!loadable)(
    'idempotent produce: each record once, in order, keys partitioned as the Java client does',
    async () => {
      const topic = randomName(`contract-idem-${client}`);
      await withTopics(transport, [{ topic, partitions: 3 }], async () => {
        const producer = await transport.producer({ idempotent: true });
        const records = Array.from({ length: 600 }, (_, i) => ({
          topic,
          key: `k${i % 11}`,
          value: enc.encode(String(i))
        }));
        const results = [
          ...(await producer.send(records.slice(0, 300))),
          ...(await producer.send(records.slice(300)))
        ];
        expect(results.every(r => r.topic === topic && r.baseOffset >= 0n)).toBe(true);
        const got = await consumeRecords(transport, topic, { count: 600 });
        expect(got).toHaveLength(600);
        expect(new Set(got.map(r => text(r.value))).size).toBe(600);
        for (const r of got) {
          expect(r.partition).toBe(javaPartition(text(r.key) as string, 3));
        }
        for (const p of [0, 1, 2]) {
          const values = got.filter(r => r.partition === p).map(r => Number(text(r.value)));
          expect(values).toEqual([...values].sort((a, b) => a - b));
          const offsets = got.filter(r => r.partition === p).map(r => r.offset);
          expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
        }
      });
    }
  );

  it.skipIf(!loadable)(
    'transactions: produce + sendOffsets (with metadata) + commit atomic; aborted records invisible',
    async () => {
      const input = randomName(`contract-tx-in-${client}`);
      const output = randomName(`contract-tx-out-${client}`);
      const groupId = randomName(`contract-tx-g-${client}`);
      await withTopics(transport, [{ topic: input }, { topic: output }], async () => {
        const plain = await transport.producer();
        await plain.send([0, 1, 2].map(i => ({ topic: input, value: enc.encode(`in-${i}`) })));
        const producer = await transport.producer({ transactionalId: randomName('contract-tx') });

        const committed = await producer.transaction();
        await committed.send([{ topic: output, value: enc.encode('committed-1') }]);
        await committed.sendOffsets(groupId, [
          { topic: input, partition: 0, offset: 2n, metadata: 'watermarkMs=42' }
        ]);
        await committed.commit();

        const aborted = await producer.transaction();
        await aborted.send([{ topic: output, value: enc.encode('aborted-1') }]);
        await aborted.sendOffsets(groupId, [{ topic: input, partition: 0, offset: 3n }]);
        await aborted.abort();

        const again = await producer.transaction();
        await again.send([{ topic: output, value: enc.encode('committed-2') }]);
        await again.commit();

        const admin = await transport.admin();
        try {
          expect(await admin.groupOffsets(groupId, input)).toEqual([
            { topic: input, partition: 0, offset: 2n, metadata: 'watermarkMs=42' }
          ]);
        } finally {
          await admin.close();
        }
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
    }
  );

  it.skipIf(!loadable)('headers: text and binary values, repeated keys, null values', async () => {
    const topic = randomName(`contract-headers-${client}`);
    await withTopics(transport, [{ topic }], async () => {
      const producer = await transport.producer();
      const binary = new Uint8Array([0, 255, 1, 254]);
      await producer.send([
        {
          topic,
          key: 'a',
          value: enc.encode('v'),
          headers: { 'alertlab-reason': 'bad schema', bin: binary, many: ['x', 'y'] }
        },
        { topic, key: null, value: null }
      ]);
      const [first, second] = await consumeRecords(transport, topic, { count: 2 });
      const h = first.headers;
      expect(Buffer.from(h['alertlab-reason'] as Uint8Array).toString()).toBe('bad schema');
      expect([...(h.bin as Uint8Array)]).toEqual([...binary]);
      expect((h.many as Uint8Array[]).map(v => Buffer.from(v).toString())).toEqual(['x', 'y']);
      expect(text(first.key)).toBe('a');
      expect(second.key).toBeNull();
      expect(second.value).toBeNull();
    });
  });

  it.skipIf(!loadable)('seek: a running consumer replays from an earlier offset', async () => {
    const topic = randomName(`contract-seek-${client}`);
    await withTopics(transport, [{ topic }], async () => {
      const producer = await transport.producer();
      await producer.send(
        Array.from({ length: 20 }, (_, i) => ({ topic, value: enc.encode(String(i)) }))
      );
      const consumer = await transport.consumer({
        groupId: randomName('contract-seek-g'),
        maxWaitTimeMs: 100
      });
      const seen: number[] = [];
      let seeked = false;
      try {
        await consumer.subscribe([topic], { fromBeginning: true });
        await consumer.run(async batch => {
          for (const r of batch.records) {
            if (batch.isStale()) {
              return;
            }
            seen.push(Number(text(r.value)));
            batch.resolveOffset(r.offset);
            if (r.offset === 14n && !seeked) {
              seeked = true;
              consumer.seek(topic, 0, 5n);
              return;
            }
          }
        });
        await waitFor(() => seen.length >= 30, 60_000);
        await sleep(1000); // nothing more comes: the replay ends at the topic's end
      } finally {
        await consumer.close();
      }
      const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
      expect(seen).toEqual([...range(0, 15), ...range(5, 20)]);
    });
  });

  it.skipIf(!loadable)(
    'seek from an assignment listener: the partition starts there; a batch holds what is fetched',
    async () => {
      const topic = randomName(`contract-seek-assign-${client}`);
      await withTopics(transport, [{ topic, partitions: 2 }], async () => {
        const producer = await transport.producer();
        await producer.send(
          Array.from({ length: 40 }, (_, i) => ({
            topic,
            partition: i % 2,
            value: enc.encode(String(i))
          }))
        );
        const consumer = await transport.consumer({
          groupId: randomName('contract-seek-assign-g'),
          maxWaitTimeMs: 100
        });
        const first = new Map<number, { offset: bigint; size: number }>();
        try {
          consumer.onAssignment(a => {
            for (const p of a[topic] ?? []) {
              consumer.seek(topic, p, 7n);
            }
          });
          await consumer.subscribe([topic], { fromBeginning: true });
          await consumer.run(async batch => {
            if (!first.has(batch.partition) && batch.records.length > 0) {
              first.set(batch.partition, {
                offset: batch.records[0].offset,
                size: batch.records.length
              });
            }
            const last = batch.records.at(-1);
            if (last !== undefined) {
              batch.resolveOffset(last.offset);
            }
          });
          await waitFor(() => first.size === 2, 60_000);
        } finally {
          await consumer.close();
        }
        // every partition starts at offset 7, and its first batch holds the 13 records after it
        expect([...first].sort((a, b) => a[0] - b[0])).toEqual([
          [0, { offset: 7n, size: 13 }],
          [1, { offset: 7n, size: 13 }]
        ]);
      });
    }
  );

  it.skipIf(!loadable)('10 MB records go through whole, with small ones around them', async () => {
    const topic = randomName(`contract-big-${client}`);
    const configs = { 'max.message.bytes': String(12 * 1024 * 1024) };
    await withTopics(transport, [{ topic, configs }], async () => {
      const producer = await transport.producer();
      const big = randomBytes(10 * 1024 * 1024);
      await producer.send([
        { topic, value: enc.encode('before') },
        { topic, value: big },
        { topic, value: enc.encode('after') }
      ]);
      const got = await consumeRecords(transport, topic, { count: 3, timeoutMs: 90_000 });
      expect(got.map(r => r.value?.length)).toEqual([6, big.length, 5]);
      const digest = (v: Uint8Array) => createHash('sha256').update(v).digest('hex');
      expect(digest(got[1].value as Uint8Array)).toBe(digest(big));
    });
  });

  it.skipIf(!loadable)(
    "sendRecords: 6 MB lists of alert-sized records, plain and in a transaction, under the broker's default 1 MiB batch limit",
    async () => {
      // the topic keeps the broker's default max.message.bytes (1 MiB): every record batch the
      // client builds must stay under it, whether sendRecords splits or the client batches
      const topic = randomName(`contract-chunk-${client}`);
      await withTopics(transport, [{ topic, partitions: 1 }], async () => {
        const plain = await transport.producer();
        const producer = await transport.producer({ transactionalId: randomName('chunk-tx') });
        try {
          const values = Array.from({ length: 50 }, () => randomBytes(240_000));
          const records = values.map((value, i) => ({ topic, value, key: String(i) }));
          const first = await sendRecords(plain, records.slice(0, 25), 900_000);
          const tx = await producer.transaction();
          const second = await sendRecords(tx, records.slice(25), 900_000);
          await tx.commit();
          expect([first.records, second.records]).toEqual([25, 25]);
          const got = await consumeRecords(transport, topic, { count: 50, timeoutMs: 90_000 });
          expect(got.map(r => text(r.key))).toEqual(values.map((_, i) => String(i)));
          const digest = (v: Uint8Array) => createHash('sha256').update(v).digest('hex');
          expect(got.map(r => digest(r.value as Uint8Array))).toEqual(values.map(digest));
        } finally {
          await producer.close();
          await plain.close();
        }
      });
    }
  );
});
