/**
 * A TLS check before a client connects: one TLS handshake (with the client certificate, if any)
 * and a Kafka ApiVersions round trip, which a broker answers before any SASL exchange. A refused
 * certificate (untrusted CA, wrong host name, expired, client certificate rejected) fails here in
 * milliseconds with the setting to fix, instead of inside a client that retries connection errors
 * for many seconds. Network errors (connection refused, timeouts) are left to the client.
 */
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { KafkaSecurityError } from '../errors.js';
import { nodeTlsOptions, securityFailure } from './security-clients.js';
import type { ResolvedSecurity } from './security-secrets.js';

function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from('alertlab-preflight');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  let o = body.writeInt16BE(18, 0); // ApiVersions
  o = body.writeInt16BE(0, o);
  o = body.writeInt32BE(1, o);
  o = body.writeInt16BE(clientId.length, o);
  clientId.copy(body, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Resolves with the TLS failure of one server, or undefined (answered, or a non-TLS failure). */
function checkServer(
  server: string,
  sec: ResolvedSecurity,
  timeoutMs: number
): Promise<KafkaSecurityError | undefined> {
  const at = server.lastIndexOf(':');
  const host = server.slice(0, at);
  const port = Number(server.slice(at + 1));
  return new Promise(resolve => {
    const socket = connect({
      ...nodeTlsOptions(sec.tls ?? { verifyHostname: true }),
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {})
    });
    let done = false;
    const finish = (error?: unknown): void => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(error === undefined ? undefined : securityFailure(error, sec, server));
      }
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    socket.on('secureConnect', () => socket.write(apiVersionsRequest()));
    socket.on('data', () => finish());
    socket.on('error', error => finish(error));
    socket.on('close', () => finish());
  });
}

const checked = new WeakSet<ResolvedSecurity>();

/**
 * Checks TLS against the bootstrap servers once per resolved settings (after a pass, not again);
 * throws the first server's KafkaSecurityError when every server refused TLS.
 */
export async function tlsPreflight(
  servers: readonly string[],
  sec: ResolvedSecurity | undefined,
  timeoutMs = 10_000
): Promise<void> {
  if (sec?.tls === undefined || checked.has(sec)) {
    return;
  }
  const results = await Promise.all(servers.map(s => checkServer(s, sec, timeoutMs)));
  const failure = results.find(r => r !== undefined);
  if (failure !== undefined && results.every(r => r !== undefined)) {
    throw failure;
  }
  checked.add(sec);
}
