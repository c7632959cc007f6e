/**
 * describeCluster for the confluent transport when TLS/SASL are in force: the Metadata request of
 * local/probe.ts sent over an authenticated connection of our own (../security-wire.ts), since
 * librdkafka does not expose the cluster id and controller.
 */
import { decodeMetadataResponse } from '../local/probe.js';
import type { ResolvedSecurity } from '../security-secrets.js';
import { openWire } from '../security-wire.js';

export async function describeClusterSecured(servers: readonly string[], sec: ResolvedSecurity) {
  let lastError: unknown;
  for (const server of servers) {
    try {
      const conn = await openWire(server, sec, 5_000);
      try {
        // Metadata v4: no topics, no auto-creation
        const frame = await conn.request(3, 4, Buffer.from([0, 0, 0, 0, 0]));
        const id = Buffer.alloc(4);
        id.writeInt32BE(1);
        const m = decodeMetadataResponse(Buffer.concat([id, frame]), 1);
        return {
          clusterId: m.clusterId ?? '',
          controller: m.controllerId >= 0 ? m.controllerId : null,
          brokers: m.brokers.map(b => ({ nodeId: b.nodeId, host: b.host, port: b.port }))
        };
      } finally {
        conn.close();
      }
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}
