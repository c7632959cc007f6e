/**
 * The consumer of the @platformatic/kafka transport. The package's Consumer keeps the group
 * membership (`joinGroup`: JoinGroup/SyncGroup, heartbeats, rejoining on a rebalance) and fetches
 * (`fetch`: one Fetch request to a node, aborted transactions filtered); the positions, seeks,
 * pauses and per-partition batches the interface promises are kept here (fetch-loop.ts), because
 * the package's MessagesStream has no per-partition seek or pause.
 */
import { Consumer } from '@platformatic/kafka';
import { KafkaTransportError } from '../../errors.js';
import type { Logger } from '../log.js';
import type * as T from '../transport-types.js';
import { baseOptions, guarded } from './common.js';
import { FetchLoop } from './fetch-loop.js';

export function createConsumer(
  options: T.TransportOptions,
  opts: T.ConsumerOptions,
  logger: Logger,
  ctx: Record<string, unknown>
): T.ConsumerClient {
  const groupId = opts.groupId;
  const context = { ...ctx, groupId };
  if ((opts.groupProtocol ?? 'classic') !== 'classic') {
    throw new KafkaTransportError(
      'The platformatic transport has no KIP-848 (groupProtocol "consumer"): the package joins a ' +
        'consumer-protocol group only inside its MessagesStream, which cannot seek or pause one ' +
        'partition. Use groupProtocol "classic", or the confluent client.',
      { context }
    );
  }
  const group = {
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: opts.heartbeatIntervalMs ?? 3_000,
    rebalanceTimeout: opts.rebalanceTimeoutMs ?? 60_000
  };
  const consumer = new Consumer({
    ...baseOptions(options, 'consumer'),
    groupId,
    ...group,
    autocommit: false,
    isolationLevel: (opts.readCommitted ?? true) ? 1 : 0,
    maxWaitTime: opts.maxWaitTimeMs ?? 500,
    maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 10 * 1024 * 1024
  });
  const assignmentListeners = new Set<(a: Record<string, number[]>) => void>();
  const disconnectListeners = new Set<() => void>();
  const crashListeners = new Set<(error: Error, restarting: boolean) => void>();
  const loop = new FetchLoop(consumer, opts, logger, assignment => {
    for (const listener of assignmentListeners) {
      listener(assignment);
    }
  });
  let closed = false;
  let rejoining = false;
  const join = () => consumer.joinGroup(group);
  // a rejoin the package could not complete: report it, and join again ourselves
  consumer.on('error', (error: Error) => {
    if (closed) {
      return;
    }
    for (const listener of crashListeners) {
      listener(error, true);
    }
    if (!rejoining) {
      rejoining = true;
      setTimeout(() => {
        join()
          .catch((e: unknown) => logger.info(`platformatic consumer rejoin failed: ${String(e)}`))
          .finally(() => (rejoining = false));
      }, 1_000).unref();
    }
  });
  consumer.on('consumer:group:join', () => loop.assigned(consumer.assignments ?? []));
  const on = <L>(set: Set<L>, listener: L) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  return {
    groupId,
    subscribe: (topics, subscribeOptions = {}) =>
      guarded('subscribe', { ...context, topic: topics.join(',') }, async () => {
        await consumer.metadata({ topics, autocreateTopics: false });
        consumer.topics.trackAll(...topics);
        loop.fromBeginning = subscribeOptions.fromBeginning ?? false;
        if (loop.running) {
          await join();
        }
      }),
    run: (handler, runOptions = {}) =>
      guarded('run consumer', context, async () => {
        await join();
        loop.start(handler, runOptions.partitionsConcurrently ?? 1);
      }),
    seek: (topic, partition, offset) => loop.seek(topic, partition, offset),
    pause: (topic, partitions) => loop.pause(topic, partitions),
    resume: (topic, partitions) => loop.resume(topic, partitions),
    commit: offsets =>
      guarded('commit offsets', { ...context, topic: offsets[0]?.topic }, async () => {
        if (offsets.some(o => (o.metadata ?? null) !== null)) {
          throw new KafkaTransportError(
            'The platformatic consumer commits offsets without metadata; commit metadata in a transaction (sendOffsets).',
            { context }
          );
        }
        await consumer.commit({
          offsets: offsets.map(o => ({
            topic: o.topic,
            partition: o.partition,
            offset: o.offset,
            leaderEpoch: -1
          }))
        });
      }),
    onAssignment: listener => on(assignmentListeners, listener),
    onDisconnect: listener => on(disconnectListeners, listener),
    onCrash: listener => on(crashListeners, listener),
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await loop.stop();
      await consumer.close(true).catch(() => undefined);
      for (const listener of disconnectListeners) {
        listener();
      }
    }
  };
}
