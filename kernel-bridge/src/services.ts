/**
 * What the engine's handlers call: one service per request type, all of them present (the
 * engine's default is `sdkServices()`; tests may replace single services).
 */
import type { RecordBatch, Table } from 'apache-arrow';
import type { JsonObject } from './wire.js';

export interface TopicInfo {
  name: string;
  partitions?: number;
  /** Where the topic comes from: 'kafka' or 'memory'. */
  source: string;
}

/** One item of an attached stream; `commit` (if any) is called once the client acknowledged it. */
export interface StreamItem {
  batch: RecordBatch | Table;
  rejects?: unknown[];
  commit?: () => Promise<void>;
  /** Called once the batch is serialized for the client: nothing reads it afterwards. */
  release?: () => void;
}

export interface AttachOptions {
  /** Consumer group; undefined means an anonymous, non-committing reader. */
  group?: string;
  /** Start from the earliest offset. @default true */
  fromBeginning?: boolean;
  /** Stop after this many rows in total. */
  maxRows?: number;
  /** Stop when the topic has no new records for this long. */
  idleTimeoutMs?: number;
  /** A stream profile (name or .json path): read its cluster, in its format, not the buffer's. */
  profile?: string;
  /** Rewind every partition first: 'earliest' | 'latest' | ISO time | epoch ms (beats commits). */
  resetTo?: string | number;
  /**
   * Read another cluster than the engine's buffer: its brokers and TLS/SASL settings (the JSON of
   * sdk/src/buffer/security.ts, validated; secrets stay in the variables/files it names).
   */
  connection?: { bootstrapServers?: string; security?: unknown; securityFile?: string };
  signal: AbortSignal;
}

export interface CrossmatchOptions {
  catalogs: string[];
  radiusArcsec: number;
}

export interface ConeOptions {
  raDeg: number;
  decDeg: number;
  radiusArcsec: number;
  catalog: string;
}

export interface BridgeServices {
  topics(): Promise<TopicInfo[]>;
  attach(topic: string, options: AttachOptions): AsyncIterable<StreamItem>;
  crossmatch(table: Table, options: CrossmatchOptions): Promise<Table>;
  cone(options: ConeOptions): Promise<Table>;
  /** One object's lightcurve (lightcurve-service.ts): {object_id, topic?, since_mjd?}. */
  lightcurve(request: JsonObject): Promise<ServiceReply>;
  /** Runs a filter with a stage's semantics over the request's batches or an archive span. */
  backtest(request: JsonObject, buffers: Uint8Array[]): Promise<ServiceReply>;
  /** Releases what the services opened (Kafka clients, catalog stores). */
  close(): Promise<void>;
}

/** A reply's JSON content and its Arrow IPC buffers. */
export interface ServiceReply {
  content: JsonObject;
  buffers: Uint8Array[];
}
