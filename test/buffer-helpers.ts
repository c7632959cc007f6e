/** Helpers for the buffer integration tests: the broker, random topic names, sample data paths. */
import { randomBytes } from 'node:crypto';
import {
  SHARED_DATA_DIR,
  missingData,
  skipWithoutData
} from '../sdk/src/alerts/testing/samples.js';
import { join } from 'node:path';
import { afterEach, beforeEach, inject } from 'vitest';
import { BufferClient } from '../sdk/src/buffer/client.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import type {
  ConsumedRecord,
  KafkaTransport,
  TopicSpec
} from '../sdk/src/buffer/transport-types.js';
import { createLogger } from '../sdk/src/buffer/log.js';

export function bootstrapServers(): string[] {
  return inject('bootstrapServers').split(',');
}

export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A quiet logger for tests (kafkajs rebalance chatter stays out of the output). */
export const quietLogger = createLogger({ level: 'error' });

export async function withTransport<R>(fn: (t: KafkaTransport) => Promise<R>): Promise<R> {
  const transport = createTransport({
    bootstrapServers: bootstrapServers(),
    clientId: 'alertlab-test',
    logger: quietLogger
  });
  try {
    return await fn(transport);
  } finally {
    await transport.close();
  }
}

/** Creates topics, runs fn, deletes the topics. */
export async function withTopics<R>(
  transport: KafkaTransport,
  specs: TopicSpec[],
  fn: () => Promise<R>
): Promise<R> {
  const admin = await transport.admin();
  try {
    await admin.createTopics(specs);
    return await fn();
  } finally {
    await admin.deleteTopics(specs.map(s => s.topic)).catch(() => undefined);
    await admin.close();
  }
}

export type Received = ConsumedRecord & { partition: number };

/** Reads `count` records of `topic` with a fresh consumer (group `groupId`), then closes it. */
export async function consumeRecords(
  transport: KafkaTransport,
  topic: string,
  options: { count: number; groupId?: string; readCommitted?: boolean; timeoutMs?: number }
): Promise<Received[]> {
  const consumer = await transport.consumer({
    groupId: options.groupId ?? randomName('test-reader'),
    readCommitted: options.readCommitted ?? true,
    maxWaitTimeMs: 100
  });
  const got: Received[] = [];
  try {
    await consumer.subscribe([topic], { fromBeginning: true });
    let done: () => void = () => undefined;
    const finished = new Promise<void>(resolve => (done = resolve));
    await consumer.run(async batch => {
      for (const r of batch.records) {
        got.push({ ...r, partition: batch.partition });
        batch.resolveOffset(r.offset);
      }
      if (got.length >= options.count) {
        done();
      }
    });
    await Promise.race([finished, sleep(options.timeoutMs ?? 30_000)]);
    return got;
  } finally {
    await consumer.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`Condition not met within ${timeoutMs} ms`);
    }
    await sleep(100);
  }
}

/** The real alert samples (see /work/shared/data/README.md). */
export const DATA_DIR = SHARED_DATA_DIR;
export const RUBIN_FILE = join(DATA_DIR, 'alerts', 'rubin', 'rubin-v10-7alerts.avro');
export const ZTF_FILE = join(DATA_DIR, 'alerts', 'ztf', 'ztf-31alerts.avro');
export const ZTF_SINGLE = ['ZTF19acihgng', 'ZTF19acxxwrs', 'ZTF19acyfkzd', 'ZTF19acyjzeo'].map(n =>
  join(DATA_DIR, 'alerts', 'ztf', `${n}.avro`)
);
export const DATA_MISSING = missingData([RUBIN_FILE, ZTF_FILE]);
export const hasData = DATA_MISSING === undefined;
/** For `describe.runIf(...)`: runs with the samples; without them skips, but fails under CI. */
export function runWithData(): boolean {
  return !skipWithoutData(DATA_MISSING);
}
export const NO_DATA_MESSAGE = `sample alerts not found: ${DATA_DIR} is missing (see the README's test data section)`;

/** A BufferClient opened before and closed after every test, with the topics it made deleted. */
export interface BufferTestContext {
  readonly client: BufferClient;
  /** Topics to delete after the current test. */
  readonly topics: string[];
  /** Creates a random topic (deleted after the test) and returns its name. */
  newTopic(prefix: string, partitions: number): Promise<string>;
}

/** Registers beforeEach/afterEach hooks that open and close a BufferClient for each test. */
export function useBufferClient(): BufferTestContext {
  let current: BufferClient | undefined;
  let topics: string[] = [];
  beforeEach(async () => {
    current = await BufferClient.create({
      bootstrapServers: bootstrapServers(),
      logger: quietLogger
    });
    topics = [];
  });
  afterEach(async () => {
    await current?.deleteTopics(topics).catch(() => undefined);
    await current?.close();
    current = undefined;
  });
  const context: BufferTestContext = {
    get client(): BufferClient {
      if (current === undefined) {
        throw new Error('BufferClient is only open inside a test (see useBufferClient)');
      }
      return current;
    },
    get topics(): string[] {
      return topics;
    },
    async newTopic(prefix: string, partitions: number): Promise<string> {
      const topic = randomName(prefix);
      topics.push(topic);
      await context.client.createTopics([{ topic, partitions }]);
      return topic;
    }
  };
  return context;
}
