/**
 * Guards a batch send against a kafkajs 2.2.4 retry bug (tulios/kafkajs#1303). `sendBatch` keeps
 * one response per broker across its retries and skips brokers that already answered; when a
 * leader stops mid-send, its partitions move to a broker that has answered, are never re-sent,
 * and the send resolves as if everything was written (acks=all, idempotent or in a transaction
 * alike). kafkajs also re-runs the partitioner on each retry, so keyless messages could change
 * partition between attempts.
 *
 * The transport therefore (1) pins each message to the partition first chosen for it
 * ({@link stickyPartitioner}), and (2) after a send, re-sends the messages of every partition that
 * no response covers ({@link unansweredMessages}). Re-sending keeps the idempotent producer's
 * sequence numbers valid: kafkajs rolls a partition's sequence back when its request fails, and a
 * batch the new leader already holds is acknowledged as a duplicate, not written twice.
 * No kafkajs import here: transport.ts passes its partitioner in.
 */

/** What kafkajs passes to a partitioner (structurally; only what is used here). */
export interface PartitionerArgs {
  topic: string;
  partitionMetadata: readonly unknown[];
  message: object;
}

export type PartitionFn = (args: PartitionerArgs) => number;

/** Remembers each message object's partition. */
export type PartitionMemory = WeakMap<object, number>;

/**
 * Wraps `inner`: the first partition chosen for a message object is returned again on every retry
 * (while the topic still has that partition), as the Java client does.
 */
export function stickyPartitioner(inner: PartitionFn, memory: PartitionMemory): PartitionFn {
  return args => {
    const known = memory.get(args.message);
    if (known !== undefined && known < args.partitionMetadata.length) {
      return known;
    }
    const partition = inner(args);
    memory.set(args.message, partition);
    return partition;
  };
}

/** A per-partition result of a send, as kafkajs reports it. */
export interface PartitionAnswer {
  topicName: string;
  partition: number;
}

/**
 * The messages whose partition no answer covers, pinned to that partition (`partition` set),
 * grouped by topic; empty when every message's partition was acknowledged. Messages the
 * partitioner never saw (the send did not get that far) count as unanswered too.
 */
export function unansweredMessages<M extends { partition?: number }>(
  topicMessages: ReadonlyArray<{ topic: string; messages: readonly M[] }>,
  answers: readonly PartitionAnswer[],
  memory: PartitionMemory
): { topic: string; messages: M[] }[] {
  const answered = new Set(answers.map(a => `${a.partition}:${a.topicName}`));
  const out: { topic: string; messages: M[] }[] = [];
  for (const { topic, messages } of topicMessages) {
    const missing: M[] = [];
    for (const m of messages) {
      const partition = m.partition ?? memory.get(m);
      if (partition === undefined || !answered.has(`${partition}:${topic}`)) {
        missing.push(partition === undefined ? m : { ...m, partition });
      }
    }
    if (missing.length > 0) {
      out.push({ topic, messages: missing });
    }
  }
  return out;
}
