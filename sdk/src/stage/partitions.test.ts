import { describe, expect, it } from 'vitest';
import { createLogger } from '../buffer/log.js';
import type {
  BatchHandler,
  ConsumedRecord,
  FetchedBatch,
  KafkaTransport
} from '../buffer/transport-types.js';
import { PartitionedConsumer, type PartitionHandler } from './partitions.js';

interface Fake {
  transport: KafkaTransport;
  handler: () => BatchHandler;
  seeks: bigint[];
  producersClosed: () => number;
}

function fakeTransport(): Fake {
  let handler: BatchHandler | undefined;
  let closed = 0;
  const seeks: bigint[] = [];
  const transport = {
    bootstrapServers: [],
    admin: async () => ({ groupOffsets: async () => [], close: async () => undefined }),
    producer: async () => ({
      transaction: async () => ({ abort: async () => undefined }),
      close: async () => void closed++
    }),
    consumer: async () => ({
      onAssignment: () => () => undefined,
      onCrash: () => () => undefined,
      subscribe: async () => undefined,
      run: async (h: BatchHandler) => void (handler = h),
      seek: (_t: string, _p: number, offset: bigint) => void seeks.push(offset),
      close: async () => undefined
    }),
    close: async () => undefined
  } as unknown as KafkaTransport;
  return {
    transport,
    handler: () => handler as BatchHandler,
    seeks,
    producersClosed: () => closed
  };
}

function batchOf(first: number, count: number): FetchedBatch {
  const records: ConsumedRecord[] = Array.from({ length: count }, (_, i) => ({
    offset: BigInt(first + i),
    timestampMs: 0,
    key: null,
    value: new Uint8Array([i]),
    headers: {}
  }));
  return {
    topic: 'in',
    partition: 0,
    highWatermark: 100n,
    records,
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false
  };
}

/** A pipelined handler whose commits wait for the test: logs what happens, in order. */
function pipelined(log: string[], fail: Set<bigint>) {
  const pending: (() => void)[] = [];
  const handler: PartitionHandler<number> = {
    open: async () => 0,
    process: async () => {
      throw new Error('process is not used by a pipelined handler');
    },
    prepare: async (_s, records) => {
      const first = records[0].offset;
      log.push(`prepare ${first}`);
      return async () => {
        log.push(`commit ${first}`);
        await new Promise<void>(resolve => pending.push(resolve));
        if (fail.has(first)) {
          throw new Error(`commit ${first} failed`);
        }
        log.push(`committed ${first}`);
      };
    },
    close: async () => undefined
  };
  return { handler, release: () => pending.shift()?.() };
}

/** Consumer options of every test here (topic "in", group "s"). */
const OPTIONS = {
  stageId: 's',
  topic: 'in',
  groupId: 's',
  maxRows: 10,
  maxWaitMs: 10,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  fromBeginning: true,
  logger: createLogger({ level: 'error' })
};

async function withConsumer<T>(
  handler: PartitionHandler<number>,
  fn: (fake: Fake) => Promise<T>
): Promise<T> {
  const fake = fakeTransport();
  const consumer = new PartitionedConsumer(fake.transport, OPTIONS, handler);
  await consumer.start();
  try {
    return await fn(fake);
  } finally {
    await consumer.close();
  }
}

const tick = () => new Promise(resolve => setTimeout(resolve, 5));

describe('PartitionedConsumer with a pipelined handler', () => {
  it('prepares the next chunk during a commit, and commits only after the one before', async () => {
    const log: string[] = [];
    const { handler, release } = pipelined(log, new Set());
    await withConsumer(handler, async fake => {
      await fake.handler()(batchOf(0, 5)); // returns with its commit running
      expect(log).toEqual(['prepare 0', 'commit 0']);
      const second = fake.handler()(batchOf(5, 5));
      await tick();
      expect(log).toEqual(['prepare 0', 'commit 0', 'prepare 5']); // waits for commit 0
      release();
      await second;
      expect(log).toEqual(['prepare 0', 'commit 0', 'prepare 5', 'committed 0', 'commit 5']);
      release();
    });
  });

  it('never commits past a failed commit: seeks back and fails the next chunk', async () => {
    const log: string[] = [];
    const { handler, release } = pipelined(log, new Set([0n]));
    await withConsumer(handler, async fake => {
      await fake.handler()(batchOf(0, 5));
      release(); // commit 0 fails with nobody waiting
      await tick();
      expect(fake.seeks).toEqual([0n]); // fetched again even if nothing new arrives
      await expect(fake.handler()(batchOf(5, 5))).rejects.toThrow('commit 0 failed');
      expect(log).toEqual(['prepare 0', 'commit 0']);
      expect(fake.producersClosed()).toBe(1); // a new producer fences and restarts the partition
    });
  });

  it('fails the chunk waiting for a commit that fails', async () => {
    const log: string[] = [];
    const { handler, release } = pipelined(log, new Set([0n]));
    await withConsumer(handler, async fake => {
      await fake.handler()(batchOf(0, 5));
      const second = fake.handler()(batchOf(5, 5));
      await tick();
      release();
      await expect(second).rejects.toThrow('commit 0 failed');
      expect(log).toEqual(['prepare 0', 'commit 0', 'prepare 5']);
      expect(fake.producersClosed()).toBe(1);
    });
  });
});

/** A transport whose consumer is assigned partitions by the test; counts producers. */
function assigningTransport() {
  let assign: ((a: Record<string, number[]>) => void) | undefined;
  let handler: BatchHandler | undefined;
  const producers = { made: 0, initialised: 0, closed: 0 };
  const transport = {
    bootstrapServers: [],
    admin: async () => ({ groupOffsets: async () => [], close: async () => undefined }),
    producer: async () => {
      producers.made++;
      return {
        transaction: async () => {
          producers.initialised++;
          return { abort: async () => undefined };
        },
        close: async () => void producers.closed++
      };
    },
    consumer: async () => ({
      onAssignment: (l: (a: Record<string, number[]>) => void) => {
        assign = l;
        return () => undefined;
      },
      onCrash: () => () => undefined,
      subscribe: async () => undefined,
      run: async (h: BatchHandler) => void (handler = h),
      seek: () => undefined,
      close: async () => undefined
    }),
    close: async () => undefined
  } as unknown as KafkaTransport;
  const consumer = new PartitionedConsumer(transport, OPTIONS, {
    open: async () => 0,
    process: async () => undefined,
    close: async () => undefined
  });
  return {
    consumer,
    producers,
    assign: (partitions: number[]) => assign?.({ in: partitions }),
    handler: () => handler as BatchHandler
  };
}

describe('PartitionedConsumer: the producer connected at assignment', () => {
  it('is the one the first batch initialises (fencing then, not at assignment)', async () => {
    const t = assigningTransport();
    await t.consumer.start();
    t.assign([0]);
    await tick();
    expect(t.producers).toEqual({ made: 1, initialised: 0, closed: 0 });
    await t.handler()(batchOf(0, 3));
    expect(t.producers).toEqual({ made: 1, initialised: 1, closed: 0 });
    await t.consumer.close();
    expect(t.producers.closed).toBe(1);
  });

  it('is closed, never initialised, when the partition is revoked or the stage stops first', async () => {
    const t = assigningTransport();
    await t.consumer.start();
    t.assign([0, 1]);
    t.assign([1]); // partition 0 revoked before any batch
    await tick();
    expect(t.producers).toEqual({ made: 2, initialised: 0, closed: 1 });
    await t.consumer.close();
    await tick();
    expect(t.producers).toEqual({ made: 2, initialised: 0, closed: 2 });
  });
});
