/**
 * Lookups that stay up on a real broker whose topics change under them: a lookup without `topic`
 * searches the alert buffer topics (not every topic), `allTopics` searches every topic; a topic
 * deleted meanwhile is skipped and its index rows dropped; end offsets asked of a client whose
 * metadata is stale are asked again with a fresh client; `summarizeTopics` retries a stale
 * describe and throws (never a shorter list) when a topic cannot be described.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDecoder } from '../sdk/src/alerts/index.js';
import { BufferClient, createLogger, ocfToRecordValues } from '../sdk/src/buffer/index.js';
import { kafkajs } from '../sdk/src/buffer/kafkajs/patches.js';
import type { AdminSource } from '../sdk/src/buffer/stale-metadata.js';
import { summarizeTopics } from '../sdk/src/buffer/topics.js';
import { wrapError } from '../sdk/src/buffer/transport-errors.js';
import type { AdminClient } from '../sdk/src/buffer/transport-types.js';
import { LightcurveService } from '../sdk/src/objects/index.js';
import { catchUpTopic } from '../sdk/src/objects/catch-up.js';
import { ObjectIndex } from '../sdk/src/objects/object-index.js';

const ZTF = join(import.meta.dirname, '..', '..', 'shared', 'data', 'alerts', 'ztf');
const FILE = join(ZTF, 'ztf-31alerts.avro');
const present = existsSync(FILE);
if (!present && process.env.CI === 'true') {
  throw new Error(
    `lightcurve scope tests need the real ZTF sample alerts ${FILE} (missing under CI)`
  );
}
if (!present) {
  console.warn(`skipping lightcurve scope tests: sample alerts missing (${FILE})`);
}

const hex = (): string => randomBytes(4).toString('hex');
const run = hex();
const logger = createLogger({ level: 'error' });
let buffer: BufferClient;
let values: Uint8Array[];
let objectId: string;
const made: string[] = [];

async function topicWithAlerts(name: string): Promise<string> {
  const topic = `lcs-${run}-${name}`;
  made.push(topic);
  // a fresh client writes the test data: kafkajs's long-lived producer keeps stale metadata after
  // an earlier test deleted a topic and then refuses the new topic ("does not host this
  // topic-partition") for its whole retry budget
  const writer = await BufferClient.create({
    bootstrapServers: inject('bootstrapServers'),
    logger
  });
  try {
    await writer.createTopics([{ topic, partitions: 2 }]);
    await writer.produce(topic, values);
  } finally {
    await writer.close();
  }
  return topic;
}

/** What kafkajs throws (wrapped by the transport) when its metadata for a topic is stale. */
function staleError(topic: string): Error {
  const protocol = new kafkajs.KafkaJSProtocolError(
    Object.assign(new Error('This server does not host this topic-partition'), {
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      code: 3,
      retriable: true
    })
  );
  const exhausted = new kafkajs.KafkaJSNumberOfRetriesExceeded(protocol, {
    retryCount: 5,
    retryTime: 9000
  });
  return wrapError(exhausted, 'fetch end offsets', { topic });
}

