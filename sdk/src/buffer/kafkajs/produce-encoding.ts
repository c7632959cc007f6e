/**
 * The body of a Kafka Produce request, versions 3–8 (transactional id, acks, timeout, then per
 * topic and partition one uncompressed record batch of magic 2), encoded in one pass into one
 * buffer: sizes first, then the bytes, each value copied once, the batch CRC-32C over the result.
 * Field layout from the Kafka protocol guide ("Produce API", "Record Batch"). The transport hands
 * this to the Kafka client in place of its own encoder, which allocates a buffer per record and
 * per header and copies every record several times (see patches.ts). No client import here.
 */
import { crc32c as defaultCrc32c } from './crc32c.js';

type Bytes = Uint8Array | string;

/** One message as the client passes it to its produce request. */
export interface WireMessage {
  key?: Bytes | null;
  value?: Bytes | null;
  headers?: Record<string, Bytes | null | undefined | (Bytes | null)[]>;
  /** Milliseconds since the epoch (a string or number, fractions dropped); now when absent. */
  timestamp?: string | number | null;
}

export interface WirePartition {
  partition: number;
  /** Idempotent producers: sequence number of the first record. @default 0 */
  firstSequence?: number;
  messages: WireMessage[];
}

export interface ProduceRequestFields {
  acks: number;
  timeout: number;
  topicData: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<WirePartition> }>;
  /** @default null */
  transactionalId?: string | null;
  /** A 64-bit id in any form whose String() is its decimal value. @default -1 */
  producerId?: bigint | number | string | { toString(): string };
  /** @default 0 */
  producerEpoch?: number;
}

/** Bytes before a batch's records: offset 8, length 4, leader epoch 4, magic 1, crc 4, rest 40. */
const BATCH_HEADER_BYTES = 61;
/** Where the CRC-covered part of a batch starts (the attributes field). */
const CRC_START = 21;
const TRANSACTIONAL_ATTRIBUTE = 16;

const zigzag = (v: number): number => (v << 1) ^ (v >> 31);

function uvarintSize(u: number): number {
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5;
}

/** Size of a zig-zag varint of a 32-bit integer. */
const varintSize = (v: number): number => uvarintSize(zigzag(v) >>> 0);

function varlongSize(v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) {
    return varintSize(v);
  }
  let u = (BigInt(v) << 1n) ^ (BigInt(v) >> 63n);
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
}

const byteLength = (b: Bytes): number =>
  typeof b === 'string' ? Buffer.byteLength(b, 'utf8') : b.length;

/** Flattened [key, value] header pairs of a message, in the client's order. */
function headerPairs(headers: WireMessage['headers']): [string, Bytes | null][] {
  const out: [string, Bytes | null][] = [];
  for (const k in headers) {
    const v = headers[k];
    if (Array.isArray(v)) {
      for (const x of v) {
        out.push([k, x]);
      }
    } else if (v !== undefined) {
      out.push([k, v]);
    }
  }
  return out;
}

