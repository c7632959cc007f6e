/**
 * A Kafka record that did not become a row: the decoder's reason plus everything needed to find
 * it again or write it to a dead-letter topic (topic, partition, offset, original bytes, headers).
 */
import type { DecodeReject } from '../alerts/types.js';
import type { ConsumedRecord, HeaderValue } from './transport-types.js';

export interface BufferReject extends DecodeReject {
  topic: string;
  partition: number;
  offset: bigint;
  timestampMs: number;
  key: Uint8Array | null;
  /** The record value exactly as it was read. */
  value: Uint8Array | null;
  headers: Record<string, HeaderValue | HeaderValue[] | undefined>;
}

/** Attaches Kafka coordinates and original bytes to decoder rejects (`index` into `records`). */
export function toBufferRejects(
  topic: string,
  partition: number,
  records: ReadonlyArray<ConsumedRecord>,
  rejects: ReadonlyArray<DecodeReject>
): BufferReject[] {
  return rejects.map(r => {
    const rec = records[r.index];
    return {
      ...r,
      topic,
      partition,
      offset: rec.offset,
      timestampMs: rec.timestampMs,
      key: rec.key,
      value: rec.value,
      headers: rec.headers
    };
  });
}

/** Every record as a reject with one reason (used when a decoder fails on a whole batch). */
export function rejectAll(
  topic: string,
  partition: number,
  records: ReadonlyArray<ConsumedRecord>,
  code: string,
  reason: string
): BufferReject[] {
  return toBufferRejects(
    topic,
    partition,
    records,
    records.map((_r, index) => ({ index, code, reason }))
  );
}
