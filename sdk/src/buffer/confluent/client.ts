/**
 * Loads @confluentinc/kafka-javascript (librdkafka) and names the part of its API this transport
 * uses. The package is CommonJS with a native addon that scripts/setup-kafka-client.sh builds; it
 * is required here, on first use, so that a machine without the build can still run kafkajs.
 * The shapes below are what the package documents (its types/*.d.ts), narrowed to our calls.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { transportSecurity } from '../security-clients.js';
import type * as T from '../transport-types.js';
import { confluentSecurity } from './security.js';

const PACKAGE = '@confluentinc/kafka-javascript';

export type Callback<R = void> = (error: RdError | null | undefined, result: R) => void;

export interface RdError extends Error {
  code: number;
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
}

export interface RdTopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string | null;
}

export interface DeliveryReport {
  topic: string;
  partition: number;
  offset: number;
  opaque: unknown;
}

export type RdHeaders = Array<Record<string, string | Buffer>>;

export interface RdProducer {
  connect(options: Record<string, unknown>, cb: Callback<unknown>): void;
  disconnect(timeoutMs: number, cb: Callback<unknown>): void;
  setPollInterval(ms: number): void;
  setPollInBackground(on: boolean): void;
  produce(
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | string | null | undefined,
    timestamp: number | null,
    opaque: unknown,
    headers: RdHeaders | undefined
  ): boolean;
  poll(): void;
  flush(timeoutMs: number, cb: Callback): void;
  on(
    event: 'delivery-report',
    listener: (error: RdError | null, report: DeliveryReport) => void
  ): void;
  on(event: 'event.error', listener: (error: RdError) => void): void;
  on(
    event: 'event.log',
    listener: (log: { severity: number; fac: string; message: string }) => void
  ): void;
  initTransactions(timeoutMs: number, cb: Callback): void;
  beginTransaction(cb: Callback): void;
  commitTransaction(timeoutMs: number, cb: Callback): void;
  abortTransaction(timeoutMs: number, cb: Callback): void;
  sendOffsetsToTransaction(
    offsets: RdTopicPartitionOffset[],
    consumer: RdKafkaConsumer,
    timeoutMs: number,
    cb: Callback
  ): void;
}

export interface RdKafkaConsumer {
  connect(options: Record<string, unknown>, cb: Callback<unknown>): void;
  disconnect(cb: Callback<unknown>): void;
  /** Committed offsets (OffsetFetch through the handle's own group coordinator); an element is an Error when its partition failed. */
  committed(
    toppars: Array<{ topic: string; partition: number }>,
    timeoutMs: number,
    cb: Callback<Array<Partial<RdTopicPartitionOffset> | Error>>
  ): void;
}

export interface KjsMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  offset: string;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}

export interface KjsBatchPayload {
  batch: { topic: string; partition: number; highWatermark: string; messages: KjsMessage[] };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface KjsConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(s: { topics: string[] }): Promise<void>;
  run(config: {
    eachBatch(payload: KjsBatchPayload): Promise<void>;
    eachBatchAutoResolve: boolean;
    partitionsConsumedConcurrently: number;
  }): Promise<void>;
  seek(tpo: { topic: string; partition: number; offset: string }): void;
  pause(tps: Array<{ topic: string; partitions?: number[] }>): void;
  resume(tps: Array<{ topic: string; partitions?: number[] }>): void;
  commitOffsets(tpos: Array<{ topic: string; partition: number; offset: string }>): Promise<void>;
}

export interface RdGroupDescription {
  groupId: string;
  error?: RdError;
  members: Array<{
    memberId: string;
    clientId: string;
    clientHost: string;
    assignment?: { topicPartitions: Array<{ topic: string; partition: number }> };
  }>;
  protocol: string;
  protocolType: string;
  state: number;
}

export interface KjsAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  createTopics(o: {
    topics: Array<{
      topic: string;
      numPartitions: number;
      replicationFactor: number;
      configEntries: Array<{ name: string; value: string }>;
    }>;
    timeout?: number;
  }): Promise<boolean>;
  deleteTopics(o: { topics: string[]; timeout?: number }): Promise<void>;
  listTopics(o?: { timeout?: number }): Promise<string[]>;
  fetchTopicMetadata(o: { topics: string[]; timeout?: number }): Promise<
    Array<{
      name: string;
      partitions: Array<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }>;
    }>
  >;
  fetchTopicOffsets(
    topic: string,
    o?: { timeout?: number }
  ): Promise<Array<{ partition: number; low: string; high: string }>>;
  fetchTopicOffsetsByTimestamp(
    topic: string,
    timestampMs: number,
    o?: { timeout?: number }
  ): Promise<Array<{ partition: number; offset: string }>>;
  // No fetchOffsets: librdkafka's ListConsumerGroupOffsets crashes the process (SIGSEGV) when the
  // group coordinator answers NOT_COORDINATOR; group offsets come from RdKafkaConsumer.committed.
  listGroups(o?: { timeout?: number }): Promise<{
    groups: Array<{ groupId: string; protocolType: string }>;
  }>;
  describeGroups(
    groupIds: string[],
    o?: { timeout?: number }
  ): Promise<{
    groups: RdGroupDescription[];
  }>;
  deleteGroups(groupIds: string[], o?: { timeout?: number }): Promise<unknown>;
}

