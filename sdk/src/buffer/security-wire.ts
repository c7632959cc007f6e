/**
 * One authenticated Kafka connection of our own: TCP or TLS (with the client certificate), then
 * SASL — SaslHandshake v1 and SaslAuthenticate v1 carrying PLAIN, SCRAM-SHA-256/512 (RFC 5802/7677)
 * or OAUTHBEARER (RFC 7628) — and then raw requests. The preflight (security-preflight.ts) uses it
 * to test settings in milliseconds; the confluent admin asks Metadata through it. Secrets are only
 * written to the socket.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { nodeTlsOptions } from './security-clients.js';
import type { ResolvedSecurity } from './security-secrets.js';

/** A SASL refusal, with the broker's message (never a secret). */
export class SaslRefusedError extends Error {
  override name = 'SaslAuthenticationError';
}

export interface WireConnection {
  /** Sends a request (header v1) and resolves with the response frame after its correlation id. */
  request(apiKey: number, version: number, body: Buffer): Promise<Buffer>;
  close(): void;
}

const str16 = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
};
const bytes32 = (b: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length);
  return Buffer.concat([len, b]);
};

function open(server: string, sec: ResolvedSecurity | undefined, timeoutMs: number) {
  const at = server.lastIndexOf(':');
  const host = server.slice(0, at);
  const port = Number(server.slice(at + 1));
  return new Promise<Socket>((resolve, reject) => {
    const socket: Socket = sec?.tls
      ? tlsConnect({
          ...nodeTlsOptions(sec.tls),
          host,
          port,
          ...(isIP(host) === 0 ? { servername: host } : {})
        })
      : new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${server} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', e => {
      clearTimeout(timer);
      reject(e);
    });
    const ready = () => {
      clearTimeout(timer);
      resolve(socket);
    };
    if (sec?.tls) {
      socket.once('secureConnect', ready);
    } else {
      socket.connect(port, host, ready);
    }
  });
}

function wire(socket: Socket, timeoutMs: number): WireConnection {
  let buffered = Buffer.alloc(0);
  let correlation = 0;
  const waiting = new Map<number, { resolve(b: Buffer): void; reject(e: Error): void }>();
  const failAll = (e: Error) => {
    for (const w of waiting.values()) {
      w.reject(e);
    }
    waiting.clear();
  };
  socket.on('data', chunk => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
      buffered = buffered.subarray(4 + frame.length);
      const id = frame.readInt32BE(0);
      waiting.get(id)?.resolve(frame.subarray(4));
      waiting.delete(id);
    }
  });
  socket.on('error', e => failAll(e));
  socket.on('close', () => failAll(new Error('the broker closed the connection')));
  return {
    request(apiKey, version, body) {
      const id = ++correlation;
      const header = Buffer.alloc(8);
      header.writeInt16BE(apiKey, 0);
      header.writeInt16BE(version, 2);
      header.writeInt32BE(id, 4);
      const payload = Buffer.concat([header, str16('alertlab'), body]);
      return new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`no answer to request ${apiKey} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: b => (clearTimeout(timer), resolve(b)),
          reject: e => (clearTimeout(timer), reject(e))
        });
        socket.write(bytes32(payload));
      });
    },
    close: () => socket.destroy()
  };
}

/** SaslAuthenticate v1: error code, message, auth bytes. */
async function authenticate(conn: WireConnection, message: Buffer): Promise<Buffer> {
  const frame = await conn.request(36, 1, bytes32(message));
  const code = frame.readInt16BE(0);
  const msgLen = frame.readInt16BE(2);
  const text = msgLen < 0 ? '' : frame.toString('utf8', 4, 4 + msgLen);
  const rest = 4 + Math.max(0, msgLen);
  if (code !== 0) {
    throw new SaslRefusedError(`SASL authentication failed (error ${code}): ${text}`);
  }
  return frame.subarray(rest + 4, rest + 4 + frame.readInt32BE(rest));
}

async function scram(conn: WireConnection, hash: 'sha256' | 'sha512', user: string, pw: string) {
  const name = user.replace(/=/g, '=3D').replace(/,/g, '=2C');
  const nonce = randomBytes(18).toString('base64');
  const firstBare = `n=${name},r=${nonce}`;
  const serverFirst = (await authenticate(conn, Buffer.from(`n,,${firstBare}`))).toString();
  const attrs = new Map(serverFirst.split(',').map(kv => [kv[0], kv.slice(2)]));
  const serverNonce = attrs.get('r') ?? '';
  if (!serverNonce.startsWith(nonce)) {
    throw new SaslRefusedError('SASL SCRAM: the server nonce does not extend ours');
  }
  const salted = pbkdf2Sync(
    pw,
    Buffer.from(attrs.get('s') ?? '', 'base64'),
    Number(attrs.get('i')),
    hash === 'sha256' ? 32 : 64,
    hash
  );
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const finalBare = `c=biws,r=${serverNonce}`;
  const auth = `${firstBare},${serverFirst},${finalBare}`;
  const signature = createHmac(hash, storedKey).update(auth).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i])).toString('base64');
  await authenticate(conn, Buffer.from(`${finalBare},p=${proof}`));
}

/** Opens, does TLS and SASL as the settings say, and hands back the authenticated connection. */
export async function openWire(
  server: string,
  sec: ResolvedSecurity | undefined,
  timeoutMs = 10_000
): Promise<WireConnection> {
  const conn = wire(await open(server, sec, timeoutMs), timeoutMs);
  const s = sec?.sasl;
  if (s === undefined) {
    return conn;
  }
  try {
    const hs = await conn.request(17, 1, str16(s.mechanism));
    const code = hs.readInt16BE(0);
    if (code !== 0) {
      throw new SaslRefusedError(
        `SASL mechanism ${s.mechanism} is not enabled on the broker (UNSUPPORTED_SASL_MECHANISM ${code})`
      );
    }
    if (s.mechanism === 'OAUTHBEARER') {
      const token = (await s.provider.token()).value.reveal();
      await authenticate(conn, Buffer.from(`n,,\x01auth=Bearer ${token}\x01\x01`));
    } else if (s.mechanism === 'PLAIN') {
      await authenticate(conn, Buffer.from(`\0${s.username}\0${s.password.reveal()}`));
    } else {
      const hash = s.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
      await scram(conn, hash, s.username, s.password.reveal());
    }
    return conn;
  } catch (e) {
    conn.close();
    throw e;
  }
}
