/**
 * `StageRunner`: one stage worker. `create(manifest)` validates and prepares (filter, catalogs,
 * topics), `run(signal)` consumes until the signal aborts (or the consumer dies), `stats()` reads
 * the counters, `close()` leaves the group and releases everything. Start several workers with the
 * same manifest to share the input partitions.
 */
import { resolveKafkaConnection, type BootstrapSetting } from '../buffer/bootstrap.js';
import { getDefaultLogger, type Logger } from '../buffer/log.js';
import {
  DEFAULT_KAFKA_CLIENT,
  FAULT_CASES_UNPROVEN,
  createTransport,
  selectedKafkaClient
} from '../buffer/transport.js';
import type { KafkaTransport } from '../buffer/transport-types.js';
import { StageError } from '../errors.js';
import type { Filter } from '../filter/types.js';
import { AggregateHandler } from './aggregate-stage.js';
import { ArchiveHandler } from './archive-stage.js';
import { DECODE_WORKERS, FilterStageHandler, PARTITIONS_IN_FLIGHT } from './filter-stage.js';
import { loadStageManifest, parseStageManifest } from './manifest.js';
import type { StageManifest } from './manifest-types.js';
import { PartitionedConsumer, type PartitionHandler } from './partitions.js';
import { StagePipeline } from './pipeline.js';
import { createStageFilter } from './stage-filter.js';
import { StageCounters, type StageStats } from './stats.js';
import type { ChunkTiming } from './chunk-timing.js';
import { StageObjectState } from '../state/stage-objects.js';
import { startStageNotifiers } from '../notify/stage-notify.js';
import { decodedColumns } from './decoded-columns.js';

export { decodedColumns };

export interface StageRunnerOptions {
  /** Overrides the manifest's `input.bootstrapServers`. @default the manifest's, else ALERTLAB_BOOTSTRAP_SERVERS, else 'local' */
  bootstrapServers?: BootstrapSetting;
  /** Create missing output and dead-letter topics (with the input's partition count). @default true */
  createTopics?: boolean;
  /** @default getDefaultLogger() */
  logger?: Logger;
}

export class StageRunner {
  private consumer: PartitionedConsumer<unknown> | undefined;
  private closed = false;

  private constructor(
    readonly manifest: StageManifest,
    private readonly transport: KafkaTransport,
    private readonly counters: StageCounters,
    private readonly handler: PartitionHandler<unknown>,
    private readonly resources: { close(): Promise<void> | void }[],
    private readonly logger: Logger
  ) {}

  /** Validates the manifest (an object or a JSON file path) and prepares the worker. */
  static async create(
    manifestOrPath: StageManifest | string | Record<string, unknown>,
    options: StageRunnerOptions = {}
  ): Promise<StageRunner> {
    const manifest =
      typeof manifestOrPath === 'string'
        ? await loadStageManifest(manifestOrPath)
        : parseStageManifest(manifestOrPath);
    const logger = options.logger ?? getDefaultLogger();
    const connection = await resolveKafkaConnection(
      options.bootstrapServers ?? manifest.input.bootstrapServers,
      manifest.input.security
    );
    const client = selectedKafkaClient();
    if (FAULT_CASES_UNPROVEN.includes(client)) {
      logger.warn(
        `stage "${manifest.id}" runs on the ${client} Kafka client, which has not yet passed every broker-fault case (see the README's Kafka clients); production stages should use the default, ${DEFAULT_KAFKA_CLIENT}`,
        { client }
      );
    }
    const transport = createTransport({ ...connection, clientId: `stage-${manifest.id}` });
    const counters = new StageCounters(manifest.id, manifest.kind);
    const resources: { close(): Promise<void> | void }[] = [];
    try {
      if (options.createTopics ?? true) {
        await ensureTopics(transport, manifest);
      }
      const handler = await makeHandler(manifest, counters, resources, transport, logger);
      return new StageRunner(manifest, transport, counters, handler, resources, logger);
    } catch (error) {
      for (const r of resources.reverse()) {
        await r.close();
      }
      await transport.close();
      throw error;
    }
  }

