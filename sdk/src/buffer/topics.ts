/**
 * Topic-level views over the admin client: consumer lag per partition, a full description of a
 * topic (partitions, leader/replicas/ISR, offsets, the groups reading it), and creating the topics
 * of a buffer set.
 */
import { KafkaTransportError } from '../errors.js';
import { topicConfigsOf, type BufferSetConfig } from './config.js';
import { isRetriableError } from './retry.js';
import { withFreshAdmin, type AdminSource } from './stale-metadata.js';
import type { AdminClient, GroupInfo, PartitionInfo, PartitionOffsets } from './transport-types.js';

/** Topic configs alertlab sets unless the buffer set says otherwise: alerts are large records. */
export const DEFAULT_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'max.message.bytes': String(16 * 1024 * 1024)
};

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset (next to read), or null if it never committed here. */
  committedOffset: bigint | null;
  /** First stored offset. */
  lowOffset: bigint;
  /** Offset the next record will get. */
  endOffset: bigint;
  /** Records not yet committed: end − committed, or end − low when nothing is committed. */
  lag: bigint;
}

/** Lag of `group` on every partition of `topic`. */
export async function lagOf(
  admin: AdminClient,
  topic: string,
  group: string
): Promise<PartitionLag[]> {
  const [ends, commits] = await Promise.all([
    admin.endOffsets(topic),
    admin.groupOffsets(group, topic)
  ]);
  const byPartition = new Map(commits.map(c => [c.partition, c.offset]));
  return ends.map(e => {
    const c = byPartition.get(e.partition);
    const committedOffset = c === undefined || c < 0n ? null : c;
    const from = committedOffset ?? e.low;
    const lag = e.high - (from < e.low ? e.low : from);
    return {
      topic,
      partition: e.partition,
      committedOffset,
      lowOffset: e.low,
      endOffset: e.high,
      lag: lag < 0n ? 0n : lag
    };
  });
}

export interface GroupOnTopic {
  groupId: string;
  state: string;
  members: number;
  /** Which member holds which partition of this topic (memberId -> partitions). */
  assignment: Record<string, number[]>;
  partitions: PartitionLag[];
  totalLag: bigint;
}

export interface TopicReport {
  topic: string;
  partitions: Array<PartitionInfo & PartitionOffsets>;
  records: bigint;
  groups: GroupOnTopic[];
}

/** Groups with commits on `topic` or members assigned to it. */
async function groupsOnTopic(admin: AdminClient, topic: string): Promise<GroupOnTopic[]> {
  const groups = (await admin.listGroups()).filter(
    g => g.protocolType === 'consumer' || g.protocolType === ''
  );
  if (groups.length === 0) {
    return [];
  }
  const described = new Map<string, GroupInfo>(
    (await admin.describeGroups(groups.map(g => g.groupId))).map(g => [g.groupId, g])
  );
  const out: GroupOnTopic[] = [];
  for (const { groupId } of groups) {
    const info = described.get(groupId);
    const assignment: Record<string, number[]> = {};
    for (const m of info?.members ?? []) {
      const parts = m.assignment[topic];
      if (parts && parts.length > 0) {
        assignment[m.memberId] = [...parts].sort((a, b) => a - b);
      }
    }
    const partitions = await lagOf(admin, topic, groupId);
    const hasCommits = partitions.some(p => p.committedOffset !== null);
    if (!hasCommits && Object.keys(assignment).length === 0) {
      continue;
    }
    out.push({
      groupId,
      state: info?.state ?? 'Unknown',
      members: info?.members.length ?? 0,
      assignment,
      partitions,
      totalLag: partitions.reduce((n, p) => n + p.lag, 0n)
    });
  }
  return out;
}

/** Partitions (leader, replicas, ISR, offsets) and the consumer groups reading `topic`. */
export async function describeTopic(admin: AdminClient, topic: string): Promise<TopicReport> {
  const [[info], offsets] = await Promise.all([
    admin.describeTopics([topic]),
    admin.endOffsets(topic)
  ]);
  const byPartition = new Map(offsets.map(o => [o.partition, o]));
  const partitions = info.partitions.map(p => {
    const o = byPartition.get(p.partition) ?? { partition: p.partition, low: 0n, high: 0n };
    return { ...p, low: o.low, high: o.high };
  });
  return {
    topic,
    partitions,
    records: partitions.reduce((n, p) => n + (p.high - p.low), 0n),
    groups: await groupsOnTopic(admin, topic)
  };
}

/** Creates the topics of a buffer set; existing topics are reported, not an error. */
export async function createBufferSetTopics(
  admin: AdminClient,
  set: BufferSetConfig
): Promise<{ created: string[]; existing: string[] }> {
  const configs = { ...DEFAULT_TOPIC_CONFIGS, ...topicConfigsOf(set) };
  return admin.createTopics(
    set.topics.map(topic => ({
      topic,
      partitions: set.partitions,
      replicationFactor: set.replicationFactor,
      configs
    }))
  );
}

export interface TopicSummary {
  topic: string;
  partitions: number;
  replicationFactor: number;
  records: bigint;
}

/** Options of {@link summarizeTopics}. */
export interface SummarizeOptions {
  /**
   * A new admin client (fresh metadata) to retry with when `admin` answers from stale metadata.
   * @default none: retried with `admin` itself
   */
  refresh?: () => Promise<AdminClient>;
}

/**
 * One line per topic, in the order given (internal `__` topics left out). A topic deleted since it
 * was listed is left out; a describe that fails on stale metadata is retried (bounded, with a
 * refreshed client); any other failure is thrown, naming the topic — never a shorter list.
 */
export async function summarizeTopics(
  admin: AdminClient,
  topics?: string[],
  options: SummarizeOptions = {}
): Promise<TopicSummary[]> {
  const names = (topics ?? (await admin.listTopics())).filter(t => !t.startsWith('__'));
  let refreshing: Promise<AdminClient> | undefined;
  const source: AdminSource = {
    admin: async () => admin,
    // topics failing together share one new client
    refreshAdmin: () =>
      (refreshing ??= (options.refresh?.() ?? Promise.resolve(admin)).finally(() =>
        setTimeout(() => (refreshing = undefined), 0)
      ))
  };
  const summaries = await Promise.all(
    names.map(async topic => {
      try {
        const got = await withFreshAdmin(source, topic, async a => {
          const [[info], offsets] = await Promise.all([
            a.describeTopics([topic]),
            a.endOffsets(topic)
          ]);
          return {
            topic,
            partitions: info.partitions.length,
            replicationFactor: info.partitions[0]?.replicas.length ?? 0,
            records: offsets.reduce((n, o) => n + (o.high - o.low), 0n)
          };
        });
        return got.ok ? got.value : undefined;
      } catch (cause) {
        throw new KafkaTransportError(
          `Cannot describe topic "${topic}" on the Kafka cluster: ${(cause as Error).message} ` +
            'Check the brokers (`alertlab kafka status`), then list the topics again.',
          { cause, retriable: isRetriableError(cause), context: { topic } }
        );
      }
    })
  );
  return summaries.filter((s): s is TopicSummary => s !== undefined);
}
