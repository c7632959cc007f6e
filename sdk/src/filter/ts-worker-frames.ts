/**
 * Frames between the controller and a sandboxed TypeScript filter process, on the child's fd 3
 * (a socket pair): `u32 length (LE) | u8 type | u32 seq | payload`, length counting type, seq and
 * payload. A batch goes as one Arrow IPC stream, a routing as the raw Int32 index. The reader
 * refuses a frame longer than its limit before buffering it, so a hostile child cannot make the
 * controller hold more than the reply it expects.
 */

export const FrameType = {
  /** parent → child: Arrow IPC stream of one batch. */
  evaluate: 1,
  /** child → parent: JSON {@link WorkerMeta} once the module is loaded. */
  ready: 2,
  /** child → parent: f64 CPU ms used so far, then the Int32 routing index. */
  result: 3,
  /** child → parent: JSON `{ message, stack }`; seq 0 when loading failed. */
  error: 4
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  type: number;
  seq: number;
  payload: Buffer;
}

/** What a filter module declares, sent once it is loaded. */
export interface WorkerMeta {
  id?: string;
  kind: 'yesno' | 'leftright' | 'switch';
  outputs: readonly string[];
  defaultOutput?: string;
  columns: readonly string[];
}

const HEADER = 9;

/** The bytes of one frame (header and payload, not copied together). */
export function encodeFrame(type: FrameTypeCode, seq: number, payload: Uint8Array): Buffer[] {
  const head = Buffer.alloc(HEADER);
  head.writeUInt32LE(payload.byteLength + 5, 0);
  head.writeUInt8(type, 4);
  head.writeUInt32LE(seq >>> 0, 5);
  return [head, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)];
}

/** Raised by {@link FrameReader} on a frame past its limit. */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
}

/** Splits a byte stream into frames. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  /** @param maxBytes largest frame payload accepted now (asked at each frame) */
  constructor(private readonly maxBytes: () => number) {}

  /** Adds received bytes; returns the frames completed by them. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      if (this.size < 4) {
        return out;
      }
      const head = this.peek(4);
      const length = head.readUInt32LE(0);
      if (length < 5 || length - 5 > this.maxBytes()) {
        throw new FrameTooLargeError(
          `a frame of ${length} bytes (at most ${this.maxBytes() + 5} expected)`
        );
      }
      if (this.size < 4 + length) {
        return out;
      }
      const all = Buffer.concat(this.chunks, this.size);
      const type = all.readUInt8(4);
      const seq = all.readUInt32LE(5);
      out.push({ type, seq, payload: all.subarray(HEADER, 4 + length) });
      const rest = all.subarray(4 + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
    }
  }

  private peek(n: number): Buffer {
    return this.chunks[0].length >= n
      ? this.chunks[0]
      : Buffer.concat(this.chunks, this.size).subarray(0, n);
  }
}

const KINDS = new Set(['yesno', 'leftright', 'switch']);
const isStrings = (v: unknown, max: number): v is string[] =>
  Array.isArray(v) &&
  v.length <= max &&
  v.every(s => typeof s === 'string' && s.length > 0 && s.length <= 256);

/** Parses a child's ready frame (untrusted): undefined unless it is a well-formed meta. */
export function parseMeta(payload: Buffer): WorkerMeta | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) {
    return undefined;
  }
  const m = v as Record<string, unknown>;
  const optional = (x: unknown): boolean =>
    x === undefined || (typeof x === 'string' && x.length <= 256);
  if (
    typeof m.kind !== 'string' ||
    !KINDS.has(m.kind) ||
    !isStrings(m.outputs, 256) ||
    m.outputs.length === 0 ||
    !isStrings(m.columns, 4096) ||
    !optional(m.id) ||
    !optional(m.defaultOutput)
  ) {
    return undefined;
  }
  return {
    id: m.id as string | undefined,
    kind: m.kind as WorkerMeta['kind'],
    outputs: m.outputs,
    defaultOutput: m.defaultOutput as string | undefined,
    columns: m.columns
  };
}
