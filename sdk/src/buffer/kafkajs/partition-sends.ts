/**
 * One client send per partition. kafkajs 2.2.4's `sendBatch` retries a multi-broker send wrongly
 * when a partition leader moves (seen with a broker stopped under acks=all, idempotent and
 * transactional producers alike; see tulios/kafkajs#1303):
 * - it keeps one response per broker across retries and skips brokers that already answered, so
 *   partitions that moved to such a broker are never re-sent, yet the send resolves (records lost);
 * - when one broker fails, the retry starts while requests to the other brokers are still in
 *   flight; it sees no response from them yet and sends their partitions again, with the next
 *   sequence numbers, once they answer (records written twice).
 * A send that holds a single partition has one request in flight and nothing to skip, so the
 * transport picks each record's partition itself (with the client's partitioner, on cached topic
 * metadata) and sends each partition's records as one batch, all partitions concurrently — unless
 * every partition of the send has one replica, on one and the same broker: then no leader can
 * move, neither bug can happen, and one request carries everything (a single-node Kafka).
 * No kafkajs import here: transport.ts supplies the metadata loader.
 */

/** Records of one partition of one topic. */
export interface PartitionBatch<M> {
  topic: string;
  partition: number;
  messages: M[];
}

/** Groups messages by (topic, partition), keeping their order within each partition. */
export function groupByPartition<M extends { partition: number }>(
  topicMessages: ReadonlyArray<{ topic: string; messages: readonly M[] }>
): PartitionBatch<M>[] {
  const out = new Map<string, PartitionBatch<M>>();
  for (const { topic, messages } of topicMessages) {
    for (const m of messages) {
      const key = `${m.partition}:${topic}`;
      const batch = out.get(key);
      if (batch) {
        batch.messages.push(m);
      } else {
        out.set(key, { topic, partition: m.partition, messages: [m] });
      }
    }
  }
  return [...out.values()];
}

/**
 * True when each partition's only replica is one and the same broker (so no leader can move and
 * one request may carry them all). Unknown replicas (undefined) count as "may move".
 */
export function soleReplicaBroker(
  replicaSets: ReadonlyArray<readonly number[] | undefined>
): boolean {
  const first = replicaSets[0];
  return first?.length === 1 && replicaSets.every(r => r?.length === 1 && r[0] === first[0]);
}

/** Partition metadata per topic, loaded on first use and again once older than `maxAgeMs`. */
export class TopicMetadataCache<P> {
  private readonly entries = new Map<string, { atMs: number; value: Promise<P[]> }>();

  /**
   * @param load - fetches a topic's partitions (rejects for an unknown topic)
   * @param maxAgeMs - how long an answer is reused @default 30000
   */
  constructor(
    private readonly load: (topic: string) => Promise<P[]>,
    private readonly maxAgeMs = 30_000,
    private readonly now: () => number = Date.now
  ) {}

  get(topic: string): Promise<P[]> {
    const hit = this.entries.get(topic);
    if (hit && this.now() - hit.atMs <= this.maxAgeMs) {
      return hit.value;
    }
    const value = this.load(topic);
    this.entries.set(topic, { atMs: this.now(), value });
    value.catch(() => this.entries.delete(topic)); // a failure is never cached
    return value;
  }
}
