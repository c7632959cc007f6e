import { describe, expect, it } from 'vitest';
import {
  stickyPartitioner,
  unansweredMessages,
  type PartitionFn,
  type PartitionMemory
} from './partition-coverage.js';

const meta = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ partitionId: i }));

describe('stickyPartitioner', () => {
  it('returns the first partition chosen for a message object on every retry', () => {
    let next = 0;
    const roundRobin: PartitionFn = args => next++ % args.partitionMetadata.length;
    const memory: PartitionMemory = new WeakMap();
    const partitioner = stickyPartitioner(roundRobin, memory);
    const a = { value: 'a' };
    const b = { value: 'b' };
    const first = [a, b].map(message =>
      partitioner({ topic: 't', partitionMetadata: meta(3), message })
    );
    const retry = [a, b].map(message =>
      partitioner({ topic: 't', partitionMetadata: meta(3), message })
    );
    expect(first).toEqual([0, 1]);
    expect(retry).toEqual(first);
    expect(next).toBe(2);
    // a partition the topic no longer has is chosen again
    expect(partitioner({ topic: 't', partitionMetadata: meta(1), message: b })).toBe(0);
  });
});

describe('unansweredMessages', () => {
  it('pins and returns the messages of partitions no answer covers', () => {
    const memory: PartitionMemory = new WeakMap();
    const m = [{ value: 'p0' }, { value: 'p1' }, { value: 'p2' }, { value: 'x', partition: 1 }];
    memory.set(m[0], 0);
    memory.set(m[1], 1);
    memory.set(m[2], 2);
    const other = { value: 'other-topic' };
    memory.set(other, 1);
    const missing = unansweredMessages(
      [
        { topic: 'in', messages: m },
        { topic: 'out', messages: [other] }
      ],
      [
        { topicName: 'in', partition: 0 },
        { topicName: 'in', partition: 2 },
        { topicName: 'out', partition: 0 }
      ],
      memory
    );
    expect(missing).toEqual([
      {
        topic: 'in',
        messages: [
          { value: 'p1', partition: 1 },
          { value: 'x', partition: 1 }
        ]
      },
      { topic: 'out', messages: [{ value: 'other-topic', partition: 1 }] }
    ]);
  });

  it('is empty when every partition was acknowledged', () => {
    const memory: PartitionMemory = new WeakMap();
    const a = { value: 'a' };
    memory.set(a, 3);
    expect(
      unansweredMessages(
        [{ topic: 't', messages: [a] }],
        [{ topicName: 't', partition: 3 }],
        memory
      )
    ).toEqual([]);
  });
});
