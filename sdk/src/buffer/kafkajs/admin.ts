/** The admin client of the kafkajs transport. */
import type { Admin } from 'kafkajs';
import { TopicNotFoundError } from '../../errors.js';
import type { Retrier } from '../retry.js';
import { waitUntilListed } from '../topic-visible.js';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';
import { kafkajs } from './patches.js';

const { AssignerProtocol } = kafkajs;

export function createAdmin(
  admin: Admin,
  retry: Retrier,
  ctx: Record<string, unknown>
): T.AdminClient {
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
  const describeTopics = (topics: string[]) =>
    call('describe topics', { topic: topics.length === 1 ? topics[0] : undefined }, async () => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.find(t => !existing.has(t));
      if (missing !== undefined) {
        throw new TopicNotFoundError(
          `Topic "${missing}" does not exist. Create it with \`alertlab buffer create\`.`,
          { context: { topic: missing } }
        );
      }
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      return meta.map(t => ({
        topic: t.name,
        partitions: t.partitions
          .map(p => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas ?? []
          }))
          .sort((a, b) => a.partition - b.partition)
      }));
    });
  return {
    createTopics: specs =>
      call('create topics', {}, async () => {
        const existingNow = new Set(await admin.listTopics());
        const existing = specs.filter(s => existingNow.has(s.topic)).map(s => s.topic);
        const todo = specs.filter(s => !existingNow.has(s.topic));
        if (todo.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
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
            () => admin.listTopics(),
            todo.map(s => s.topic)
          );
        }
        return { created: todo.map(s => s.topic), existing };
      }),
    deleteTopics: topics =>
      call('delete topics', {}, async () => {
        const existing = new Set(await admin.listTopics());
        const todo = topics.filter(t => existing.has(t));
        if (todo.length > 0) {
          await admin.deleteTopics({ topics: todo });
        }
      }),
    listTopics: () => call('list topics', {}, async () => (await admin.listTopics()).sort()),
    describeTopics,
    describeCluster: () =>
      call('describe cluster', {}, async () => {
        const c = await admin.describeCluster();
        return { clusterId: c.clusterId, controller: c.controller, brokers: c.brokers };
      }),
    endOffsets: topic =>
      call('fetch end offsets', { topic }, async () => {
        await describeTopics([topic]);
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets
          .map(o => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    offsetsForTimestamp: (topic, timestampMs) =>
      call('fetch offsets by timestamp', { topic }, async () => {
        await describeTopics([topic]);
        const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
        return offsets
          .map(o => ({ topic, partition: o.partition, offset: BigInt(o.offset) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    groupOffsets: (groupId, topic) =>
      call('fetch group offsets', { topic, groupId }, async () => {
        const res = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (res.find(r => r.topic === topic)?.partitions ?? [])
          .map(p => ({
            topic,
            partition: p.partition,
            offset: BigInt(p.offset),
            metadata: p.metadata ?? null // stage: commit metadata
          }))
          .sort((a, b) => a.partition - b.partition);
      }),
    listGroups: () =>
      call('list groups', {}, async () =>
        (await admin.listGroups()).groups
          .map(g => ({ groupId: g.groupId, protocolType: g.protocolType }))
          .sort((a, b) => a.groupId.localeCompare(b.groupId))
      ),
    describeGroups: groupIds =>
      call('describe groups', { groupIds }, async () =>
        (await admin.describeGroups(groupIds)).groups.map(g => ({
          groupId: g.groupId,
          state: g.state,
          protocol: g.protocol,
          protocolType: g.protocolType,
          members: g.members.map(m => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment:
              g.protocolType === 'consumer' && m.memberAssignment.length > 0
                ? (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {})
                : {}
          }))
        }))
      ),
    deleteGroups: groupIds =>
      call('delete groups', { groupIds }, async () => {
        await admin.deleteGroups(groupIds);
      }),
    close: () => admin.disconnect()
  };
}
