/**
 * What the engine's handlers call. Each field is optional: a handler whose service is missing
 * replies `not-available` (naming the SDK module to build or load) instead of failing.
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
  lightcurve(objectId: string): Promise<Table>;
  backtest(spec: JsonObject, data: Table | null): Promise<JsonObject>;
  promote(spec: JsonObject): Promise<JsonObject>;
  /** Releases what the services opened (Kafka clients, catalog stores). */
  close(): Promise<void>;
}

export type PartialServices = Partial<BridgeServices>;

/** Which SDK module would provide each service, for `not-available` messages. */
export const SERVICE_PROVIDERS: Record<keyof BridgeServices, string> = {
  topics: 'sdk/src/buffer (Kafka buffer topics)',
  attach: 'sdk/src/buffer (Kafka buffer topics)',
  crossmatch: 'sdk/src/crossmatch + sdk/src/catalog',
  cone: 'sdk/src/crossmatch + sdk/src/catalog',
  lightcurve: 'sdk/src/buffer + sdk/src/alerts (lightcurves)',
  backtest: 'sdk/src/filter (backtest)',
  promote: 'sdk/src/control (the controller)',
  close: 'nothing'
};
