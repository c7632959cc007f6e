/**
 * What a filter stage sends to its dead-letter topic when the filter fails on a chunk: every alert
 * of the chunk, with the reason code and the filter's traceback or stack in a header.
 */
import type { BufferReject } from '../buffer/reject.js';
import type { ConsumedRecord } from '../buffer/transport-types.js';
import { FilterTimeoutError } from '../errors.js';

/** Dead-letter header carrying a filter's traceback or stack (truncated to 8 KB). */
export const TRACEBACK_HEADER = 'alertlab-traceback';

/** Reason code of a filter failure: 'filter-timeout' or 'filter-error'. */
export function filterFailureCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return error instanceof FilterTimeoutError || code === 'timeout'
    ? 'filter-timeout'
    : 'filter-error';
}

export function tracebackOf(error: unknown): string {
  const tb = (error as { remoteTraceback?: unknown }).remoteTraceback;
  const stack = (error as { context?: { stack?: unknown } }).context?.stack;
  const text =
    Array.isArray(tb) && tb.length > 0
      ? tb.join('')
      : String(stack ?? (error as Error).stack ?? '');
  return text.slice(0, 8192);
}

/** Every record that produced rows, as rejects carrying the filter's failure. */
export function filterRejects(
  topic: string,
  partition: number,
  records: ReadonlyArray<ConsumedRecord>,
  rowIndex: Int32Array,
  error: unknown
): BufferReject[] {
  const code = filterFailureCode(error);
  const reason = `Filter failed on this batch: ${(error as Error).message}`;
  const seen = new Set<number>();
  const out: BufferReject[] = [];
  for (const r of rowIndex) {
    if (seen.has(r)) {
      continue;
    }
    seen.add(r);
    const rec = records[r];
    out.push({
      index: r,
      code,
      reason,
      topic,
      partition,
      offset: rec.offset,
      timestampMs: rec.timestampMs,
      key: rec.key,
      value: rec.value,
      headers: rec.headers
    });
  }
  return out;
}