class Writer {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  int8(v: number): void {
    this.buf[this.offset++] = v;
  }
  int16(v: number): void {
    this.offset = this.buf.writeInt16BE(v, this.offset);
  }
  int32(v: number): void {
    this.offset = this.buf.writeInt32BE(v, this.offset);
  }
  int64(v: bigint): void {
    this.offset = this.buf.writeBigInt64BE(v, this.offset);
  }
  uvarint(u: number): void {
    while (u >= 0x80) {
      this.buf[this.offset++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    this.buf[this.offset++] = u;
  }
  varint(v: number): void {
    this.uvarint(zigzag(v) >>> 0);
  }
  varlong(v: number): void {
    if (v >= -0x40000000 && v < 0x40000000) {
      this.varint(v);
      return;
    }
    let u = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    while (u >= 0x80n) {
      this.buf[this.offset++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.offset++] = Number(u);
  }
  raw(b: Bytes, length: number): void {
    if (typeof b === 'string') {
      this.buf.write(b, this.offset, length, 'utf8');
    } else {
      this.buf.set(b, this.offset);
    }
    this.offset += length;
  }
  /** varint length (-1 for null) then the bytes. */
  varBytes(b: Bytes | null | undefined, length: number): void {
    if (b === null || b === undefined) {
      this.varint(-1);
      return;
    }
    this.varint(length);
    this.raw(b, length);
  }
}

/** Per-partition work of the sizing pass, reused by the writing pass. */
interface PlannedPartition {
  part: WirePartition;
  firstTimestamp: number;
  maxTimestamp: number;
  timestamps: Float64Array;
  /** Record body sizes (without their own length varint). */
  bodies: Int32Array;
  headers: [string, Bytes | null][][];
  batchBytes: number;
}

function plan(part: WirePartition, now: number): PlannedPartition {
  const n = part.messages.length;
  const timestamps = new Float64Array(n);
  let first = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = part.messages[i].timestamp;
    const parsed = t === null || t === undefined || t === '' ? now : Math.floor(Number(t));
    const ts = Number.isFinite(parsed) ? parsed : now;
    timestamps[i] = ts;
    first = Math.min(first, ts);
    max = Math.max(max, ts);
  }
  if (n === 0) {
    first = max = now;
  }
  const bodies = new Int32Array(n);
  const headers: [string, Bytes | null][][] = [];
  let batchBytes = BATCH_HEADER_BYTES;
  for (let i = 0; i < n; i++) {
    const m = part.messages[i];
    const pairs = headerPairs(m.headers);
    headers.push(pairs);
    let size = 1 + varlongSize(timestamps[i] - first) + varintSize(i);
    size += m.key === null || m.key === undefined ? 1 : bytesField(byteLength(m.key));
    size += m.value === null || m.value === undefined ? 1 : bytesField(byteLength(m.value));
    size += varintSize(pairs.length);
    for (const [k, v] of pairs) {
      size += bytesField(Buffer.byteLength(k, 'utf8'));
      size += v === null ? 1 : bytesField(byteLength(v));
    }
    bodies[i] = size;
    batchBytes += varintSize(size) + size;
  }
  return {
    part,
    firstTimestamp: first,
    maxTimestamp: max,
    timestamps,
    bodies,
    headers,
    batchBytes
  };
}

const bytesField = (length: number): number => varintSize(length) + length;

function writeBatch(
  w: Writer,
  p: PlannedPartition,
  fields: ProduceRequestFields,
  crc32c: (bytes: Uint8Array, start: number, end: number) => number
): void {
  const start = w.offset;
  const n = p.part.messages.length;
  w.int64(0n); // base offset
  w.int32(p.batchBytes - 12); // length after this field
  w.int32(0); // partition leader epoch
  w.int8(2); // magic
  w.int32(0); // crc, written below
  w.int16(fields.transactionalId ? TRANSACTIONAL_ATTRIBUTE : 0);
  w.int32(n - 1); // last offset delta
  w.int64(BigInt(p.firstTimestamp));
  w.int64(BigInt(p.maxTimestamp));
  w.int64(BigInt(String(fields.producerId ?? -1)));
  w.int16(fields.producerEpoch ?? 0);
  w.int32(p.part.firstSequence ?? 0);
  w.int32(n);
  for (let i = 0; i < n; i++) {
    const m = p.part.messages[i];
    w.varint(p.bodies[i]);
    w.int8(0); // record attributes
    w.varlong(p.timestamps[i] - p.firstTimestamp);
    w.varint(i);
    w.varBytes(m.key, m.key === null || m.key === undefined ? 0 : byteLength(m.key));
    w.varBytes(m.value, m.value === null || m.value === undefined ? 0 : byteLength(m.value));
    const pairs = p.headers[i];
    w.varint(pairs.length);
    for (const [k, v] of pairs) {
      w.varBytes(k, Buffer.byteLength(k, 'utf8'));
      w.varBytes(v, v === null ? 0 : byteLength(v));
    }
  }
  w.buf.writeUInt32BE(crc32c(w.buf, start + CRC_START, w.offset), start + 17);
}

/**
 * Encodes a Produce request body (v3–v8 share it). Timestamps: the batch's first and max are the
 * smallest and largest message timestamps; messages without one get the time of the call.
 */
export function encodeProduceRequest(
  fields: ProduceRequestFields,
  crc32c: (bytes: Uint8Array, start: number, end: number) => number = defaultCrc32c
): Buffer {
  const now = Date.now();
  const txId = fields.transactionalId ?? null;
  const txIdBytes = txId === null ? 0 : Buffer.byteLength(txId, 'utf8');
  let total = 2 + txIdBytes + 2 + 4 + 4;
  const planned = fields.topicData.map(t => {
    const parts = t.partitions.map(p => plan(p, now));
    const topicBytes = Buffer.byteLength(t.topic, 'utf8');
    total += 2 + topicBytes + 4;
    for (const p of parts) {
      total += 8 + p.batchBytes;
    }
    return { topic: t.topic, topicBytes, parts };
  });
  const w = new Writer(Buffer.allocUnsafe(total));
  if (txId === null) {
    w.int16(-1);
  } else {
    w.int16(txIdBytes);
    w.raw(txId, txIdBytes);
  }
  w.int16(fields.acks);
  w.int32(fields.timeout);
  w.int32(planned.length);
  for (const t of planned) {
    w.int16(t.topicBytes);
    w.raw(t.topic, t.topicBytes);
    w.int32(t.parts.length);
    for (const p of t.parts) {
      w.int32(p.part.partition);
      w.int32(p.batchBytes);
      writeBatch(w, p, fields, crc32c);
    }
  }
  return w.buf;
}
