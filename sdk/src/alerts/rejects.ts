/** Rejects: the error that turns into a DecodeReject, and dead-letter records built from them. */
import type { DecodeReject, DecodeRejectCode } from './types.js';

/** Thrown inside a codec to reject one input with a stable code. */
export class RejectError extends Error {
  override name = 'RejectError';
  constructor(
    readonly code: DecodeRejectCode,
    message: string
  ) {
    super(message);
  }
}

/** Turns anything thrown while decoding input `index` into a DecodeReject. */
export function toReject(index: number, e: unknown): DecodeReject {
  if (e instanceof RejectError) {
    return { index, code: e.code, reason: e.message };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    index,
    code: 'decode-error',
    reason: e instanceof RangeError ? `Avro record is truncated or corrupt: ${message}.` : message
  };
}

/** Where an input came from. */
export interface SourceCoordinates {
  topic: string;
  partition: number;
  offset: bigint | string | number;
}

/** A record for the dead-letter topic: the original bytes and why they were rejected. */
export interface DeadLetterRecord {
  value: Uint8Array | null;
  headers: Record<string, string>;
}

/** Header names written on dead-letter records. */
export const DEAD_LETTER_HEADERS = {
  reason: 'alertlab-reason',
  code: 'alertlab-code',
  topic: 'alertlab-source-topic',
  partition: 'alertlab-source-partition',
  offset: 'alertlab-source-offset',
  record: 'alertlab-source-record'
} as const;

/**
 * Builds one dead-letter record per reject, carrying the original value and its coordinates
 * (`source` is indexed like `values`, or a function of the index). Pure: producing is the buffer
 * layer's job.
 */
export function toDeadLetters(
  rejects: ReadonlyArray<DecodeReject>,
  values: ReadonlyArray<Uint8Array | null>,
  source: ReadonlyArray<SourceCoordinates> | ((index: number) => SourceCoordinates)
): DeadLetterRecord[] {
  const at = typeof source === 'function' ? source : (i: number) => source[i];
  return rejects.map(r => {
    const c = at(r.index);
    const headers: Record<string, string> = {
      [DEAD_LETTER_HEADERS.reason]: r.reason,
      [DEAD_LETTER_HEADERS.code]: r.code,
      [DEAD_LETTER_HEADERS.topic]: c.topic,
      [DEAD_LETTER_HEADERS.partition]: String(c.partition),
      [DEAD_LETTER_HEADERS.offset]: String(c.offset)
    };
    if (r.record !== undefined) {
      headers[DEAD_LETTER_HEADERS.record] = String(r.record);
    }
    return { value: values[r.index] ?? null, headers };
  });
}