  /** Consumes until `signal` aborts; rejects if the consumer stops for good. */
  async run(signal?: AbortSignal): Promise<void> {
    if (this.closed) {
      throw new StageError(`Stage "${this.manifest.id}" is closed; create a new StageRunner.`);
    }
    const m = this.manifest;
    const consumer = new PartitionedConsumer(
      this.transport,
      {
        stageId: m.id,
        topic: m.input.topic,
        groupId: m.id,
        maxRows: m.batch.maxRows,
        maxBytes: m.batch.maxBytes,
        maxWaitMs: m.batch.maxWaitMs,
        sessionTimeoutMs: m.consumer.sessionTimeoutMs,
        heartbeatIntervalMs: m.consumer.heartbeatIntervalMs,
        groupProtocol: m.consumer.groupProtocol,
        fromBeginning: m.input.fromBeginning,
        logger: this.logger,
        partitionsConcurrently: m.kind === 'filter' ? PARTITIONS_IN_FLIGHT : 1
      },
      this.handler
    );
    consumer.onPartitions = partitions => (this.counters.partitions = partitions);
    this.consumer = consumer;
    const stopped = new Promise<void>(resolve => {
      if (signal?.aborted) {
        resolve();
      }
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await consumer.start();
    // deliveries read the outputs in their own groups: a slow destination never holds the stage
    const notifiers = await startStageNotifiers(this.transport, m, this.logger);
    try {
      await Promise.race([stopped, consumer.failed()]);
    } finally {
      await notifiers.close();
      await consumer.close();
      this.consumer = undefined;
    }
  }

  /** Counters so far (in, out per output, dead letters, latency histogram...). */
  stats(): StageStats {
    return this.counters.snapshot();
  }

  /**
   * Hears each committed chunk's timing (filter stages: where its time went, see
   * chunk-timing.ts); returns the unsubscribe.
   */
  onChunk(listener: (timing: ChunkTiming) => void): () => void {
    return this.counters.onChunk(listener);
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.consumer?.close();
    for (const r of this.resources.reverse()) {
      await r.close();
    }
    await this.transport.close();
  }
}

async function makeHandler(
  m: StageManifest,
  counters: StageCounters,
  resources: { close(): Promise<void> | void }[],
  transport: KafkaTransport,
  logger: Logger
): Promise<PartitionHandler<unknown>> {
  if (m.kind === 'aggregate') {
    return new AggregateHandler(m, counters) as PartitionHandler<unknown>;
  }
  if (m.kind === 'archive') {
    const archive = new ArchiveHandler(m, counters);
    resources.push(archive);
    return archive as PartitionHandler<unknown>;
  }
  const filter: Filter = await createStageFilter(
    m.filter as NonNullable<StageManifest['filter']>,
    m.id
  );
  resources.push(filter);
  const pipeline = await StagePipeline.create({
    format: m.input.format,
    crossmatch: m.crossmatch,
    watch: m.watch,
    decodeWorkers: DECODE_WORKERS,
    columns: decodedColumns(m, filter),
    lightcurve: m.objects !== undefined // object state reads the lightcurve and its features
  });
  resources.push(pipeline);
  const objects = m.objects && (await StageObjectState.create(transport, m, m.objects, logger));
  if (objects) {
    resources.push(objects);
  }
  return new FilterStageHandler(
    m,
    pipeline,
    filter,
    counters,
    logger,
    objects || undefined
  ) as PartitionHandler<unknown>;
}

/** Creates missing output, aggregate and dead-letter topics like the input topic. */
async function ensureTopics(transport: KafkaTransport, m: StageManifest): Promise<void> {
  const admin = await transport.admin();
  try {
    const [input] = await admin.describeTopics([m.input.topic]);
    const partitions = input.partitions.length;
    const topics = new Set([...Object.values(m.outputs), m.deadLetterTopic]);
    if (m.aggregate) {
      topics.add(m.aggregate.topic);
    }
    await admin.createTopics([...topics].map(topic => ({ topic, partitions })));
    if (m.objects) {
      // the changelog's partition p holds input partition p's objects: same count, compacted
      await admin.createTopics([
        {
          topic: m.objects.changelogTopic,
          partitions,
          configs: { 'cleanup.policy': 'compact' }
        },
        ...(m.objects.annotationsTopic ? [{ topic: m.objects.annotationsTopic, partitions }] : [])
      ]);
    }
  } finally {
    await admin.close();
  }
}

/** Runs `fn` with a stage worker that is closed afterwards. */
export async function withStageRunner<T>(
  manifest: StageManifest | string | Record<string, unknown>,
  fn: (runner: StageRunner) => Promise<T>,
  options: StageRunnerOptions = {}
): Promise<T> {
  const runner = await StageRunner.create(manifest, options);
  try {
    return await fn(runner);
  } finally {
    await runner.close();
  }
}
