import type { RecordBatch } from 'apache-arrow';
import type { SchemaSource } from './schema-source.js';

/** Which alert format a topic carries. */
export type AlertFormat = 'rubin' | 'ztf' | 'confluent' | 'json' | 'auto';

/** Why an input did not become a row. */
export type DecodeRejectCode =
  'decode-error' | 'missing-position' | 'bad-position' | 'unknown-schema' | 'empty';

/** One input that could not become a row: why, and which input it was. */
export interface DecodeReject {
  /** Index into the `values` array given to the decoder. */
  index: number;
  /** Stable machine code, one of DecodeRejectCode: 'decode-error' | 'missing-position' | 'bad-position' | 'unknown-schema' | 'empty'. */
  code: DecodeRejectCode | (string & {});
  /** Human message that says what was wrong and what to do. */
  reason: string;
  /** For inputs holding several alerts (an Avro container file), which one (0-based). */
  record?: number;
}

/** The result of decoding a batch of serialized alerts, whole batch at a time. */
export interface DecodeResult {
  /** Flat alert columns plus `lightcurve: List<Struct>`; one row per accepted alert (an Avro container input may hold several). */
  batch: RecordBatch;
  /** For each row of `batch`, the index of the input value it came from. */
  rowIndex: Int32Array;
  rejects: DecodeReject[];
  /**
   * Hands the batch's lightcurve buffers back to the decoder, which writes the next batch's points
   * over them (about a fifth faster on Rubin alerts than fresh memory). Call it only once nothing
   * reads this batch any more — not its lightcurve, nor vectors, slices or tables made from it —
   * typically at the end of a loop that decodes, uses and drops each batch. Never needed: without
   * it every batch keeps its own memory. Absent where a batch was decoded on another thread.
   */
  release?(): void;
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
  /**
   * Resolves, ahead of `decodeBatch`, anything that needs I/O (Confluent schema ids from a remote
   * registry). Call it before each batch when the decoder has a remote schema source; a no-op
   * otherwise.
   */
  prepare?(values: ReadonlyArray<Uint8Array | null>): Promise<void>;
  /**
   * How to build the same decoder on another thread (attach and stages decode in a worker
   * thread); undefined when it cannot be rebuilt there.
   */
  workerSpec?(): DecoderSpec | undefined;
}

/** What rebuilds a decoder in a worker thread: everything but the schema source crosses as data. */
export interface DecoderSpec {
  format: AlertFormat;
  /** Options that cross threads (plain data). */
  options: {
    rubinSchemaDir?: string;
    rubinSchemaRoot?: string;
    rubinSchemaVersion?: string;
    ztfSchema?: string;
    includeCutouts?: boolean;
    columns?: readonly string[];
    lightcurve?: boolean;
    schemaCacheBytes?: number;
  };
  /** Stays on the caller's thread: the worker receives each schema's text the first time it is used. */
  schemaSource?: SchemaSource;
}
