/**
 * The kafkajs implementation of the transport interface (transport-types.ts), chosen with
 * ALERTLAB_KAFKA_CLIENT=kafkajs (see ../transport.ts). kafkajs is imported by this folder alone,
 * with the internals patches.ts replaces. kafkajs logs go to our logger, quietly: its errors are
 * our info, everything else our debug (failures reach callers as thrown errors).
 */
import type {
  Admin,
  LogEntry,
  logLevel as KafkaLogLevel,
  PartitionMetadata,
  Producer,
  Transaction
} from 'kafkajs';
import { KafkaTransportError } from '../../errors.js';
import { getDefaultLogger, type Logger } from '../log.js';
import { createRetry } from '../retry.js';
import { securityFailure, transportSecurity } from '../security-clients.js';
import { securityPreflight } from '../security-preflight.js';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';
import { createAdmin } from './admin.js';
import { createConsumer } from './consumer.js';
import { kafkajsSecurity } from './security.js';
import { TopicMetadataCache } from './partition-sends.js';
import { kafkajs } from './patches.js';
import { sendWith, type Router } from './producer.js';

const { Kafka, logLevel, Partitioners } = kafkajs;

function kafkajsLevel(logger: Logger): KafkaLogLevel {
  if (logger.enabled('debug')) {
    return logLevel.INFO;
  }
  return logger.enabled('info') ? logLevel.ERROR : logLevel.NOTHING;
}

/** kafkajs errors become our info (they surface as thrown errors anyway), the rest debug. */
function logCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _t, ...fields } = log;
      const target = level <= logLevel.ERROR ? 'info' : 'debug';
      logger[target](`kafkajs ${namespace}: ${String(message)}`, fields);
    };
}

/** Creates a transport on kafkajs. Connections open lazily, one per client made. */
export function createKafkajsTransport(options: T.TransportOptions): T.KafkaTransport {
  const logger = options.logger ?? getDefaultLogger();
  const security = transportSecurity(options.security);
  const kafka = new Kafka({
    ...kafkajsSecurity(security),
    clientId: options.clientId ?? 'alertlab',
    brokers: options.bootstrapServers,
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: kafkajsLevel(logger),
    logCreator: logCreator(logger.child('kafkajs')),
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 30_000 }
  });
  const retry = createRetry({ retries: 5, ...options.retry });
  const ctx = { bootstrapServers: options.bootstrapServers.join(',') };
  const open = new Set<{ close(): Promise<void> }>();
  const track = <C extends { close(): Promise<void> }>(c: C): C => {
    const close = c.close.bind(c);
    c.close = async () => {
      open.delete(c);
      await close();
    };
    open.add(c);
    return c;
  };
  const connect = async (what: string, fn: () => Promise<void>) => {
    try {
      await securityPreflight(options.bootstrapServers, security, options.connectionTimeoutMs);
      await retry(async () => {
        try {
          await fn();
        } catch (e) {
          throw securityFailure(e, security, ctx.bootstrapServers) ?? e; // never retried
        }
      });
    } catch (e) {
      throw wrapError(e, `connect ${what}`, ctx);
    }
  };
  /** Partition metadata for the producers' partitioners, from one admin connected on first use. */
  let metadataAdmin: Promise<Admin> | undefined;
  const topicMetadata = new TopicMetadataCache<PartitionMetadata>(async topic => {
    metadataAdmin ??= (async () => {
      const admin = kafka.admin();
      await connect('admin', () => admin.connect());
      track({
        close: async () => {
          metadataAdmin = undefined;
          await admin.disconnect();
        }
      });
      return admin;
    })().catch((error: unknown) => {
      metadataAdmin = undefined;
      throw error;
    });
    const { topics } = await (await metadataAdmin).fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions;
  });
  return {
    bootstrapServers: options.bootstrapServers,
    client: 'kafkajs',
    admin: async () => {
      const admin = kafka.admin();
      await connect('admin', () => admin.connect());
      return track(createAdmin(admin, retry, ctx));
    },
    producer: async (opts = {}) => {
      const transactional = opts.transactionalId !== undefined;
      const partitioner = Partitioners.DefaultPartitioner();
      const route: Router = async topic => {
        const partitionMetadata = await topicMetadata.get(topic);
        return {
          partitionOf: message => partitioner({ topic, partitionMetadata, message }),
          replicasOf: partition =>
            partitionMetadata.find(p => p.partitionId === partition)?.replicas
        };
      };
      const producer = kafka.producer({
        idempotent: transactional || (opts.idempotent ?? true),
        transactionalId: opts.transactionalId,
        maxInFlightRequests: transactional || (opts.idempotent ?? true) ? 1 : undefined,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 30_000 }
      });
      await connect('producer', () => producer.connect());
      const send = (sender: Producer | Transaction) => async (records: T.ProduceRecord[]) => {
        try {
          return await sendWith(sender, records, opts.compression, route);
        } catch (e) {
          throw wrapError(e, 'produce', { ...ctx, topic: records[0]?.topic });
        }
      };
      return track({
        send: send(producer),
        transaction: async (): Promise<T.ProducerTransaction> => {
          const tx = await producer.transaction();
          return {
            send: send(tx),
            sendOffsets: (consumerGroupId, offsets) =>
              tx.sendOffsets({
                consumerGroupId,
                topics: [...new Set(offsets.map(o => o.topic))].map(topic => ({
                  topic,
                  partitions: offsets
                    .filter(o => o.topic === topic)
                    .map(o => ({
                      partition: o.partition,
                      offset: o.offset.toString(),
                      metadata: o.metadata ?? null // stage: commit metadata
                    }))
                }))
              }),
            commit: () => tx.commit(),
            abort: () => tx.abort()
          };
        },
        close: () => producer.disconnect()
      });
    },
    consumer: async opts => {
      if ((opts.groupProtocol ?? 'classic') !== 'classic') {
        throw new KafkaTransportError(
          'kafkajs has no KIP-848 consumer group protocol: use groupProtocol "classic", or ALERTLAB_KAFKA_CLIENT=confluent.',
          { context: { ...ctx, groupId: opts.groupId } }
        );
      }
      const consumer = kafka.consumer({
        groupId: opts.groupId,
        readUncommitted: !(opts.readCommitted ?? true),
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: opts.heartbeatIntervalMs ?? 3_000,
        rebalanceTimeout: opts.rebalanceTimeoutMs ?? 60_000,
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 10 * 1024 * 1024,
        maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
        maxWaitTimeInMs: opts.maxWaitTimeMs ?? 500,
        allowAutoTopicCreation: false
      });
      await connect('consumer', () => consumer.connect());
      return track(createConsumer(consumer, opts.groupId, ctx));
    },
    close: async () => {
      const all = [...open];
      const results = await Promise.allSettled(all.map(c => c.close()));
      const failed = results.find(r => r.status === 'rejected');
      if (failed !== undefined) {
        logger.warn('closing a Kafka client failed', { error: String(failed.reason) });
      }
    }
  };
}
