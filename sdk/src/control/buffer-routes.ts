/** REST routes of the controller for buffer topics: list (with record counts and reader lags) and create. */
import type { BufferClient } from '../buffer/client.js';
import type { PartitionOffsets } from '../buffer/transport-types.js';
import type { Controller } from './controller.js';
import { HttpError, readJson, sendJson, type Router } from './http.js';
import { readerLags } from './reader-lag.js';
import { hiddenTopics, seesGroup } from './topic-scope.js';

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;

/** Adds `GET /buffers/topics` (per-user view: topic-scope.ts) and `POST /buffers/topics`. */
export function addBufferRoutes(router: Router, ctl: Controller, limit: number): void {
  const { buffer, registry } = ctl;
  router.add('GET', '/buffers/topics', async ({ res, url, user }) => {
    const admin = await buffer.admin();
    const match = url.searchParams.get('match') ?? '';
    const hidden = hiddenTopics(registry, user);
    const names = (await admin.listTopics())
      .filter(t => !t.startsWith('__') && t.includes(match) && !hidden.has(t))
      .sort();
    const infos = names.length > 0 ? await admin.describeTopics(names) : [];
    // Offsets cost a few Kafka requests per topic: only for a short (narrowed) list.
    const offsets =
      names.length <= RECORDS_MAX_TOPICS ? await topicOffsets(buffer, names) : new Map();
    // notebooks' resume groups and how far behind they are (shown in the topics panel)
    const readers = await readerLags(buffer, offsets, OFFSETS_TIMEOUT_MS, g => seesGroup(g, user));
    sendJson(res, 200, {
      bootstrapServers: buffer.bootstrapServers,
      ...(names.length > RECORDS_MAX_TOPICS && {
        recordsOmitted: `${names.length} topics: record counts come for at most ${RECORDS_MAX_TOPICS}; narrow the list with ?match=<part of the name>.`
      }),
      topics: infos.map(t => ({
        topic: t.topic,
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        ...offsetFields(offsets.get(t.topic)),
        ...(readers.has(t.topic) && { groups: readers.get(t.topic) })
      }))
    });
  });

  router.add('POST', '/buffers/topics', async ({ req, res }) => {
    const body = await readJson(req, limit);
    const topic = body.topic;
    if (typeof topic !== 'string' || !TOPIC_RE.test(topic)) {
      throw new HttpError(
        400,
        'topic must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-".'
      );
    }
    const partitions = body.partitions ?? 3;
    const replicationFactor = body.replicationFactor ?? 1;
    if (
      typeof partitions !== 'number' ||
      !Number.isInteger(partitions) ||
      partitions < 1 ||
      partitions > 1000
    ) {
      throw new HttpError(400, 'partitions must be an integer from 1 to 1000.');
    }
    if (
      typeof replicationFactor !== 'number' ||
      !Number.isInteger(replicationFactor) ||
      replicationFactor < 1 ||
      replicationFactor > 10
    ) {
      throw new HttpError(
        400,
        'replicationFactor must be an integer from 1 to 10 (at most the brokers in the buffer set).'
      );
    }
    const { brokers } = await (await buffer.admin()).describeCluster();
    if (replicationFactor > brokers.length) {
      // the broker would refuse it (INVALID_REPLICATION_FACTOR): a bad request, not a 500
      throw new HttpError(
        400,
        `replicationFactor ${replicationFactor} is more than the ${brokers.length} broker(s) of the buffer set.`
      );
    }
    const r = await buffer.createTopics([{ topic, partitions, replicationFactor }]);
    sendJson(res, r.created.length > 0 ? 201 : 200, {
      topic,
      created: r.created.length > 0,
      partitions,
      replicationFactor
    });
  });
}

/** GET /buffers/topics counts records when it lists at most this many topics. */
const RECORDS_MAX_TOPICS = 25;

/** How long GET /buffers/topics waits for end offsets before listing topics without them. */
const OFFSETS_TIMEOUT_MS = 5000;

/**
 * End offsets of `topics` through a short-lived admin client, so the controller's shared admin
 * never collects the whole cluster's topics (a client may keep every topic it fetched offsets for
 * in its metadata and fail once one of them is deleted). Topics whose offsets did not come
 * (deleted meanwhile, or past the time limit) are left out.
 */
async function topicOffsets(
  buffer: BufferClient,
  topics: string[]
): Promise<Map<string, PartitionOffsets[]>> {
  const out = new Map<string, PartitionOffsets[]>();
  if (topics.length === 0) {
    return out;
  }
  const admin = await buffer.transport.admin();
  const all = Promise.all(
    topics.map(t =>
      admin.endOffsets(t).then(
        o => void out.set(t, o),
        () => undefined
      )
    )
  ).finally(() => admin.close().catch(() => undefined));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise(r => (timer = setTimeout(r, OFFSETS_TIMEOUT_MS)))]);
  clearTimeout(timer);
  return new Map(out);
}

/** `endOffsets` per partition and `records` (end minus start, transaction markers included). */
function offsetFields(offsets: PartitionOffsets[] | undefined): Record<string, unknown> {
  return offsets
    ? {
        endOffsets: Object.fromEntries(offsets.map(o => [o.partition, o.high])),
        records: offsets.reduce((n, o) => n + (o.high - o.low), 0n)
      }
    : {};
}
