/**
 * The enrich half of a filter stage, shared with backtests so both see identical batches: Kafka
 * records → decoded alerts (one `decodeBatch` per chunk) + Kafka coordinate columns → cross-match
 * columns (`xm_*`) → lightcurve features. `StagePipeline.prepare` is exactly what a stage runs
 * before its filter; call it on the same records to backtest with production semantics.
 */
import type { RecordBatch } from 'apache-arrow';
import { createDecoder } from '../alerts/index.js';
import type { AlertDecoder, AlertFormat } from '../alerts/types.js';
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
import { addMatchColumns, type MatchIndex } from './match-columns.js';
import type { StageCrossmatch } from './manifest-types.js';

/** One chunk of records, ready for the filter. */
export interface PreparedBatch {
  /** Alerts + kafka* columns + xm_* columns + lightcurve features. */
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
}

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
  private constructor(
    private readonly decoder: AlertDecoder,
    private readonly crossmatch: StageCrossmatch | undefined,
    private readonly xm: { store: CatalogStore; matcher: EngineMatcher } | undefined
  ) {}

  static async create(options: StagePipelineOptions): Promise<StagePipeline> {
    const decoder = options.decoder ?? createDecoder(options.format);
    const xm = options.crossmatch ? await openMatcher(options.crossmatch) : undefined;
    return new StagePipeline(decoder, options.crossmatch, xm);
  }

  /** Decodes and enriches records of one partition (no I/O but the catalog matcher's). */
  async prepare(
    topic: string,
    partition: number,
    records: ReadonlyArray<ConsumedRecord>
  ): Promise<PreparedBatch> {
    const values = records.map(r => r.value);
    await this.decoder.prepare?.(values);
    let decoded;
    try {
      decoded = this.decoder.decodeBatch(values);
    } catch (error) {
      const rejects = rejectAll(
        topic,
        partition,
        [...records],
        'decode-error',
        `Decoder failed on the batch: ${String(error)}`
      );
      return {
        batch: withLightcurveFeatures(emptyLike()),
        rowIndex: new Int32Array(0),
        rejects,
        matches: undefined
      };
    }
    let batch = withKafkaColumns(
      decoded.batch,
      coordinatesOf(topic, partition, records, decoded.rowIndex)
    );
    const rejects = toBufferRejects(topic, partition, records, decoded.rejects);
    let matches: MatchIndex | undefined;
    if (this.crossmatch && this.xm && batch.numRows > 0) {
      ({ batch, matches } = await addMatchColumns(batch, this.xm.matcher, this.crossmatch));
    }
    return { batch: withLightcurveFeatures(batch), rowIndex: decoded.rowIndex, rejects, matches };
  }

  close(): void {
    this.xm?.matcher.close();
    this.xm?.store.close();
  }
}

function emptyLike(): RecordBatch {
  return createDecoder('json').decodeBatch([]).batch;
}
