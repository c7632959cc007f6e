/**
 * A check of the settings before a client connects: one connection of our own (security-wire.ts)
 * that does the TLS handshake (with the client certificate, if any), authenticates with SASL and
 * asks ApiVersions. A refused certificate (untrusted CA, wrong host name, expired, client
 * certificate rejected) or refused credentials fail here in milliseconds with the setting to fix,
 * instead of inside a client that retries for many seconds (kafkajs: connection errors ~10 s;
 * librdkafka: a wrong password until the request times out). Network errors (connection refused,
 * timeouts) are left to the client.
 */
import type { KafkaSecurityError } from '../errors.js';
import { securityFailure } from './security-clients.js';
import type { ResolvedSecurity } from './security-secrets.js';
import { openWire } from './security-wire.js';

async function checkServer(
  server: string,
  sec: ResolvedSecurity,
  timeoutMs: number
): Promise<KafkaSecurityError | undefined> {
  try {
    const conn = await openWire(server, sec, timeoutMs);
    try {
      await conn.request(18, 0, Buffer.alloc(0)); // ApiVersions: the client certificate was taken
    } finally {
      conn.close();
    }
    return undefined;
  } catch (error) {
    return securityFailure(error, sec, server);
  }
}

/** Server lists that passed, per resolved settings. */
const checked = new WeakMap<ResolvedSecurity, Set<string>>();

/**
 * Checks the settings against the bootstrap servers once per resolved settings and server list
 * (after a pass, not again); throws the first server's KafkaSecurityError when every server refused them.
 */
export async function securityPreflight(
  servers: readonly string[],
  sec: ResolvedSecurity | undefined,
  timeoutMs = 10_000
): Promise<void> {
  const key = servers.join(',');
  if (sec === undefined || checked.get(sec)?.has(key) === true) {
    return;
  }
  const results = await Promise.all(servers.map(s => checkServer(s, sec, timeoutMs)));
  const failure = results.find(r => r !== undefined);
  if (failure !== undefined && results.every(r => r !== undefined)) {
    throw failure;
  }
  checked.set(sec, (checked.get(sec) ?? new Set<string>()).add(key));
}
