/**
 * Writing alerts to buffer topics: serialized values or alert objects (as JSON), Avro container
 * files split into one record per alert, and rejected records to a dead-letter topic with their
 * original bytes, key and headers plus where and why they failed.
 */
import { readFile } from 'node:fs/promises';
import { toDeadLetters } from '../alerts/index.js';
import { ConfigError, KafkaTransportError } from '../errors.js';
import { ocfToRecordValues, surveyOfSchema, type OcfFraming } from './ocf.js';
import type { BufferReject } from './reject.js';
import type {
  HeaderValue,
  ProduceRecord,
  ProduceResult,
  ProducerClient
} from './transport-types.js';

/** A serialized alert, a string, or an alert object (sent as JSON; bigints as JSON integers). */
export type AlertValue = Uint8Array | string | Record<string, unknown>;

export interface ProduceOptions {
  /** Record key (same key → same partition), or a function of the value. @default null */
  key?: string | Uint8Array | ((value: AlertValue, index: number) => string | Uint8Array | null);
  /** Send everything to this partition. @default by key hash, else spread */
  partition?: number;
  /** Headers on every record. @default {} */
  headers?: Record<string, HeaderValue>;
  /** Record timestamp in ms, or a function of the index. @default now */
  timestampMs?: number | ((index: number) => number);
  /** Upper bound on the value bytes in one request; larger requests are split. @default 4194304 */
  maxRequestBytes?: number;
}

export interface ProduceSummary {
  records: number;
  bytes: number;
  results: ProduceResult[];
}

const encoder = new TextEncoder();

function jsonBytes(value: Record<string, unknown>): Uint8Array {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') {
      marks.push(v.toString());
      return `\u0000big${marks.length - 1}\u0000`;
    }
    return v;
  });
  // bigints become bare JSON integers (exact), not strings or rounded numbers
  const exact = text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]);
  return encoder.encode(exact);
}

/** The bytes a value is sent as. */
export function toValueBytes(value: AlertValue): Uint8Array {
  if (value instanceof Uint8Array) {
    return value;
  }
  return typeof value === 'string' ? encoder.encode(value) : jsonBytes(value);
}

/** Builds the records for `values` (no I/O). */
export function toRecords(
  topic: string,
  values: ReadonlyArray<AlertValue>,
  options: ProduceOptions = {}
): ProduceRecord[] {
  return values.map((v, i) => ({
    topic,
    value: toValueBytes(v),
    key: typeof options.key === 'function' ? options.key(v, i) : (options.key ?? null),
    partition: options.partition,
    headers: options.headers,
    timestampMs:
      typeof options.timestampMs === 'function' ? options.timestampMs(i) : options.timestampMs
  }));
}

function isTooLarge(error: unknown): boolean {
  if (!(error instanceof KafkaTransportError)) {
    return false;
  }
  const code = error.context.code;
  return code === 'MESSAGE_TOO_LARGE' || code === 'RECORD_LIST_TOO_LARGE';
}

async function sendSplitting(
  producer: Pick<ProducerClient, 'send'>,
  records: ProduceRecord[],
  out: ProduceResult[]
): Promise<void> {
  try {
    out.push(...(await producer.send(records)));
  } catch (error) {
    if (!isTooLarge(error) || records.length === 1) {
      throw error;
    }
    const half = Math.ceil(records.length / 2);
    await sendSplitting(producer, records.slice(0, half), out);
    await sendSplitting(producer, records.slice(half), out);
  }
}

/** Per-record framing in a record batch (length, attributes, deltas, counts), rounded up. */
const RECORD_OVERHEAD_BYTES = 24;

function headerBytes(v: HeaderValue | HeaderValue[] | undefined): number {
  if (v === undefined) {
    return 0;
  }
  if (Array.isArray(v)) {
    return v.reduce((n, x) => n + headerBytes(x), 0);
  }
  // a string's UTF-8 length is at most 3 bytes per UTF-16 unit; ASCII header text is 1
  return (typeof v === 'string' ? v.length * 3 : v.length) + 5;
}

