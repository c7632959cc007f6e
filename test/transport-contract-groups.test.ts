/**
 * The transport contract, part 2: consumer groups, per Kafka client (see transport-contract.test.ts).
 * Two members split a topic's partitions and one leaving hands its partitions over; the admin
 * lists, describes (state, members, assignment) and deletes groups and reads their lag; and under
 * load (a producer writing throughout, a member joining and another leaving mid-stream) every
 * record is processed and the committed offsets reach the end of every partition. KIP-848 (the
 * `consumer` group protocol) where the client has it; a client without it says so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsumerClient, KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { randomName, sleep, waitFor, withTopics } from './buffer-helpers.js';
import { contractTransport, loadableClients } from './transport-contract-helpers.js';

const enc = new TextEncoder();
const clients = await loadableClients();

/** A member that records its assignment and commits each batch after reading it. */
async function member(
  transport: KafkaTransport,
  groupId: string,
  topic: string,
  seen: Map<string, number>,
  assigned: (partitions: number[]) => void,
  groupProtocol: 'classic' | 'consumer' = 'classic'
): Promise<ConsumerClient> {
  const c = await transport.consumer({
    groupId,
    groupProtocol,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    rebalanceTimeoutMs: 20_000,
    maxWaitTimeMs: 100
  });
  c.onAssignment(a => assigned(a[topic] ?? []));
  await c.subscribe([topic], { fromBeginning: true });
  await c.run(async batch => {
    for (const r of batch.records) {
      if (!batch.isRunning() || batch.isStale()) {
        return;
      }
      const v = Buffer.from(r.value as Uint8Array).toString();
      seen.set(v, (seen.get(v) ?? 0) + 1);
      batch.resolveOffset(r.offset);
    }
    const last = batch.records.at(-1);
    if (last !== undefined && !batch.isStale()) {
      await c
        .commit([{ topic, partition: batch.partition, offset: last.offset + 1n }])
        .catch(() => undefined); // a rebalance may take the partition meanwhile: read again
    }
  });
  return c;
}