export interface ConfluentModule {
  librdkafkaVersion: string;
  Producer: new (
    config: Record<string, unknown>,
    topicConfig?: Record<string, unknown>
  ) => RdProducer;
  KafkaConsumer: new (
    config: Record<string, unknown>,
    topicConfig?: Record<string, unknown>
  ) => RdKafkaConsumer;
  KafkaJS: {
    Kafka: new (config: Record<string, unknown>) => {
      admin(config?: Record<string, unknown>): KjsAdmin;
      consumer(config: Record<string, unknown>): KjsConsumer;
    };
    logLevel: { NOTHING: number; ERROR: number; WARN: number; INFO: number; DEBUG: number };
  };
}

/**
 * Where the package is looked for, in order: ALERTLAB_KAFKA_CLIENT_DIR (a folder holding
 * node_modules/@confluentinc/kafka-javascript), the build scripts/setup-kafka-client.sh links at
 * <repo>/.alertlab/kafka-client, then the usual node_modules resolution.
 */
export function confluentSearchDirs(): string[] {
  const repo = fileURLToPath(new URL('../../../../', import.meta.url));
  const dirs = [join(repo, '.alertlab', 'kafka-client')];
  const override = process.env.ALERTLAB_KAFKA_CLIENT_DIR;
  return override ? [override, ...dirs] : dirs;
}

/** The package, loaded on first use (throws when it is not installed or its addon is not built). */
export function loadConfluent(): ConfluentModule {
  const errors: string[] = [];
  for (const dir of confluentSearchDirs()) {
    try {
      return createRequire(join(dir, 'package.json'))(PACKAGE) as ConfluentModule;
    } catch (e) {
      errors.push(`${dir}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return createRequire(import.meta.url)(PACKAGE) as ConfluentModule;
  } catch (e) {
    throw new Error(
      `${PACKAGE} is not built here (${[...errors, (e as Error).message.split('\n')[0]].join('; ')}). ` +
        'Run `bash scripts/setup-kafka-client.sh` (scripts/setup.sh runs it).',
      { cause: e }
    );
  }
}

/** librdkafka settings every client of a transport shares. */
export function commonConfig(options: T.TransportOptions): Record<string, unknown> {
  return {
    'bootstrap.servers': options.bootstrapServers.join(','),
    'client.id': options.clientId ?? 'alertlab',
    'socket.connection.setup.timeout.ms': options.connectionTimeoutMs ?? 10_000,
    'socket.timeout.ms': Math.max(options.requestTimeoutMs ?? 30_000, 10_000),
    // a produce to a topic no broker lists fails after this long (librdkafka's default: 30 s)
    'topic.metadata.propagation.max.ms': 10_000,
    ...confluentSecurity(transportSecurity(options.security))
  };
}

/** librdkafka's syslog severities: 0–3 errors (our info: callers get thrown errors), the rest debug. */
export function forwardLog(logger: Logger, what: string) {
  return (log: { severity: number; fac: string; message: string }): void => {
    const target = log.severity <= 3 ? 'info' : 'debug';
    logger[target](`librdkafka ${what} ${log.fac}: ${log.message}`);
  };
}

export const toBuffer = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * librdkafka's errors in the shape the transport's error wrapping reads (transport-errors.ts):
 * `retriable` from librdkafka's `isRetriable`, and an unknown topic named as Kafka names it.
 */
export function asClientError(e: unknown): unknown {
  if (typeof e === 'object' && e !== null) {
    const err = e as { code?: unknown; isRetriable?: unknown; retriable?: unknown; type?: unknown };
    if (err.retriable === undefined && typeof err.isRetriable === 'boolean') {
      err.retriable = err.isRetriable;
    }
    if (
      err.type === undefined &&
      (err.code === ERR_UNKNOWN_TOPIC_OR_PART || err.code === ERR__UNKNOWN_TOPIC)
    ) {
      err.type = 'UNKNOWN_TOPIC_OR_PARTITION';
    }
  }
  return e;
}

const ERR_UNKNOWN_TOPIC_OR_PART = 3;
const ERR__UNKNOWN_TOPIC = -188;

/** Calls a callback-style method and settles with its result. */
export function callback<R = void>(fn: (cb: Callback<R>) => void): Promise<R> {
  return new Promise((resolve, reject) =>
    fn((error, result) => (error ? reject(error) : resolve(result)))
  );
}
