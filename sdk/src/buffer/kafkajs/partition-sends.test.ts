import { describe, expect, it } from 'vitest';
import { TopicMetadataCache, groupByPartition, soleReplicaBroker } from './partition-sends.js';

describe('groupByPartition', () => {
  it('makes one batch per topic and partition, in record order', () => {
    const batches = groupByPartition([
      {
        topic: 'in',
        messages: [
          { v: 'a', partition: 1 },
          { v: 'b', partition: 0 },
          { v: 'c', partition: 1 }
        ]
      },
      { topic: 'out', messages: [{ v: 'd', partition: 1 }] }
    ]);
    expect(batches).toEqual([
      {
        topic: 'in',
        partition: 1,
        messages: [
          { v: 'a', partition: 1 },
          { v: 'c', partition: 1 }
        ]
      },
      { topic: 'in', partition: 0, messages: [{ v: 'b', partition: 0 }] },
      { topic: 'out', partition: 1, messages: [{ v: 'd', partition: 1 }] }
    ]);
  });
});

describe('soleReplicaBroker', () => {
  it('is true only when every partition has one replica, on the same broker', () => {
    expect(soleReplicaBroker([[1], [1], [1]])).toBe(true);
    expect(soleReplicaBroker([[1], [2]])).toBe(false);
    expect(soleReplicaBroker([[1, 2, 3]])).toBe(false);
    expect(soleReplicaBroker([[1], undefined])).toBe(false);
    expect(soleReplicaBroker([])).toBe(false);
  });
});

describe('TopicMetadataCache', () => {
  it('reuses an answer until it is older than maxAgeMs, and never caches a failure', async () => {
    let nowMs = 0;
    const loads: string[] = [];
    const cache = new TopicMetadataCache(
      async (topic: string) => {
        loads.push(topic);
        if (topic === 'missing') {
          throw new Error('unknown topic');
        }
        return [{ partitionId: 0 }, { partitionId: 1 }];
      },
      1000,
      () => nowMs
    );
    expect(await cache.get('t')).toHaveLength(2);
    nowMs = 1000;
    await cache.get('t');
    expect(loads).toEqual(['t']);
    nowMs = 1001;
    await cache.get('t');
    expect(loads).toEqual(['t', 't']);
    await expect(cache.get('missing')).rejects.toThrow('unknown topic');
    await expect(cache.get('missing')).rejects.toThrow('unknown topic');
    expect(loads).toEqual(['t', 't', 'missing', 'missing']);
  });
});