/** The real admin, whose `method` answers as a client with stale metadata the first `times` calls. */
function staleFor(admin: AdminClient, method: 'endOffsets' | 'describeTopics', times: number) {
  let left = times;
  return new Proxy(admin, {
    get(target, key, receiver) {
      if (key === method) {
        return async (...args: [string & string[]]) => {
          if (left-- > 0) {
            throw staleError(String(args[0]));
          }
          return target[method](args[0]);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    }
  });
}

/** Waits until the broker no longer lists `topic` (a deletion takes a moment to apply). */
async function unlisted(topic: string): Promise<void> {
  const admin = await buffer.admin();
  for (let i = 0; i < 100 && (await admin.listTopics()).includes(topic); i++) {
    await new Promise(r => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!present) {
    return;
  }
  buffer = await BufferClient.create({ bootstrapServers: inject('bootstrapServers'), logger });
  values = ocfToRecordValues(new Uint8Array(readFileSync(FILE))).values;
  const batch = createDecoder('auto', { columns: [] }).decodeBatch(values).batch;
  objectId = String(batch.getChild('objectId')?.get(0));
});

afterAll(async () => {
  if (!present) {
    return;
  }
  await buffer.deleteTopics(made).catch(() => undefined);
  await buffer.close();
});

describe.skipIf(!present)('lightcurve lookups on a changing cluster', () => {
  it('without topic: the buffer topics and indexed ones, not every topic; allTopics: every one', async () => {
    const declared = await topicWithAlerts('declared');
    const other = await topicWithAlerts('other');
    const service = await LightcurveService.create({
      buffer,
      indexPath: ':memory:',
      archiveDirs: [],
      catchUpIntervalMs: 0,
      bufferTopics: [declared, `lcs-${run}-never-created`],
      topics: new RegExp(`^lcs-${run}-`) // not every topic other tests left on the broker
    });
    try {
      const r = await service.lightcurve(objectId);
      expect(r.found).toBe(1);
      expect(r.table.getChild('source')?.get(0)).toBe(declared);
      expect(await service.index.topics()).toEqual([declared]); // `other` was not read
      const none = await service.lightcurve('ZTF00nosuchobj');
      expect(none.message).toContain(declared);
      expect(none.message).toMatch(/all_topics=True/);
      const all = await service.lightcurve(objectId, { allTopics: true });
      expect(all.found).toBe(2);
      expect(await service.index.topics()).toEqual([declared, other].sort());
      // once indexed, a topic stays in the default scope
      expect((await service.lightcurve(objectId)).found).toBe(2);
    } finally {
      await service.close();
    }
  });

  it('a topic deleted after it was indexed is skipped and its rows dropped, not a failed lookup', async () => {
    const kept = await topicWithAlerts('kept');
    const doomed = await topicWithAlerts('doomed');
    const service = await LightcurveService.create({
      buffer,
      indexPath: ':memory:',
      archiveDirs: [],
      catchUpIntervalMs: 0,
      bufferTopics: [kept, doomed]
    });
    try {
      expect((await service.lightcurve(objectId)).found).toBe(2);
      await buffer.deleteTopics([doomed]);
      await unlisted(doomed);
      const r = await service.lightcurve(objectId);
      expect(r.found).toBe(1);
      expect(await service.index.topics()).toEqual([kept]);
      expect((await service.index.locate(objectId)).map(l => l.topic)).toEqual([kept]);
      await expect(service.lightcurve(objectId, { topic: doomed })).rejects.toThrow(
        /does not exist/
      );
    } finally {
      await service.close();
    }
  });

  it('catchUpTopic: a topic deleted meanwhile is gone (rows dropped), not an error', async () => {
    const topic = await topicWithAlerts('gone');
    const index = await ObjectIndex.open(':memory:');
    try {
      expect((await catchUpTopic(buffer.transport, buffer, index, topic)).alerts).toBe(
        values.length
      );
      await buffer.deleteTopics([topic]);
      await unlisted(topic);
      const r = await catchUpTopic(buffer.transport, buffer, index, topic);
      expect(r).toMatchObject({ gone: true, records: 0 });
      expect(await index.topics()).toEqual([]);
    } finally {
      index.close();
    }
  });

  it('end offsets refused on stale metadata are asked again with a fresh client', async () => {
    const topic = await topicWithAlerts('stale');
    const index = await ObjectIndex.open(':memory:');
    let refreshed = 0;
    const admins: AdminSource = {
      admin: async () => staleFor(await buffer.admin(), 'endOffsets', 1),
      refreshAdmin: async () => {
        refreshed++;
        return buffer.refreshAdmin();
      }
    };
    try {
      const r = await catchUpTopic(buffer.transport, admins, index, topic);
      expect(r.alerts).toBe(values.length);
      expect(refreshed).toBe(1);
      // a client that stays stale: a bounded number of attempts, then an error that says so
      const stuck: AdminSource = {
        admin: async () => staleFor(await buffer.admin(), 'endOffsets', 99),
        refreshAdmin: async () => staleFor(await buffer.refreshAdmin(), 'endOffsets', 99)
      };
      const t0 = performance.now();
      await expect(catchUpTopic(buffer.transport, stuck, index, topic)).rejects.toThrow(
        /stale metadata for topic .* after 4 attempts.*alertlab kafka status/
      );
      expect(performance.now() - t0).toBeLessThan(10_000);
    } finally {
      index.close();
    }
  });

  it('summarizeTopics: a stale describe is retried with a fresh client; a failing one throws', async () => {
    const a = await topicWithAlerts('sum-a');
    const b = await topicWithAlerts('sum-b');
    const real = await buffer.admin();
    const once = staleFor(real, 'describeTopics', 1);
    const got = await summarizeTopics(once, [a, b], { refresh: () => buffer.refreshAdmin() });
    expect(got.map(s => [s.topic, s.records])).toEqual([
      [a, BigInt(values.length)],
      [b, BigInt(values.length)]
    ]);
    const broken = new Proxy(real, {
      get: (target, key, receiver) =>
        key === 'endOffsets'
          ? async () => {
              throw new Error('broker said no');
            }
          : (Reflect.get(target, key, receiver) as unknown)
    });
    await expect(summarizeTopics(broken, [a, b])).rejects.toThrow(
      /Cannot describe topic "lcs-.*broker said no.*alertlab kafka status/
    );
  });
});
