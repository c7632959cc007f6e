/**
 * The Kafka transport interface the rest of alertlab uses. Each Kafka client implements it in its
 * own folder (kafkajs/, confluent/), chosen by `createTransport` (transport.ts), and every
 * implementation must pass the same contract suite (test/transport-contract*.test.ts). Offsets are
 * `bigint` (Kafka offsets are 64-bit); an offset given to `commit`/`seek` is the NEXT offset to
 * read, as in Kafka.
 */
import type { Logger } from './log.js';
import type { RetryOptions } from './retry.js';
import type { KafkaSecurity } from './security.js';

export interface TransportOptions {
  /** `host:port` of one or more brokers. */
  bootstrapServers: string[];
  /** @default 'alertlab' */
  clientId?: string;
  /** Receives the client's own log lines (at a quiet level). @default getDefaultLogger() */
  logger?: Logger;
  /** @default 10000 */
  connectionTimeoutMs?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
  /** Retries for admin operations and connects. @default { retries: 5 } */
  retry?: RetryOptions;
  /**
   * TLS and SASL (security.ts); secrets are read from the variables/files it names when the
   * transport is made. @default ALERTLAB_KAFKA_SECURITY, else PLAINTEXT
   */
  security?: KafkaSecurity;
}

export interface TopicSpec {
  topic: string;
  /** @default 1 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Topic configs such as `retention.ms`. @default {} */
  configs?: Record<string, string>;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicInfo {
  topic: string;
  partitions: PartitionInfo[];
}

export interface PartitionOffsets {
  partition: number;
  /** First offset still stored. */
  low: bigint;
  /** Offset the next record will get (the high watermark). */
  high: bigint;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read; -1n in results means "none committed". */
  offset: bigint;
  /**
   * Commit metadata stored with the offset (`sendOffsets` writes it, `groupOffsets` returns it; the
   * stage runtime keeps its aggregation watermark here). Added for sdk/src/stage. @default null
   */
  metadata?: string | null;
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** topic -> partitions assigned to this member. */
  assignment: Record<string, number[]>;
}

export interface GroupInfo {
  groupId: string;
  state: string;
  protocol: string;
  protocolType: string;
  members: GroupMember[];
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface AdminClient {
  /** Creates missing topics; topics that already exist are reported, not an error. */
  createTopics(specs: TopicSpec[]): Promise<{ created: string[]; existing: string[] }>;
  deleteTopics(topics: string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Partitions with leader, replicas and ISR. Unknown topics throw TopicNotFoundError. */
  describeTopics(topics: string[]): Promise<TopicInfo[]>;
  describeCluster(): Promise<{
    clusterId: string;
    controller: number | null;
    brokers: BrokerInfo[];
  }>;
  endOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition: the first offset whose timestamp is >= timestampMs (the end offset if none). */
  offsetsForTimestamp(topic: string, timestampMs: number): Promise<TopicPartitionOffset[]>;
  /** Committed offsets of `groupId` for `topic` (offset -1n where nothing is committed). */
  groupOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]>;
  listGroups(): Promise<GroupOverview[]>;
  describeGroups(groupIds: string[]): Promise<GroupInfo[]>;
  deleteGroups(groupIds: string[]): Promise<void>;
  close(): Promise<void>;
}

export type HeaderValue = string | Uint8Array;

export interface ProduceRecord {
  topic: string;
  value: Uint8Array | null;
  /** @default null */
  key?: Uint8Array | string | null;
  /** @default chosen by the key hash (murmur2, as the Java client) or round robin */
  partition?: number;
  /** @default {} */
  headers?: Record<string, HeaderValue | HeaderValue[]>;
  /** Record timestamp (ms since epoch). @default now */
  timestampMs?: number;
}

export interface ProduceResult {
  topic: string;
  partition: number;
  /** Offset of the first record written to that partition by this call. */
  baseOffset: bigint;
}

export interface ProducerOptions {
  /** Exactly-once per partition (no duplicates on retry). @default true */
  idempotent?: boolean;
  /** Makes the producer transactional (implies idempotent). @default undefined */
  transactionalId?: string;
  /** @default 'none' */
  compression?: 'none' | 'gzip';
}

export interface ProducerTransaction {
  /**
   * True when the client itself cuts the records of one send into record batches the broker accepts
   * (librdkafka: at most `batch.size` each) and keeps several in flight: {@link sendRecords} then
   * sends parts of a few batches each (BATCHING_SEND_BYTES) instead of one request-sized part at a
   * time.
   */
  readonly batchesRecords?: boolean;
  send(records: ProduceRecord[]): Promise<ProduceResult[]>;
  /** Commits consumer offsets of `groupId` atomically with this transaction. */
  sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface ProducerClient {
  /**
   * True when the client itself cuts the records of one send into record batches the broker accepts
   * (librdkafka: at most `batch.size` each) and keeps several in flight: sendRecords then sends
   * parts of a few batches each (BATCHING_SEND_BYTES) instead of one request-sized part at a time.
   */
  readonly batchesRecords?: boolean;
  send(records: ProduceRecord[]): Promise<ProduceResult[]>;
  /** Starts a transaction (the producer must have a transactionalId). */
  transaction(): Promise<ProducerTransaction>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  /** read_committed: aborted transactional records are never returned. @default true */
  readCommitted?: boolean;
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** @default 3000 */
  heartbeatIntervalMs?: number;
  /** @default 60000 */
  rebalanceTimeoutMs?: number;
  /** @default 10485760 (10 MiB) */
  maxBytesPerPartition?: number;
  /** @default 52428800 (50 MiB) */
  maxBytes?: number;
  /** @default 500 */
  maxWaitTimeMs?: number;
  /**
   * Group protocol: `classic` (JoinGroup/SyncGroup, the client assigns) or `consumer` (KIP-848:
   * the broker assigns, incrementally; Kafka 4.x). Transports without KIP-848 throw for
   * `consumer`. With `consumer`, session timeout and heartbeat interval are the broker's.
   * @default 'classic'
   */
  groupProtocol?: 'classic' | 'consumer';
}

export interface ConsumedRecord {
  offset: bigint;
  timestampMs: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, HeaderValue | HeaderValue[] | undefined>;
}

/** One fetched batch of one partition. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  highWatermark: bigint;
  records: ConsumedRecord[];
  /** Marks records up to `offset` (inclusive) as processed: the next fetch starts after it. */
  resolveOffset(offset: bigint): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  /** True when a rebalance or seek made this batch obsolete. */
  isStale(): boolean;
}

export type BatchHandler = (batch: FetchedBatch) => Promise<void>;

export interface ConsumerClient {
  readonly groupId: string;
  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void>;
  /**
   * Starts consuming (joins the group); resolves once running. Offsets are never auto-committed.
   * `partitionsConcurrently`: how many partitions' batches the handler may be running for at once
   * (a partition's batches always come one after another). @default 1
   */
  run(handler: BatchHandler, options?: { partitionsConcurrently?: number }): Promise<void>;
  /** Moves the position of an assigned (or soon assigned) partition. */
  seek(topic: string, partition: number, offset: bigint): void;
  pause(topic: string, partitions?: number[]): void;
  resume(topic: string, partitions?: number[]): void;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Called after each group join with this member's assignment; returns an unsubscribe. */
  onAssignment(listener: (assignment: Record<string, number[]>) => void): () => void;
  /** Called once the consumer has disconnected (by close(), or by its transport closing). */
  onDisconnect(listener: () => void): () => void;
  /** Called when the consumer crashes; `restarting` says whether it will rejoin by itself. */
  onCrash(listener: (error: Error, restarting: boolean) => void): () => void;
  close(): Promise<void>;
}

export interface KafkaTransport {
  readonly bootstrapServers: string[];
  /** Which Kafka client implements this transport (`'kafkajs'`, `'confluent'`). */
  readonly client: string;
  admin(): Promise<AdminClient>;
  producer(options?: ProducerOptions): Promise<ProducerClient>;
  consumer(options: ConsumerOptions): Promise<ConsumerClient>;
  /** Closes every client this transport created. */
  close(): Promise<void>;
}
