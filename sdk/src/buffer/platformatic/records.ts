/**
 * Turns the package's fetched record batches into the transport's records: control batches
 * (transaction markers) are dropped but still move the position past them, records before the
 * fetch offset (a batch starts where the broker stored it) are skipped, headers with a repeated
 * key become arrays. Aborted transactional batches are already gone: the package's `fetch`
 * filters them under read_committed.
 */
import { IS_CONTROL, type RecordsBatch } from '@platformatic/kafka';
import type * as T from '../transport-types.js';

export interface Converted {
  records: T.ConsumedRecord[];
  /** The offset after the last batch (records and control markers) in the response. */
  next: bigint;
}

function headersOf(
  pairs: Array<[Buffer | null, Buffer | null]>
): Record<string, T.HeaderValue | T.HeaderValue[] | undefined> {
  const out: Record<string, T.HeaderValue | T.HeaderValue[] | undefined> = {};
  for (const [k, v] of pairs) {
    if (k === null) {
      continue;
    }
    const name = k.toString('utf8');
    const value: T.HeaderValue = v ?? Buffer.alloc(0);
    const had = out[name];
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return out;
}

export function convertBatches(batches: RecordsBatch[], fetchOffset: bigint): Converted {
  const records: T.ConsumedRecord[] = [];
  let next = fetchOffset;
  for (const batch of batches) {
    const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (end > next) {
      next = end;
    }
    if ((batch.attributes & IS_CONTROL) !== 0) {
      continue;
    }
    for (const r of batch.records) {
      const offset = batch.firstOffset + BigInt(r.offsetDelta);
      if (offset < fetchOffset) {
        continue;
      }
      records.push({
        offset,
        timestampMs: Number(batch.firstTimestamp + r.timestampDelta),
        key: r.key,
        value: r.value,
        headers: headersOf(r.headers)
      });
    }
  }
  return { records, next };
}
