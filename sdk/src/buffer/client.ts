/**
 * `BufferClient`: one connection to a buffer set's brokers, with attach, lag, produce and topic
 * admin on it. `withBuffer(fn)` opens one and closes it in `finally`; the free functions
 * (`attach`, `lag`, `produce`, ...) open a short-lived client per call, for notebooks and scripts.
 */
import { attachWith, type AlertBatch, type AttachOptions } from './attach.js';
import { resolveKafkaConnection, type BootstrapSetting } from './bootstrap.js';
import type { Logger } from './log.js';
import type { OcfFraming } from './ocf.js';
import {
  deadLetterRecords,
  readAlertFile,
  sendRecords,
  toRecords,
  type AlertValue,
  type ProduceFileOptions,
  type ProduceOptions,
  type ProduceSummary
} from './produce.js';
import type { BufferReject } from './reject.js';
import type { KafkaSecurity } from './security.js';
import {
  DEFAULT_TOPIC_CONFIGS,
  describeTopic,
  lagOf,
  type PartitionLag,
  type TopicReport
} from './topics.js';
import { createTransport, type KafkaClientName } from './transport.js';
import type { AdminClient, KafkaTransport, ProducerClient, TopicSpec } from './transport-types.js';

export interface BufferOptions {
  /** `'local'`, `'host:port,...'` or a list. @default process.env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local' */
  bootstrapServers?: BootstrapSetting;
  /** @default 'alertlab' */
  clientId?: string;
  /** @default getDefaultLogger() */
  logger?: Logger;
  /** The Kafka client (a buffer set's `kafkaClient`). @default ALERTLAB_KAFKA_CLIENT, else the default */
  kafkaClient?: KafkaClientName;
  /**
   * TLS/SASL settings (security.ts; a buffer set's `security`).
   * @default a secured local cluster's own settings for 'local', else ALERTLAB_KAFKA_SECURITY
   */
  security?: KafkaSecurity;
}

export class BufferClient {
  private adminClient: Promise<AdminClient> | undefined;
  private producerClient: Promise<ProducerClient> | undefined;
  private closed = false;

  private constructor(
    readonly transport: KafkaTransport,
    /** The security settings in use, when given or found (else the transport's default). */
    readonly security?: KafkaSecurity
  ) {}

  /** Resolves the brokers and prepares a client (connections open on first use). */
  static async create(options: BufferOptions = {}): Promise<BufferClient> {
    const connection = await resolveKafkaConnection(options.bootstrapServers, options.security);
    return new BufferClient(
      createTransport({
        ...connection,
        clientId: options.clientId,
        logger: options.logger,
        client: options.kafkaClient
      }),
      connection.security
    );
  }

  get bootstrapServers(): string[] {
    return this.transport.bootstrapServers;
  }

  /** The shared admin client (connected on first use, closed with this client). */
  admin(): Promise<AdminClient> {
    this.adminClient ??= this.transport.admin();
    return this.adminClient;
  }

  /**
   * Replaces the shared admin client with a new one — fresh cluster metadata, for when the old one
   * answers from stale metadata (see stale-metadata.ts) — and returns it. The old one is closed a
   * minute later (calls in flight on it finish), or with this client.
   */
  async refreshAdmin(): Promise<AdminClient> {
    const old = this.adminClient;
    const fresh = this.transport.admin();
    this.adminClient = fresh;
    fresh.catch(() => {
      if (this.adminClient === fresh) {
        this.adminClient = undefined; // the next admin() tries again
      }
    });
    setTimeout(() => void old?.then(a => a.close()).catch(() => undefined), 60_000).unref();
    return fresh;
  }

  /** The shared idempotent producer (connected on first use, closed with this client). */
  producer(): Promise<ProducerClient> {
    this.producerClient ??= this.transport.producer({ idempotent: true });
    return this.producerClient;
  }

