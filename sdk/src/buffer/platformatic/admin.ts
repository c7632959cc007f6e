/**
 * The admin client of the @platformatic/kafka transport, on the package's Admin. Offsets come from
 * ListOffsets (earliest -2, latest -1, or a timestamp); group offsets from OffsetFetch for every
 * partition of the topic, so a partition without a commit reads -1n as the interface says.
 */
import type { Admin } from '@platformatic/kafka';
import { TopicNotFoundError } from '../../errors.js';
import type { Retrier } from '../retry.js';
import { waitUntilListed } from '../topic-visible.js';
import type * as T from '../transport-types.js';
import { guarded } from './common.js';

const EARLIEST = -2n;
const LATEST = -1n;

export function createAdmin(
  admin: Admin,
  retry: Retrier,
  ctx: Record<string, unknown>
): T.AdminClient {
  const call = <R>(operation: string, extra: Record<string, unknown>, fn: () => Promise<R>) =>
    guarded(operation, { ...ctx, ...extra }, () => retry(fn));
  const listTopics = () => admin.listTopics({ includeInternals: false });
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
  const partitionCount = async (topic: string) => {
    const meta = await admin.metadata({ topics: [topic], forceUpdate: true });
    return meta.topics.get(topic)?.partitionsCount ?? 0;
  };
  /** Per partition: the offset ListOffsets gives for `timestamp`. */
  const listOffsets = async (topic: string, timestamp: bigint) => {
    await mustExist([topic]);
    const count = await partitionCount(topic);
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({
      partitionIndex,
      timestamp
    }));
    const [res] = await admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return new Map(res.partitions.map(p => [p.partitionIndex, p.offset]));
  };
  return {
    createTopics: specs =>
      call('create topics', {}, async () => {
        const existingNow = new Set(await listTopics());
        const existing = specs.filter(s => existingNow.has(s.topic)).map(s => s.topic);
        const todo = specs.filter(s => !existingNow.has(s.topic));
        for (const s of todo) {
          await admin.createTopics({
            topics: [s.topic],
            partitions: s.partitions ?? 1,
            replicas: s.replicationFactor ?? 1,
            configs: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value }))
          });
        }
        if (todo.length > 0) {
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
          await admin.deleteTopics({ topics: todo });
        }
      }),
    listTopics: () => call('list topics', {}, async () => (await listTopics()).sort()),
    describeTopics: topics =>
      call('describe topics', { topic: topics.length === 1 ? topics[0] : undefined }, async () => {
        await mustExist(topics);
        const meta = await admin.metadata({ topics, forceUpdate: true });
        return topics.map(topic => ({
          topic,
          partitions: (meta.topics.get(topic)?.partitions ?? []).map((p, partition) => ({
            partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas
          }))
        }));
      }),
    describeCluster: () =>
      call('describe cluster', {}, async () => {
        const meta = await admin.metadata({ topics: [], forceUpdate: true });
        return {
          clusterId: meta.id,
          controller: meta.controllerId >= 0 ? meta.controllerId : null,
          brokers: [...meta.brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port }))
        };
      }),
    endOffsets: topic =>
      call('fetch end offsets', { topic }, async () => {
        const [low, high] = [await listOffsets(topic, EARLIEST), await listOffsets(topic, LATEST)];
        return [...high.keys()]
          .sort((a, b) => a - b)
          .map(partition => ({
            partition,
            low: low.get(partition) ?? 0n,
            high: high.get(partition) ?? 0n
          }));
      }),
    offsetsForTimestamp: (topic, timestampMs) =>
      call('fetch offsets by timestamp', { topic }, async () => {
        const [at, high] = [
          await listOffsets(topic, BigInt(timestampMs)),
          await listOffsets(topic, LATEST)
        ];
        return [...high.keys()]
          .sort((a, b) => a - b)
          .map(partition => {
            const offset = at.get(partition) ?? -1n;
            return { topic, partition, offset: offset < 0n ? (high.get(partition) ?? 0n) : offset };
          });
      }),
    groupOffsets: (groupId, topic) =>
      call('fetch group offsets', { topic, groupId }, async () => {
        const count = await partitionCount(topic);
        const partitionIndexes = Array.from({ length: count }, (_, i) => i);
        const [group] = await admin.listConsumerGroupOffsets({
          groups: [{ groupId, topics: [{ name: topic, partitionIndexes }] }]
        });
        const found = group?.topics.find(t => t.name === topic)?.partitions ?? [];
        return found
          .map(p => ({
            topic,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            metadata: p.metadata === '' ? null : (p.metadata ?? null)
          }))
          .sort((a, b) => a.partition - b.partition);
      }),
    listGroups: () =>
      call('list groups', {}, async () =>
        [...(await admin.listGroups()).values()]
          .map(g => ({ groupId: g.id, protocolType: g.protocolType }))
          .sort((a, b) => a.groupId.localeCompare(b.groupId))
      ),
    describeGroups: groupIds =>
      call('describe groups', { groupIds }, async () => {
        const groups = await admin.describeGroups({ groups: groupIds });
        return groupIds.flatMap(id => {
          const g = groups.get(id);
          if (g === undefined) {
            return [];
          }
          return [
            {
              groupId: g.id,
              state: g.state,
              protocol: g.protocol,
              protocolType: g.protocolType,
              members: [...g.members.values()].map(m => {
                const assignment: Record<string, number[]> = {};
                for (const [topic, a] of m.assignments ?? new Map()) {
                  assignment[topic] = [...a.partitions].sort((x, y) => x - y);
                }
                return {
                  memberId: m.id,
                  clientId: m.clientId,
                  clientHost: m.clientHost,
                  assignment
                };
              })
            }
          ];
        });
      }),
    deleteGroups: groupIds =>
      call('delete groups', { groupIds }, async () => {
        await admin.deleteGroups({ groups: groupIds });
      }),
    close: () => admin.close()
  };
}
