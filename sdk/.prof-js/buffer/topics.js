/**
 * Topic-level views over the admin client: consumer lag per partition, a full description of a
 * topic (partitions, leader/replicas/ISR, offsets, the groups reading it), and creating the topics
 * of a buffer set.
 */
import { topicConfigsOf } from './config.js';
/** Topic configs alertlab sets unless the buffer set says otherwise: alerts are large records. */
export const DEFAULT_TOPIC_CONFIGS = {
    'max.message.bytes': String(16 * 1024 * 1024)
};
/** Lag of `group` on every partition of `topic`. */
export async function lagOf(admin, topic, group) {
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
/** Groups with commits on `topic` or members assigned to it. */
async function groupsOnTopic(admin, topic) {
    const groups = (await admin.listGroups()).filter(g => g.protocolType === 'consumer' || g.protocolType === '');
    if (groups.length === 0) {
        return [];
    }
    const described = new Map((await admin.describeGroups(groups.map(g => g.groupId))).map(g => [g.groupId, g]));
    const out = [];
    for (const { groupId } of groups) {
        const info = described.get(groupId);
        const assignment = {};
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
export async function describeTopic(admin, topic) {
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
export async function createBufferSetTopics(admin, set) {
    const configs = { ...DEFAULT_TOPIC_CONFIGS, ...topicConfigsOf(set) };
    return admin.createTopics(set.topics.map(topic => ({
        topic,
        partitions: set.partitions,
        replicationFactor: set.replicationFactor,
        configs
    })));
}
/** One line per topic (internal `__` topics left out). */
export async function summarizeTopics(admin, topics) {
    const names = (topics ?? (await admin.listTopics())).filter(t => !t.startsWith('__'));
    if (names.length === 0) {
        return [];
    }
    const infos = await admin.describeTopics(names);
    return Promise.all(infos.map(async (info) => {
        const offsets = await admin.endOffsets(info.topic);
        return {
            topic: info.topic,
            partitions: info.partitions.length,
            replicationFactor: info.partitions[0]?.replicas.length ?? 0,
            records: offsets.reduce((n, o) => n + (o.high - o.low), 0n)
        };
    }));
}
