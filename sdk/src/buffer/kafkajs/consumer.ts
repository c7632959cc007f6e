/** The consumer of the kafkajs transport: group membership, batches, seek, pause, commits. */
import type { Consumer, KafkaMessage } from 'kafkajs';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';

function toConsumed(m: KafkaMessage): T.ConsumedRecord {
  return {
    offset: BigInt(m.offset),
    timestampMs: Number(m.timestamp),
    key: m.key,
    value: m.value,
    headers: (m.headers ?? {}) as T.ConsumedRecord['headers']
  };
}

export function createConsumer(consumer: Consumer, groupId: string, ctx: Record<string, unknown>) {
  const call = async <R>(
    operation: string,
    extra: Record<string, unknown>,
    fn: () => Promise<R>
  ) => {
    try {
      return await fn();
    } catch (e) {
      throw wrapError(e, operation, { ...ctx, groupId, ...extra });
    }
  };
  const client: T.ConsumerClient = {
    groupId,
    subscribe: (topics, options = {}) =>
      call('subscribe', { topic: topics.join(',') }, () =>
        consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false })
      ),
    run: (handler, options = {}) =>
      call('run consumer', {}, () =>
        consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
          eachBatchAutoResolve: false,
          eachBatch: async p =>
            handler({
              topic: p.batch.topic,
              partition: p.batch.partition,
              highWatermark: BigInt(p.batch.highWatermark),
              records: p.batch.messages.map(toConsumed),
              resolveOffset: offset => p.resolveOffset(offset.toString()),
              heartbeat: p.heartbeat,
              isRunning: p.isRunning,
              isStale: p.isStale
            })
        })
      ),
    seek: (topic, partition, offset) =>
      consumer.seek({ topic, partition, offset: offset.toString() }),
    pause: (topic, partitions) => consumer.pause([{ topic, partitions }]),
    resume: (topic, partitions) => consumer.resume([{ topic, partitions }]),
    commit: offsets =>
      call('commit offsets', { topic: offsets[0]?.topic }, () =>
        consumer.commitOffsets(
          offsets.map(o => ({
            topic: o.topic,
            partition: o.partition,
            offset: o.offset.toString(),
            metadata: o.metadata ?? null
          }))
        )
      ),
    onAssignment: listener =>
      consumer.on(consumer.events.GROUP_JOIN, e => listener(e.payload.memberAssignment)),
    onDisconnect: listener => consumer.on(consumer.events.DISCONNECT, () => listener()),
    onCrash: listener =>
      consumer.on(consumer.events.CRASH, e =>
        listener(wrapError(e.payload.error, 'consume', { ...ctx, groupId }), e.payload.restart)
      ),
    close: () => consumer.disconnect()
  };
  return client;
}
