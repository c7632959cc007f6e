/**
 * The bridge's wire format, shared by the kernel bridge's engine and the Python filter host (both
 * talk to Python processes with it). Jupyter-style framing: `[identities…, '<IDS|MSG>', HMAC-SHA256 hex, header, parent_header,
 * metadata, content, buffers…]`. The HMAC covers the four JSON frames only; buffers (Arrow IPC
 * bytes) travel unsigned and uncopied.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** Version of the wire protocol, kept apart from the npm / PyPI package versions. */
export const BRIDGE_PROTOCOL_VERSION = '1.0';

/** Frame that separates routing identities from the signed message (as in Jupyter). */
export const DELIMITER = '<IDS|MSG>';

export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export type JsonObject = Record<string, unknown>;

export interface BridgeMessage {
  /** ROUTER routing identities (empty on the DEALER side). */
  identities: Buffer[];
  header: Header;
  /** The header of the request this answers, or `{}`. */
  parent_header: Partial<Header>;
  metadata: JsonObject;
  content: JsonObject;
  buffers: Uint8Array[];
}

export type DecodeResult =
  | { ok: true; message: BridgeMessage }
  | {
      ok: false;
      code: 'bad-signature' | 'malformed';
      reason: string;
      identities: Buffer[];
      /** The header if it could be parsed, so the error reply can name the request. */
      header: Partial<Header> | null;
    };

const DELIM = Buffer.from(DELIMITER);

export function makeHeader(msgType: string, session: string): Header {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: 'alertlab',
    date: new Date().toISOString(),
    version: BRIDGE_PROTOCOL_VERSION
  };
}

export function sign(key: Buffer, frames: ReadonlyArray<Uint8Array>): string {
  if (key.length === 0) {
    return '';
  }
  const hmac = createHmac('sha256', key);
  for (const f of frames) {
    hmac.update(f);
  }
  return hmac.digest('hex');
}

/** Frames ready for `socket.send`. Buffers are passed through without copying. */
export function encodeMessage(
  key: Buffer,
  msg: Omit<BridgeMessage, 'identities'> & { identities?: Buffer[] }
): Uint8Array[] {
  const json = [msg.header, msg.parent_header, msg.metadata, msg.content].map(o =>
    Buffer.from(JSON.stringify(o))
  );
  const signature = Buffer.from(sign(key, json));
  return [...(msg.identities ?? []), DELIM, signature, ...json, ...msg.buffers];
}

function parseJson(frame: Buffer): JsonObject {
  const value: unknown = JSON.parse(frame.toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('expected a JSON object');
  }
  return value as JsonObject;
}

/** Splits and verifies received frames; never throws. */
export function decodeMessage(key: Buffer, frames: Buffer[]): DecodeResult {
  const at = frames.findIndex(f => f.equals(DELIM));
  // Without a delimiter, assume one ROUTER hop so the sender still gets an error reply.
  const identities = at < 0 ? frames.slice(0, 1) : frames.slice(0, at);
  const fail = (code: 'bad-signature' | 'malformed', reason: string, header: JsonObject | null) =>
    ({ ok: false, code, reason, identities, header: header as Partial<Header> | null }) as const;
  if (at < 0 || frames.length < at + 6) {
    return fail('malformed', `expected a '${DELIMITER}' frame followed by 5 frames`, null);
  }
  const [sig, h, p, m, c] = frames.slice(at + 1, at + 6);
  let header: JsonObject | null = null;
  try {
    header = parseJson(h);
  } catch {
    header = null;
  }
  const expected = Buffer.from(sign(key, [h, p, m, c]));
  if (expected.length !== sig.length || !timingSafeEqual(expected, sig)) {
    return fail('bad-signature', 'HMAC signature does not match the connection key', header);
  }
  try {
    const parsed = {
      header: parseJson(h),
      parent_header: parseJson(p),
      metadata: parseJson(m),
      content: parseJson(c)
    };
    if (typeof parsed.header.msg_type !== 'string' || typeof parsed.header.msg_id !== 'string') {
      return fail('malformed', 'header needs string msg_type and msg_id', header);
    }
    return {
      ok: true,
      message: {
        identities,
        header: parsed.header as unknown as Header,
        parent_header: parsed.parent_header as Partial<Header>,
        metadata: parsed.metadata,
        content: parsed.content,
        buffers: frames.slice(at + 6)
      }
    };
  } catch (err) {
    return fail('malformed', `unreadable JSON frame: ${(err as Error).message}`, header);
  }
}
