/**
 * The admin client of the confluent transport, on the package's promise admin API. The cluster's
 * id and controller come from one Metadata request of our own (local/probe.ts): librdkafka's admin
 * does not expose them. Group states arrive as numbers and are named as Kafka names them.
 */
import { TopicNotFoundError } from '../../errors.js';
import { probeMetadata } from '../local/probe.js';
import type { Retrier } from '../retry.js';
import { waitUntilListed } from '../topic-visible.js';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';
import {
  callback,
  type KjsAdmin,
  type RdKafkaConsumer,
  type RdTopicPartitionOffset
} from './client.js';
import type { GroupHandlePool } from './group-handles.js';

/** librdkafka's ConsumerGroupStates, by number. */
const GROUP_STATES = [
  'Unknown',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
  'Empty'
];

async function describeCluster(bootstrapServers: string[]) {
  let lastError: unknown;
  for (const server of bootstrapServers) {
    const at = server.lastIndexOf(':');
    try {
      const m = await probeMetadata(server.slice(0, at), Number(server.slice(at + 1)), 5_000);
      return {
        clusterId: m.clusterId ?? '',
        controller: m.controllerId >= 0 ? m.controllerId : null,
        brokers: m.brokers.map(b => ({ nodeId: b.nodeId, host: b.host, port: b.port }))
      };
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

/**
 * `groupHandles`: consumer handles by group (see transport.ts), leased for each read, whose
 * `committed` reads group offsets. Not the admin API's fetchOffsets (ListConsumerGroupOffsets): when the group coordinator
 * answers it with NOT_COORDINATOR (the coordinator moved: a broker stopped), librdkafka 2.15 asks
 * the handle's consumer group to look the coordinator up again, and an admin handle has none: a
 * NULL dereference, SIGSEGV (librdkafka issue 5040). A consumer handle has its group and retries.
 */
export function createAdmin(
  admin: KjsAdmin,
  bootstrapServers: string[],
  retry: Retrier,
  ctx: Record<string, unknown>,
  groupHandles: GroupHandlePool<RdKafkaConsumer>
): T.AdminClient {
  const timeout = 30_000;
  const call = async <R>(
    operation: string,
    extra: Record<string, unknown>,
    fn: () => Promise<R>
  ) => {
    try {
      return await retry(fn);
    } catch (e) {
      throw wrapError(e, operation, { ...ctx, ...extra });
    }
  };
  const listTopics = () => admin.listTopics({ timeout });
  const mustExist = async (topics: string[]) => {
    const existing = new Set(await listTopics());
    const missing = topics.find(t => !existing.has(t));
    if (missing !== undefined) {
      throw new TopicNotFoundError(
        `Topic "${missing}" does not exist. Create it with \`alertlab buffer create\`.`,
        { context: { topic: missing } }
      );
    }
  };
  const describeTopics = (topics: string[]) =>
    call('describe topics', { topic: topics.length === 1 ? topics[0] : undefined }, async () => {
      await mustExist(topics);
      const meta = await admin.fetchTopicMetadata({ topics, timeout });
      return meta.map(t => ({
        topic: t.name,
        partitions: t.partitions
          .map(p => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: []
          }))
          .sort((a, b) => a.partition - b.partition)
      }));
    });
  return {
    createTopics: specs =>
      call('create topics', {}, async () => {
        const existingNow = new Set(await listTopics());
        const existing = specs.filter(s => existingNow.has(s.topic)).map(s => s.topic);
        const todo = specs.filter(s => !existingNow.has(s.topic));
        if (todo.length > 0) {
          await admin.createTopics({
            timeout,
            topics: todo.map(s => ({
              topic: s.topic,
              numPartitions: s.partitions ?? 1,
              replicationFactor: s.replicationFactor ?? 1,
              configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({
                name,
                value
              }))
            }))
          });
          await waitUntilListed(
            listTopics,
            todo.map(s => s.topic)
          );
        }
        return { created: todo.map(s => s.topic), existing };
      }),
    deleteTopics: topics =>
      call('delete topics', {}, async () => {
        const existing = new Set(await listTopics());
        const todo = topics.filter(t => existing.has(t));
        if (todo.length > 0) {
          await admin.deleteTopics({ topics: todo, timeout });
        }
      }),
    listTopics: () => call('list topics', {}, async () => (await listTopics()).sort()),
    describeTopics,
    describeCluster: () => call('describe cluster', {}, () => describeCluster(bootstrapServers)),
    endOffsets: topic =>
      call('fetch end offsets', { topic }, async () => {
        await mustExist([topic]);
        const offsets = await admin.fetchTopicOffsets(topic, { timeout });
        return offsets
          .map(o => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    offsetsForTimestamp: (topic, timestampMs) =>
      call('fetch offsets by timestamp', { topic }, async () => {
        await mustExist([topic]);
        const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs, { timeout });
        return offsets
          .map(o => ({ topic, partition: o.partition, offset: BigInt(o.offset) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    groupOffsets: (groupId, topic) =>
      call('fetch group offsets', { topic, groupId }, async () => {
        const [meta] = await admin.fetchTopicMetadata({ topics: [topic], timeout });
        const partitions = (meta?.partitions ?? []).map(p => ({ topic, partition: p.partitionId }));
        if (partitions.length === 0) {
          return [];
        }
        // A read: trying again is safe, and what fails it is mostly the coordinator moving or
        // loading, or its broker handle replaced ("Broker handle destroyed") — passing. A
        // partition's error is a bare message (no code).
        const retriable = (e: unknown) =>
          Object.assign(e as Error, { retriable: !/unknown topic|authoriz/i.test(String(e)) });
        const got = await groupHandles
          .with(groupId, handle =>
            callback<Array<Partial<RdTopicPartitionOffset> | Error>>(cb =>
              handle.committed(partitions, timeout, cb)
            )
          )
          .catch((e: unknown) => {
            throw retriable(e);
          });
        const failed = got.find(p => p instanceof Error);
        if (failed !== undefined) {
          throw retriable(failed);
        }
        return (got as Array<Partial<RdTopicPartitionOffset>>)
          .map(p => ({
            topic,
            partition: p.partition as number,
            offset: p.offset === undefined || p.offset < 0 ? -1n : BigInt(p.offset),
            metadata: p.metadata === undefined || p.metadata === '' ? null : p.metadata
          }))
          .sort((a, b) => a.partition - b.partition);
      }),
    listGroups: () =>
      call('list groups', {}, async () =>
        (await admin.listGroups({ timeout })).groups
          .map(g => ({ groupId: g.groupId, protocolType: g.protocolType }))
          .sort((a, b) => a.groupId.localeCompare(b.groupId))
      ),
    describeGroups: groupIds =>
      call('describe groups', { groupIds }, async () =>
        (await admin.describeGroups(groupIds, { timeout })).groups.map(g => ({
          groupId: g.groupId,
          state: GROUP_STATES[g.state] ?? String(g.state),
          protocol: g.protocol,
          protocolType: g.protocolType,
          members: g.members.map(m => {
            const assignment: Record<string, number[]> = {};
            for (const tp of m.assignment?.topicPartitions ?? []) {
              (assignment[tp.topic] ??= []).push(tp.partition);
            }
            return {
              memberId: m.memberId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              assignment
            };
          })
        }))
      ),
    deleteGroups: groupIds =>
      call('delete groups', { groupIds }, async () => {
        await admin.deleteGroups(groupIds, { timeout });
      }),
    close: () => admin.disconnect()
  };
}
