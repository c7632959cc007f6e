/**
 * Object state in a filter stage: per input partition an {@link ObjectStore} rebuilt from the
 * changelog when the partition (re)starts, updated chunk by chunk before the filter runs (the
 * filter sees the `obj_*` columns), and changelogged in the chunk's own transaction — so a crash
 * or rebalance never counts an alert twice: a chunk's state changes commit with its outputs and
 * input offsets, or not at all.
 *
 * Objects must be keyed to partitions: every alert of an object has to reach the same input
 * partition (Kafka key = object id, as the simulator writes). Alerts whose key is not their object
 * id are counted and warned about once per partition.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ConsumedRecord, KafkaTransport, ProduceRecord } from '../buffer/transport-types.js';
import type { Logger } from '../buffer/log.js';
import { matchColumnPrefix } from '../stage/match-columns.js';
import type { StageManifest } from '../stage/manifest-types.js';
import { withLightcurveFeatures } from '../filter/features.js';
import { AnnotationTable } from './annotations.js';
import type { StageObjects } from './config.js';
import { changelogRecords, rebuildPartition } from './changelog.js';
import { withObjectColumns } from './columns.js';
import { stringsOf } from './arrow-read.js';
import { ObjectStore } from './store.js';
import { applyChunk, type AppliedChunk } from './update.js';

/** One partition's objects. */
export interface PartitionObjects {
  partition: number;
  store: ObjectStore;
  /** The chunk applied last (a chunk decoded again, wider, is not applied twice). */
  last?: { first: bigint; end: bigint; applied: AppliedChunk; changelog: ProduceRecord[] };
  keyWarned: boolean;
}

/** Rows of a chunk whose key is checked against the object id (the first ones). */
const KEY_CHECK_ROWS = 8;

export class StageObjectState {
  private constructor(
    private readonly transport: KafkaTransport,
    readonly config: StageObjects,
    private readonly catalogs: readonly string[],
    private readonly annotations: AnnotationTable | undefined,
    private readonly logger: Logger | undefined
  ) {}

  static async create(
    transport: KafkaTransport,
    manifest: StageManifest,
    config: StageObjects,
    logger?: Logger
  ): Promise<StageObjectState> {
    const annotations = config.annotationsTopic
      ? await AnnotationTable.start(transport, config.annotationsTopic, logger)
      : undefined;
    const catalogs = manifest.crossmatch?.catalogs.map(c => c.name) ?? [];
    return new StageObjectState(transport, config, catalogs, annotations, logger);
  }

  /** Rebuilds a partition's state as of the committed input offset. */
  async open(partition: number, committedOffset: bigint): Promise<PartitionObjects> {
    const t0 = performance.now();
    const { store, records } = await rebuildPartition(
      this.transport,
      this.config.changelogTopic,
      partition,
      committedOffset,
      () => new ObjectStore()
    );
    this.logger?.info('object state rebuilt from the changelog', {
      partition,
      objects: store.size,
      records,
      ms: Math.round(performance.now() - t0)
    });
    return { partition, store, keyWarned: false };
  }

  /**
   * Applies the chunk's alerts (rows of `batch`, from `records[rowIndex[row]]`) and returns the
   * batch with the object columns and the chunk's changelog records (watermark last).
   */
  attach(
    part: PartitionObjects,
    batch: RecordBatch,
    records: readonly ConsumedRecord[],
    rowIndex: Int32Array
  ): { batch: RecordBatch; changelog: ProduceRecord[] } {
    const first = records[0].offset;
    const end = records[records.length - 1].offset + 1n;
    let last = part.last;
    if (last === undefined || last.first !== first || last.end !== end) {
      if (!part.keyWarned) {
        this.checkKeys(part, batch, records, rowIndex);
      }
      const applied = applyChunk(part.store, batch, {
        rateWindowDays: this.config.rateWindowDays,
        matchPrefixes: this.catalogs.map(matchColumnPrefix)
      });
      const changelog = changelogRecords(
        this.config.changelogTopic,
        part.partition,
        part.store,
        applied.touched,
        end
      );
      last = { first, end, applied, changelog };
      part.last = last;
    }
    if (last.applied.slotOfRow.length !== batch.numRows) {
      throw new Error(
        `object state: chunk at offset ${first} decoded to ${batch.numRows} rows, ${last.applied.slotOfRow.length} before`
      );
    }
    const withObjects = withObjectColumns(batch, last.applied, part.store, this.catalogs, id =>
      this.annotations?.get(id)
    );
    return { batch: withObjects, changelog: last.changelog };
  }

  private checkKeys(
    part: PartitionObjects,
    batch: RecordBatch,
    records: readonly ConsumedRecord[],
    rowIndex: Int32Array
  ): void {
    const ids = stringsOf(batch.slice(0, KEY_CHECK_ROWS), 'objectId');
    const bad = ids.filter((id, r) => {
      const key = records[rowIndex[r]].key;
      return id !== null && (key === null || Buffer.from(key).toString() !== id);
    }).length;
    if (bad > 0) {
      part.keyWarned = true;
      this.logger?.warn(
        'object state: alerts are not keyed by object id, so one object can be spread over several partitions and counted in each. Produce the input with key = objectId.',
        { partition: part.partition, checked: ids.length, unkeyed: bad }
      );
    }
  }

  async close(): Promise<void> {
    await this.annotations?.close();
  }
}

/**
 * Object state in a backtest: one store for the whole backtest, empty at its start (a backtest
 * of a sample sees the state its own alerts build), no changelog, no annotations.
 */
export class BacktestObjects {
  private readonly store = new ObjectStore();
  private readonly prefixes: string[];

  constructor(
    private readonly config: StageObjects,
    private readonly catalogs: readonly string[]
  ) {
    this.prefixes = catalogs.map(matchColumnPrefix);
  }

  /** The chunk's alerts applied, and the batch (with its features) and the `obj_*` columns. */
  attach(input: RecordBatch): RecordBatch {
    const batch = withLightcurveFeatures(input);
    const applied = applyChunk(this.store, batch, {
      rateWindowDays: this.config.rateWindowDays,
      matchPrefixes: this.prefixes
    });
    return withObjectColumns(batch, applied, this.store, this.catalogs, () => undefined);
  }
}

/** Batches with the object state a backtest of `manifest` builds over them (see BacktestObjects). */
export async function* withBacktestObjects(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  manifest: StageManifest
): AsyncGenerator<RecordBatch> {
  if (!manifest.objects) {
    yield* batches;
    return;
  }
  const catalogs = manifest.crossmatch?.catalogs.map(c => c.name) ?? [];
  const objects = new BacktestObjects(manifest.objects, catalogs);
  for await (const batch of batches) {
    yield objects.attach(batch);
  }
}
