/**
 * Consumer groups through attach on the real broker: two readers in one group split the
 * partitions (no overlap, union = everything), and lag is right before and after commits.
 */
import { describe, expect, it } from 'vitest';
import type { AlertBatch } from '../sdk/src/buffer/attach.js';
import { collect, ztfValues } from './buffer-fixtures.js';
import {
  NO_DATA_MESSAGE,
  hasData,
  runWithData,
  randomName,
  waitFor,
  useBufferClient
} from './buffer-helpers.js';

const ctx = useBufferClient();

/** Sends values round-robin to the partitions (value i to partition i % partitions). */
async function spread(topic: string, values: Uint8Array[], partitions: number): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    await ctx.client.produce(
      topic,
      values.filter((_v, i) => i % partitions === p),
      { partition: p }
    );
  }
}

describe.runIf(runWithData())('attach in consumer groups', () => {
  it('two readers in one group split the partitions: no overlap, union = all', async () => {
    const topic = await ctx.newTopic('groups-split', 4);
    const group = randomName('groups-g');
    const values = ztfValues();
    const owned: Record<string, number[]> = { a: [], b: [] };
    const seen: Record<string, string[]> = { a: [], b: [] };
    const controller = new AbortController();
    const total = () => seen.a.length + seen.b.length;
    const reader = (name: 'a' | 'b') =>
      collect(
        signal =>
          ctx.client.attach(topic, {
            group,
            signal: AbortSignal.any([signal, controller.signal]),
            onAssignment: p => (owned[name] = p)
          }),
        values.length,
        {
          onBatch: async (b: AlertBatch) => {
            seen[name].push(...b.batch.toArray().map(r => `${r.kafkaPartition}:${r.kafkaOffset}`));
            await b.commit();
            if (total() >= values.length) {
              controller.abort();
            }
          }
        }
      );
    const readers = [reader('a'), reader('b')];
    await waitFor(
      () => owned.a.length > 0 && owned.b.length > 0 && owned.a.length + owned.b.length === 4,
      60_000
    );
    expect(owned.a.filter(p => owned.b.includes(p))).toEqual([]);
    await spread(topic, values, 4);
    await Promise.all(readers);
    expect(total()).toBe(values.length);
    const all = [...seen.a, ...seen.b];
    expect(new Set(all).size).toBe(values.length);
    for (const name of ['a', 'b'] as const) {
      expect(seen[name].length).toBeGreaterThan(0);
      for (const coord of seen[name]) {
        expect(owned[name]).toContain(Number(coord.split(':')[0]));
      }
    }
    const lag = await ctx.client.lag(topic, group);
    expect(lag.map(l => l.lag)).toEqual([0n, 0n, 0n, 0n]);
  });

  it('lag is the end offset before any commit, and drops by what each commit covers', async () => {
    const topic = await ctx.newTopic('groups-lag', 2);
    const group = randomName('groups-lag-g');
    const values = ztfValues().slice(0, 20);
    await spread(topic, values, 2);
    const before = await ctx.client.lag(topic, group);
    expect(before.map(l => [l.partition, l.committedOffset, l.endOffset, l.lag])).toEqual([
      [0, null, 10n, 10n],
      [1, null, 10n, 10n]
    ]);

    // read one batch of 4 rows, commit it, stop
    const first = await collect(
      signal => ctx.client.attach(topic, { group, maxBatchRows: 4, signal }),
      1,
      { onBatch: b => b.commit() }
    );
    const b0 = first.batches[0];
    expect(b0.batch.numRows).toBe(4);
    const afterOne = await ctx.client.lag(topic, group);
    const mine = afterOne.find(l => l.partition === b0.partition);
    const other = afterOne.find(l => l.partition !== b0.partition);
    expect(mine).toMatchObject({ committedOffset: 4n, lag: 6n });
    expect(other?.lag).toBe(10n);

    // the group resumes after its commit: 16 records left, then lag 0
    const rest = await collect(signal => ctx.client.attach(topic, { group, signal }), 16, {
      onBatch: b => b.commit()
    });
    expect(rest.rows).toHaveLength(16);
    expect(
      rest.rows.some(r => r.kafkaPartition === b0.partition && (r.kafkaOffset as bigint) < 4n)
    ).toBe(false);
    const after = await ctx.client.lag(topic, group);
    expect(after.map(l => [l.committedOffset, l.lag])).toEqual([
      [10n, 0n],
      [10n, 0n]
    ]);
    const report = await ctx.client.describeTopic(topic);
    expect(report.records).toBe(20n);
    expect(report.groups.find(g => g.groupId === group)?.totalLag).toBe(0n);
  });
});

if (!hasData) {
  describe('attach in consumer groups', () => {
    it('needs the sample alerts', ctx => ctx.skip(NO_DATA_MESSAGE));
  });
}