/** Upper bound of the bytes a record takes in a request: value, key, headers and framing. */
export function recordBytes(r: ProduceRecord): number {
  let n = (r.value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
  if (r.key !== undefined && r.key !== null) {
    n += typeof r.key === 'string' ? r.key.length * 3 : r.key.length;
  }
  for (const h in r.headers) {
    n += h.length * 3 + 5 + headerBytes(r.headers[h]);
  }
  return n;
}

/**
 * Bytes per send for a producer that cuts records into batches itself (`batchesRecords`): each
 * send is ~2 batches in flight at once. The stage bench (237 KB alerts, transactions of ~28):
 * 900 KB sends one after another ~750-800 alerts/s, 1.9 MB ~945/s at ~5-10 % more CPU per alert,
 * 4 MB ~1,100/s at ~30 % more, a whole chunk at once no faster at 2x the CPU.
 */
export const BATCHING_SEND_BYTES = 2_000_000;

/**
 * Sends records in requests of at most `maxRequestBytes` (values, keys, headers and framing, see
 * {@link recordBytes}), one after another; a request the broker still finds too large is split in
 * halves and resent. A producer that cuts records into batches itself (`batchesRecords`) gets
 * {@link BATCHING_SEND_BYTES} per send (or `maxRequestBytes` when larger).
 */
export async function sendRecords(
  producer: Pick<ProducerClient, 'send' | 'batchesRecords'>,
  records: ProduceRecord[],
  maxRequestBytes = 4 * 1024 * 1024
): Promise<ProduceSummary> {
  const results: ProduceResult[] = [];
  const partBytes =
    producer.batchesRecords === true
      ? Math.max(maxRequestBytes, BATCHING_SEND_BYTES)
      : maxRequestBytes;
  let bytes = 0;
  let chunk: ProduceRecord[] = [];
  let chunkBytes = 0;
  for (const r of records) {
    const size = recordBytes(r);
    if (chunk.length > 0 && chunkBytes + size > partBytes) {
      await sendSplitting(producer, chunk, results);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(r);
    chunkBytes += size;
    bytes += r.value?.length ?? 0;
  }
  if (chunk.length > 0) {
    await sendSplitting(producer, chunk, results);
  }
  return { records: records.length, bytes, results };
}

export interface ProduceFileOptions extends ProduceOptions {
  /**
   * How each alert is framed (see OcfFraming). `'auto'`: ZTF files → one-record container files
   * (as ZTF publishes); Rubin files with the official schema → bare Avro bodies (as Rubin
   * publishes); other schemas → container files. @default 'auto'
   */
  framing?: OcfFraming | 'auto';
}

/** Reads an Avro container file and returns one record value per alert, framed as asked. */
export async function readAlertFile(
  path: string,
  framing: OcfFraming | 'auto' = 'auto'
): Promise<{ values: Uint8Array[]; framing: OcfFraming; survey: string; schema: string }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new ConfigError(`Cannot read alert file ${path}. Check the path.`, {
      cause,
      context: { path }
    });
  }
  const split = ocfToRecordValues(bytes, framing);
  return { ...split, survey: surveyOfSchema(split.schema) };
}

/**
 * Dead-letter records: the original value, key, headers and timestamp, plus the alerts module's
 * `alertlab-*` headers saying why and where (reason, code, source topic/partition/offset).
 */
export function deadLetterRecords(
  topic: string,
  rejects: ReadonlyArray<BufferReject>
): ProduceRecord[] {
  const letters = toDeadLetters(
    rejects.map((r, i) => ({ ...r, index: i })),
    rejects.map(r => r.value),
    i => rejects[i]
  );
  return rejects.map((r, i) => {
    const headers: Record<string, HeaderValue | HeaderValue[]> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) {
      if (v !== undefined) {
        headers[k] = v;
      }
    }
    Object.assign(headers, letters[i].headers);
    return { topic, value: letters[i].value, key: r.key, headers, timestampMs: r.timestampMs };
  });
}