describe.each([...clients])('transport contract (groups) on %s', (client, loadable) => {
  let transport: KafkaTransport;
  beforeEach(() => {
    transport = contractTransport(client);
  });
  afterEach(async () => {
    await transport.close();
  });

  it.skipIf(!loadable)(
    'two members split the partitions; one leaving hands them over; admin sees it all',
    async () => {
      const topic = randomName(`contract-group-${client}`);
      const groupId = randomName(`contract-g-${client}`);
      await withTopics(transport, [{ topic, partitions: 4 }], async () => {
        const producer = await transport.producer();
        await producer.send(
          Array.from({ length: 40 }, (_, i) => ({
            topic,
            partition: i % 4,
            value: enc.encode(`${i}`)
          }))
        );
        const seen = new Map<string, number>();
        const assignments = new Map<string, number[]>();
        const a = await member(transport, groupId, topic, seen, p => assignments.set('a', p));
        const b = await member(transport, groupId, topic, seen, p => assignments.set('b', p));
        const split = () => {
          const pa = assignments.get('a') ?? [];
          const pb = assignments.get('b') ?? [];
          return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4;
        };
        const admin = await transport.admin();
        try {
          await waitFor(split, 90_000);
          const pa = assignments.get('a') ?? [];
          const pb = assignments.get('b') ?? [];
          expect(pa.filter(p => pb.includes(p))).toEqual([]);
          expect([...pa, ...pb].sort()).toEqual([0, 1, 2, 3]);
          await waitFor(async () => {
            const [g] = await admin.describeGroups([groupId]);
            return g.state === 'Stable' && g.members.length === 2;
          }, 60_000);
          const [group] = await admin.describeGroups([groupId]);
          expect(group.protocolType).toBe('consumer');
          const described = group.members.flatMap(m => m.assignment[topic] ?? []).sort();
          expect(described).toEqual([0, 1, 2, 3]);
          expect((await admin.listGroups()).map(g => g.groupId)).toContain(groupId);
          await waitFor(() => seen.size === 40, 60_000);
          await waitFor(async () => {
            const offsets = await admin.groupOffsets(groupId, topic);
            return offsets.length === 4 && offsets.every(o => o.offset === 10n);
          }, 30_000);

          await b.close();
          await waitFor(() => (assignments.get('a') ?? []).length === 4, 90_000);
          expect(assignments.get('a')?.sort()).toEqual([0, 1, 2, 3]);
          await producer.send([{ topic, partition: pb[0], value: enc.encode('after-handover') }]);
          await waitFor(() => seen.has('after-handover'), 60_000);
          await a.close();
          const ends = await admin.endOffsets(topic);
          const committed = await admin.groupOffsets(groupId, topic);
          const lag = ends.map(
            e => e.high - (committed.find(c => c.partition === e.partition)?.offset ?? 0n)
          );
          expect(lag).toEqual([0n, 0n, 0n, 0n]);
          await admin.deleteGroups([groupId]);
          await waitFor(
            async () => !(await admin.listGroups()).some(g => g.groupId === groupId),
            30_000
          );
        } finally {
          await Promise.allSettled([a.close(), b.close()]);
          await admin.close();
        }
      });
    }
  );

  it.skipIf(!loadable)(
    'rebalance under load: a member joins and another leaves while records keep coming',
    async () => {
      const topic = randomName(`contract-load-${client}`);
      const groupId = randomName(`contract-load-g-${client}`);
      const TOTAL = 3000;
      await withTopics(transport, [{ topic, partitions: 6 }], async () => {
        const producer = await transport.producer();
        const seen = new Map<string, number>();
        const members: ConsumerClient[] = [];
        const admin = await transport.admin();
        let produced = 0;
        const writing = (async () => {
          while (produced < TOTAL) {
            const n = Math.min(100, TOTAL - produced);
            await producer.send(
              Array.from({ length: n }, (_, i) => ({
                topic,
                key: `k${produced + i}`,
                value: enc.encode(`${produced + i}`)
              }))
            );
            produced += n;
            await sleep(100);
          }
        })();
        try {
          members.push(await member(transport, groupId, topic, seen, () => undefined));
          members.push(await member(transport, groupId, topic, seen, () => undefined));
          await waitFor(() => produced >= TOTAL / 3, 60_000);
          members.push(await member(transport, groupId, topic, seen, () => undefined));
          await waitFor(() => produced >= (2 * TOTAL) / 3, 60_000);
          await members[0].close();
          await writing;
          await waitFor(() => seen.size === TOTAL, 120_000);
          await waitFor(async () => {
            const ends = await admin.endOffsets(topic);
            const committed = await admin.groupOffsets(groupId, topic);
            return ends.every(
              e => committed.find(c => c.partition === e.partition)?.offset === e.high
            );
          }, 60_000);
        } finally {
          await writing.catch(() => undefined);
          await Promise.allSettled(members.map(m => m.close()));
          await admin.close();
        }
        const missing = Array.from({ length: TOTAL }, (_, i) => `${i}`).filter(v => !seen.has(v));
        expect(missing).toEqual([]);
        const again = [...seen.values()].filter(n => n > 1).length;
        console.log(`${client}: rebalance under load, ${again} of ${TOTAL} records read twice`);
      });
    }
  );

  it.skipIf(!loadable)(
    'KIP-848 consumer protocol: members split and hand over, or a clear error',
    async () => {
      const topic = randomName(`contract-848-${client}`);
      const groupId = randomName(`contract-848-g-${client}`);
      await withTopics(transport, [{ topic, partitions: 4 }], async () => {
        if (client === 'kafkajs' || client === 'platformatic') {
          // neither client can run a KIP-848 group behind this interface: they say so
          await expect(transport.consumer({ groupId, groupProtocol: 'consumer' })).rejects.toThrow(
            /KIP-848/
          );
          return;
        }
        const seen = new Map<string, number>();
        const assignments = new Map<string, number[]>();
        const a = await member(
          transport,
          groupId,
          topic,
          seen,
          p => assignments.set('a', p),
          'consumer'
        );
        const b = await member(
          transport,
          groupId,
          topic,
          seen,
          p => assignments.set('b', p),
          'consumer'
        );
        try {
          await waitFor(() => {
            const pa = assignments.get('a') ?? [];
            const pb = assignments.get('b') ?? [];
            return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4;
          }, 90_000);
          const pa = assignments.get('a') ?? [];
          expect([...pa, ...(assignments.get('b') ?? [])].sort()).toEqual([0, 1, 2, 3]);
          const admin = await transport.admin();
          try {
            const [group] = await admin.describeGroups([groupId]);
            expect(group.members).toHaveLength(2);
          } finally {
            await admin.close();
          }
          await b.close();
          await waitFor(() => (assignments.get('a') ?? []).length === 4, 90_000);
          const producer = await transport.producer();
          await producer.send(
            [0, 1, 2, 3].map(partition => ({
              topic,
              partition,
              value: enc.encode(`p${partition}`)
            }))
          );
          await waitFor(() => seen.size === 4, 60_000);
        } finally {
          await Promise.allSettled([a.close(), b.close()]);
        }
      });
    }
  );
});
