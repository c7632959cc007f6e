import type { RecordBatch } from 'apache-arrow';

/** Which alert format a topic carries. */
export type AlertFormat = 'rubin' | 'ztf' | 'confluent' | 'json' | 'auto';

/** One input that could not become a row: why, and which input it was. */
export interface DecodeReject {
  /** Index into the `values` array given to the decoder. */
  index: number;
  /** Stable machine code: 'decode-error' | 'missing-position' | 'bad-position' | 'unknown-schema' | 'empty'. */
  code: string;
  /** Human message that says what was wrong and what to do. */
  reason: string;
}

/** The result of decoding a batch of serialized alerts, whole batch at a time. */
export interface DecodeResult {
  /** Flat alert columns plus `lightcurve: List<Struct>`; one row per accepted input. */
  batch: RecordBatch;
  /** For each row of `batch`, the index of the input value it came from. */
  rowIndex: Int32Array;
  rejects: DecodeReject[];
}

/** Options shared by all codecs. */
export interface DecodeOptions {
  /** Keep cutout stamps as Binary columns. @default false */
  includeCutouts?: boolean;
}

/** Decodes serialized alerts (Kafka record values) into one Arrow batch. */
export interface AlertDecoder {
  readonly format: AlertFormat;
  decodeBatch(values: ReadonlyArray<Uint8Array | null>, options?: DecodeOptions): DecodeResult;
}
