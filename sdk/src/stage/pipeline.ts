/**
 * The enrich half of a filter stage, shared with backtests so both see identical batches: Kafka
 * records → decoded alerts (one `decodeBatch` per chunk) + Kafka coordinate columns → cross-match
 * columns (`xm_*`) → lightcurve features. `StagePipeline.prepare` is exactly what a stage runs
 * before its filter; call it on the same records to backtest with production semantics.
 */
import type { RecordBatch } from 'apache-arrow';
import { createDecoder } from '../alerts/index.js';
import type { AlertDecoder, AlertFormat, DecodeResult } from '../alerts/types.js';
import { coordinatesOf, withKafkaColumns } from '../buffer/coordinates.js';
import { rejectAll, toBufferRejects, type BufferReject } from '../buffer/reject.js';
import type { ConsumedRecord } from '../buffer/transport-types.js';
import { existsSync } from 'node:fs';
import { CatalogStore } from '../catalog/store.js';
import { defaultCatalogPath } from '../catalog/paths.js';
import { isBuiltinCatalog, loadBuiltinCatalog } from '../catalog/builtin.js';
import { createMatcher, preloadCatalogs } from '../crossmatch/create.js';
import type { EngineMatcher } from '../crossmatch/matcher.js';
import { CatalogNotFoundError } from '../errors.js';
import { withLightcurveFeatures } from '../filter/features.js';
import { decodesLightcurve, namesFeature } from './decoded-columns.js';
import { DecodeWorker, DecoderFailure, decodeWithFallback } from '../buffer/decode-worker.js';
import { addMatchColumns, type MatchIndex } from './match-columns.js';
import type { StageCrossmatch } from './manifest-types.js';
import { WatchEnricher, type StageWatch } from '../watch/watch-columns.js';

/** One chunk of records, ready for the filter. */
export interface PreparedBatch {
  /**
   * Alerts + kafka* columns + xm_* columns + lightcurve features (the features only when every
   * column is decoded or the projection names one: see {@link StagePipeline.withFeatures}).
   */
  batch: RecordBatch;
  /** For each row, the index of the record it came from. */
  rowIndex: Int32Array;
  /** Records that did not decode, with their bytes and coordinates. */
  rejects: BufferReject[];
  /** Cross-match results per row (undefined without a crossmatch section). */
  matches: MatchIndex | undefined;
}

export interface StagePipelineOptions {
  format: AlertFormat;
  crossmatch?: StageCrossmatch;
  /** Use this decoder instead of `createDecoder(format)`. @default undefined */
  decoder?: AlertDecoder;
  /**
   * Decode in this many worker threads (decode-worker.ts), so the caller's thread stays free for
   * Kafka I/O and chunks decode side by side; same batches. 0: decode in the caller's thread.
   * Ignored with a custom `decoder`. @default 0
   */
  decodeWorkers?: number;
  /**
   * The survey columns to decode besides the canonical ones and the lightcurve (what the filter
   * reads, see Filter.readsOnly). @default undefined (all)
   */
  columns?: readonly string[];
  /** Watchlists and watchmaps to test (columns `watchlists`, `watchmaps`, ...). @default none */
  watch?: StageWatch;
  /**
   * Decode the lightcurve and add its features even when `columns` names neither it nor a feature
   * (object state reads them). @default false: only with every column, or when `columns` names
   * the lightcurve or a feature
   */
  lightcurve?: boolean;
}

/** A chunk's records decoded, before enrichment ({@link StagePipeline.decode}). */
export type DecodedChunk =
  /** `projected`: decoded with only some survey columns (see StagePipeline.widen). */
  { ok: true; decoded: DecodeResult; projected?: boolean } | { ok: false; error: unknown };

/**
 * Opens the catalog store read-only (many workers may share it) after loading any missing built-in
 * catalogs (hipparcos, dso, tycho2) through a short read-write open.
 */
async function openStoreWithCatalogs(config: StageCrossmatch): Promise<CatalogStore> {
  const path = config.storePath ?? defaultCatalogPath();
  let loaded = new Set<string>();
  if (existsSync(path)) {
    const ro = await CatalogStore.open(path, { readOnly: true });
    const missing = await missingCatalogs(ro, config);
    if (missing.length === 0) {
      return ro;
    }
    loaded = new Set((await ro.list()).map(c => c.name));
    ro.close();
  }
  const rw = await CatalogStore.open(path);
  try {
    for (const { name } of config.catalogs) {
      if (loaded.has(name)) {
        continue;
      }
      if (!isBuiltinCatalog(name)) {
        throw new CatalogNotFoundError(
          `Stage cross-match: catalog "${name}" is not in ${path} and is not built in. Load it with \`alertlab catalog load ${name} <file>\`.`,
          { context: { catalog: name, store: path } }
        );
      }
      if (!(await rw.list()).some(c => c.name === name)) {
        await loadBuiltinCatalog(rw, name);
      }
    }
  } finally {
    rw.close();
  }
  return CatalogStore.open(path, { readOnly: true });
}

async function missingCatalogs(store: CatalogStore, config: StageCrossmatch): Promise<string[]> {
  const have = new Set((await store.list()).map(c => c.name));
  return config.catalogs.map(c => c.name).filter(n => !have.has(n));
}

async function openMatcher(
  config: StageCrossmatch
): Promise<{ store: CatalogStore; matcher: EngineMatcher }> {
  const store = await openStoreWithCatalogs(config);
  try {
    const matcher = createMatcher(store, config.matcher);
    await preloadCatalogs(
      matcher,
      config.catalogs.map(c => c.name)
    );
    return { store, matcher };
  } catch (error) {
    store.close();
    throw error;
  }
}