  /** Alert batches from `topic`; see attachWith. Each attach has its own consumer. */
  attach(topic: string, options: AttachOptions = {}): AsyncGenerator<AlertBatch, void, undefined> {
    return attachWith(this.transport, topic, options);
  }

  async lag(topic: string, group: string): Promise<PartitionLag[]> {
    return lagOf(await this.admin(), topic, group);
  }

  async describeTopic(topic: string): Promise<TopicReport> {
    return describeTopic(await this.admin(), topic);
  }

  /** Creates topics (alerts-sized `max.message.bytes` unless given); existing ones are reported. */
  async createTopics(specs: TopicSpec[]): Promise<{ created: string[]; existing: string[] }> {
    const admin = await this.admin();
    return admin.createTopics(
      specs.map(s => ({ ...s, configs: { ...DEFAULT_TOPIC_CONFIGS, ...s.configs } }))
    );
  }

  async deleteTopics(topics: string[]): Promise<void> {
    await (await this.admin()).deleteTopics(topics);
  }

  /** Sends serialized alerts (or alert objects as JSON) to `topic`. */
  async produce(
    topic: string,
    values: ReadonlyArray<AlertValue>,
    options: ProduceOptions = {}
  ): Promise<ProduceSummary> {
    return sendRecords(
      await this.producer(),
      toRecords(topic, values, options),
      options.maxRequestBytes
    );
  }

  /** Splits an Avro container file into one record per alert and sends them to `topic`. */
  async produceFile(
    topic: string,
    path: string,
    options: ProduceFileOptions = {}
  ): Promise<ProduceSummary & { framing: OcfFraming; survey: string }> {
    const { values, framing, survey } = await readAlertFile(path, options.framing);
    return { ...(await this.produce(topic, values, options)), framing, survey };
  }

  /** Writes rejects to a dead-letter topic with their original bytes, key and headers. */
  async writeDeadLetters(
    topic: string,
    rejects: ReadonlyArray<BufferReject>
  ): Promise<ProduceSummary> {
    if (rejects.length === 0) {
      return { records: 0, bytes: 0, results: [] };
    }
    return sendRecords(await this.producer(), deadLetterRecords(topic, rejects));
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.transport.close();
  }
}

/** Runs `fn` with a client and closes it afterwards, whatever happens. */
export async function withBuffer<R>(
  fn: (client: BufferClient) => Promise<R>,
  options: BufferOptions = {}
): Promise<R> {
  const client = await BufferClient.create(options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * Alert batches from `topic` on its own connection, closed when the iteration ends (break,
 * return, error or `signal` abort).
 */
export async function* attach(
  topic: string,
  options: AttachOptions & BufferOptions = {}
): AsyncGenerator<AlertBatch, void, undefined> {
  const client = await BufferClient.create(options);
  try {
    yield* client.attach(topic, options);
  } finally {
    await client.close();
  }
}

/** Lag of `group` on each partition of `topic`. */
export function lag(
  topic: string,
  group: string,
  options: BufferOptions = {}
): Promise<PartitionLag[]> {
  return withBuffer(c => c.lag(topic, group), options);
}

/** Sends alerts to `topic` on a short-lived connection. */
export function produce(
  topic: string,
  values: ReadonlyArray<AlertValue>,
  options: ProduceOptions & BufferOptions = {}
): Promise<ProduceSummary> {
  return withBuffer(c => c.produce(topic, values, options), options);
}

/** Sends the alerts of an Avro container file to `topic`, one record per alert. */
export function produceFile(
  topic: string,
  path: string,
  options: ProduceFileOptions & BufferOptions = {}
): Promise<ProduceSummary & { framing: OcfFraming; survey: string }> {
  return withBuffer(c => c.produceFile(topic, path, options), options);
}

/** Writes rejects to a dead-letter topic. */
export function writeDeadLetters(
  topic: string,
  rejects: ReadonlyArray<BufferReject>,
  options: BufferOptions = {}
): Promise<ProduceSummary> {
  return withBuffer(c => c.writeDeadLetters(topic, rejects), options);
}
