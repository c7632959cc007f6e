/**
 * The transport on @confluentinc/kafka-javascript (librdkafka), chosen with
 * ALERTLAB_KAFKA_CLIENT=confluent (see ../transport.ts). The package is imported by this folder
 * alone and used through its public APIs only: librdkafka's producer for produce and transactions
 * (producer.ts), the package's promise API for the consumer (consumer.ts) and admin (admin.ts).
 * Its native addon is built by scripts/setup-kafka-client.sh (cached outside the repository).
 */
import { getDefaultLogger } from '../log.js';
import { createRetry } from '../retry.js';
import { transportSecurity } from '../security-clients.js';
import { securityPreflight } from '../security-preflight.js';
import { wrapError } from '../transport-errors.js';
import type * as T from '../transport-types.js';
import { createAdmin } from './admin.js';
import { callback, commonConfig, loadConfluent, type RdKafkaConsumer } from './client.js';
import { createConsumer } from './consumer.js';
import { describeClusterSecured } from './describe-secured.js';
import { GroupHandlePool, type GroupHandleLimits } from './group-handles.js';
import { createProducer } from './producer.js';

/** Options of the confluent transport beyond the common ones. */
export interface ConfluentTransportOptions extends T.TransportOptions {
  /** Bounds of the per-group handles (group-handles.ts). */
  groupHandles?: GroupHandleLimits;
}

/** The confluent transport, with its group-handle pool's counts (for tests and /metrics). */
export type ConfluentTransport = T.KafkaTransport & {
  groupHandleStats(): ReturnType<GroupHandlePool<unknown>['stats']>;
};

/** Creates a transport on librdkafka. Connections open lazily, one per client made. */
export function createConfluentTransport(options: ConfluentTransportOptions): ConfluentTransport {
  const mod = loadConfluent();
  const logger = options.logger ?? getDefaultLogger();
  const retry = createRetry({ retries: 5, ...options.retry });
  const ctx = { bootstrapServers: options.bootstrapServers.join(','), client: 'confluent' };
  const security = transportSecurity(options.security); // a bad setting fails here, at once
  const preflight = () =>
    securityPreflight(options.bootstrapServers, security, options.connectionTimeoutMs);
  const open = new Set<{ close(): Promise<void> }>();
  const track = <C extends { close(): Promise<void> }>(c: C, set = open): C => {
    const close = c.close.bind(c);
    c.close = async () => {
      set.delete(c);
      await close();
    };
    set.add(c);
    return c;
  };
  /**
   * Unsubscribed consumer handles by group, whose group metadata (generation -1, no member)
   * transactions commit offsets with: the same pre-KIP-447 commit kafkajs makes, so a stage's
   * fencing stays the stable transactional id per partition (see stage/partitions.ts). The admin
   * reads the group's committed offsets through them too (admin.ts says why). Leased from a pool
   * (group-handles.ts): a transactional producer holds its group's until it closes; handles
   * nobody holds close when idle. All close after every other client.
   */
  const groupHandles = new GroupHandlePool<RdKafkaConsumer>(
    async groupId => {
      const c = new mod.KafkaConsumer(
        {
          ...commonConfig(options),
          'group.id': groupId,
          // committed offsets as the admin API reads them: no waiting out open transactions
          'isolation.level': 'read_uncommitted'
        },
        {}
      );
      await callback<unknown>(cb => c.connect({}, cb));
      return c;
    },
    c => callback<unknown>(cb => c.disconnect(cb)).then(() => undefined),
    options.groupHandles,
    error => logger.warn('closing a group handle failed', { error: String(error) })
  );
  return {
    bootstrapServers: options.bootstrapServers,
    client: 'confluent',
    groupHandleStats: () => groupHandles.stats(),
    admin: async () => {
      await preflight();
      const admin = new mod.KafkaJS.Kafka({}).admin({
        ...commonConfig(options),
        kafkaJS: { logLevel: mod.KafkaJS.logLevel.NOTHING }
      });
      try {
        await retry(() => admin.connect());
      } catch (e) {
        throw wrapError(e, 'connect admin', ctx);
      }
      const client = createAdmin(admin, options.bootstrapServers, retry, ctx, groupHandles);
      if (security) {
        const servers = options.bootstrapServers;
        client.describeCluster = async () => {
          try {
            return await describeClusterSecured(servers, security);
          } catch (e) {
            throw wrapError(e, 'describe cluster', ctx);
          }
        };
      }
      return track(client);
    },
    producer: async (opts = {}) => {
      await preflight();
      return track(await createProducer({ mod, options, logger, ctx, groupHandles }, opts));
    },
    consumer: async opts => {
      await preflight();
      return track(createConsumer(mod, options, opts, logger, ctx));
    },
    close: async () => {
      const results = await Promise.allSettled([...open].map(c => c.close()));
      await groupHandles.closeAll();
      const failed = results.find(r => r.status === 'rejected');
      if (failed !== undefined) {
        logger.warn('closing a Kafka client failed', { error: String(failed.reason) });
      }
    }
  };
}