export class StagePipeline {
  private decoder!: AlertDecoder;
  private workers: DecodeWorker[] = [];
  private columns: readonly string[] | undefined;
  private readonly watch: WatchEnricher | undefined;

  private constructor(
    private readonly options: StagePipelineOptions,
    private readonly crossmatch: StageCrossmatch | undefined,
    private readonly xm: { store: CatalogStore; matcher: EngineMatcher } | undefined
  ) {
    this.watch = options.watch && new WatchEnricher(options.watch);
  }

  static async create(options: StagePipelineOptions): Promise<StagePipeline> {
    const xm = options.crossmatch ? await openMatcher(options.crossmatch) : undefined;
    const pipeline = new StagePipeline(options, options.crossmatch, xm);
    pipeline.build(options.columns);
    return pipeline;
  }

  /** (Re)builds the decoder and its workers for `columns` (undefined: every survey column). */
  private build(columns: readonly string[] | undefined): void {
    const o = this.options;
    for (const w of this.workers) {
      void w.close();
    }
    this.columns = columns;
    // without the lightcurve the reader skips the history arrays unread (~580 rows per real-size
    // alert): what a filter of a few columns never looks at
    const lightcurve = decodesLightcurve(columns, o.lightcurve === true);
    this.decoder = o.decoder ?? createDecoder(o.format, { columns, lightcurve });
    const count = o.decoder === undefined ? (o.decodeWorkers ?? 0) : 0;
    this.workers = Array.from(
      { length: count },
      () => new DecodeWorker({ format: o.format, options: { columns, lightcurve } })
    );
    // started now: ready by the time the first chunk arrives
    for (const w of this.workers) {
      w.warm();
    }
  }

  /**
   * Whether enrich adds the lightcurve features: with every column decoded (a filter that may read
   * any column, the annotated payload), with `lightcurve` (object state reads
   * daysSinceFirstDetection), or when the projection names a feature (a filter or the thin payload
   * reads it). A projected filter that reads none gets none: every filter kind adds
   * them itself when it needs them (withLightcurveFeatures leaves a batch that has them as is).
   * Measured on 10,000 realistic alerts: ~10 % of a backtest's CPU went to features no one read.
   */
  get withFeatures(): boolean {
    return !this.projected || this.options.lightcurve === true || namesFeature(this.columns ?? []);
  }

  /** True while only some survey columns are decoded. */
  get projected(): boolean {
    return this.columns !== undefined && this.options.decoder === undefined;
  }

  /** Decodes every survey column from now on (a filter needed one outside the projection). */
  widen(): void {
    if (this.projected) {
      this.build(undefined);
    }
  }

  /** Decodes and enriches records of one partition (no I/O but the catalog matcher's). */
  async prepare(
    topic: string,
    partition: number,
    records: ReadonlyArray<ConsumedRecord>
  ): Promise<PreparedBatch> {
    return this.enrich(topic, partition, records, await this.decode(records));
  }

  /**
   * The decode half of {@link prepare}: needs nothing the pipeline shares (it may run while
   * another chunk is enriched), and happens in the worker thread when there is one.
   */
  async decode(records: ReadonlyArray<ConsumedRecord>): Promise<DecodedChunk> {
    const values = records.map(r => r.value);
    // this chunk's decoder and projection, whatever widen() does while it decodes
    const [decoder, projected] = [this.decoder, this.projected];
    try {
      if (this.workers.length === 0) {
        await decoder.prepare?.(values);
        return { ok: true, decoded: decoder.decodeBatch(values), projected };
      }
      const worker = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      // a worker that died (or that widen() closed), or real-size alerts: the chunk decodes here
      const decoded = await decodeWithFallback(worker, decoder, values, {}, () => true);
      return { ok: true, decoded, projected };
    } catch (error) {
      return { ok: false, error: error instanceof DecoderFailure ? error.message : error };
    }
  }

  /** The enrich half of {@link prepare}: Kafka coordinates, cross-match, lightcurve features. */
  async enrich(
    topic: string,
    partition: number,
    records: ReadonlyArray<ConsumedRecord>,
    chunk: DecodedChunk
  ): Promise<PreparedBatch> {
    if (!chunk.ok) {
      const rejects = rejectAll(
        topic,
        partition,
        [...records],
        'decode-error',
        `Decoder failed on the batch: ${String(chunk.error)}`
      );
      return {
        batch: withLightcurveFeatures(emptyLike()),
        rowIndex: new Int32Array(0),
        rejects,
        matches: undefined
      };
    }
    const { decoded } = chunk;
    let batch = withKafkaColumns(
      decoded.batch,
      coordinatesOf(topic, partition, records, decoded.rowIndex)
    );
    const rejects = toBufferRejects(topic, partition, records, decoded.rejects);
    let matches: MatchIndex | undefined;
    if (this.crossmatch && this.xm && batch.numRows > 0) {
      ({ batch, matches } = await addMatchColumns(batch, this.xm.matcher, this.crossmatch));
    }
    if (this.watch) {
      // lists and maps changed since the last chunk switch here, between transactions
      await this.watch.refresh();
      batch = await this.watch.addColumns(batch);
    }
    return {
      batch: this.withFeatures ? withLightcurveFeatures(batch) : batch,
      rowIndex: decoded.rowIndex,
      rejects,
      matches
    };
  }

  close(): void {
    for (const w of this.workers) {
      void w.close();
    }
    this.xm?.matcher.close();
    this.xm?.store.close();
    this.watch?.close();
  }
}

function emptyLike(): RecordBatch {
  return createDecoder('json').decodeBatch([]).batch;
}
