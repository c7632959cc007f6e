/**
 * The transport on @platformatic/kafka (pure JavaScript), chosen with
 * ALERTLAB_KAFKA_CLIENT=platformatic (see ../transport.ts). The package is imported by this
 * folder alone and used through its exported API: Producer and transactions (producer.ts), the
 * Consumer's group membership and fetch (consumer.ts, fetch-loop.ts), Admin (admin.ts).
 */
import { Admin } from '@platformatic/kafka';
import { getDefaultLogger } from '../log.js';
import { createRetry } from '../retry.js';
import { transportSecurity } from '../security-clients.js';
import { securityPreflight } from '../security-preflight.js';
import type * as T from '../transport-types.js';
import { createAdmin } from './admin.js';
import { baseOptions, guarded } from './common.js';
import { createConsumer } from './consumer.js';
import { createProducer } from './producer.js';

/** Creates a transport on @platformatic/kafka. Connections open lazily, one per client made. */
export function createPlatformaticTransport(options: T.TransportOptions): T.KafkaTransport {
  const logger = options.logger ?? getDefaultLogger();
  const retry = createRetry({ retries: 5, ...options.retry });
  const ctx = { bootstrapServers: options.bootstrapServers.join(','), client: 'platformatic' };
  const security = transportSecurity(options.security); // a bad setting fails here, at once
  const preflight = () =>
    securityPreflight(options.bootstrapServers, security, options.connectionTimeoutMs);
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
  return {
    bootstrapServers: options.bootstrapServers,
    client: 'platformatic',
    admin: async () => {
      await preflight();
      const admin = new Admin(baseOptions(options, 'admin'));
      await guarded('connect admin', ctx, () => retry(() => admin.listApis()));
      return track(createAdmin(admin, retry, ctx));
    },
    producer: async (opts = {}) => {
      await preflight();
      return track(await createProducer(options, ctx, opts));
    },
    consumer: async opts => {
      await preflight();
      return track(createConsumer(options, opts, logger, ctx));
    },
    close: async () => {
      const results = await Promise.allSettled([...open].map(c => c.close()));
      const failed = results.find(r => r.status === 'rejected');
      if (failed !== undefined) {
        logger.warn('closing a Kafka client failed', { error: String(failed.reason) });
      }
    }
  };
}
