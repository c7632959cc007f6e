/**
 * The engine's `backtest` service: a filter from the notebook (SQL, TypeScript or Python, as a
 * stage manifest's `filter` section) is built the way a stage builds it (createStageFilter) and
 * run by `stageBacktest` — the stage's chunking, cross-match columns, lightcurve features, time
 * limit and dead-letter rules — over the request's Arrow batches or an archive stage's Parquet
 * (read file by file, projected to what the filter reads). The reply carries the report as JSON
 * and the routed rows (every enriched column plus `_batch` and `_output`) as one Arrow IPC stream.
 *
 * Request content:
 *   filter       {language, kind, outputs?, defaultOutput?, columns?, source | path, entry?, timeoutMs?}
 *   name?        the filter's name (the backtest's stage id is `backtest-<name>`)
 *   crossmatch?  [{name, radius_arcsec, columns?}]        cross-match columns, as a stage's section
 *   archive?     stage id (its manifest's archive.path) or an archive directory
 *   nights?      [first, last] as YYYY-MM-DD (archive only)
 *   batch_rows?  the stage chunk size (@default the manifest default, 5000)
 *   keep_rows?   most rows sent back (@default all for request data, 100 000 for an archive)
 *   alerts_per_night?  scale of the fraction-based estimate (@default 10 000 000)
 */
import { join } from 'node:path';
import { Table, type RecordBatch } from 'apache-arrow';
import {
  ARCHIVE_KEEP_ROWS,
  archiveColumns,
  archivePath,
  checkArchiveSpan
} from './archive-source.js';
import { fromIpcBytes, toIpcBytes } from './arrow-ipc.js';
import { RemoteError } from './errors.js';
import { Lazy } from './lazy.js';
import type { ServiceReply } from './services.js';
import { placeTsSource } from './ts-module.js';
import type { JsonObject } from './wire.js';
import { alertlabHome, defaultCatalogPath } from '../../sdk/src/catalog/paths.js';
import { CatalogStore } from '../../sdk/src/catalog/store.js';
import { ConfigError } from '../../sdk/src/errors.js';
import { createMatcher, preloadCatalogs } from '../../sdk/src/crossmatch/create.js';
import type { EngineMatcher } from '../../sdk/src/crossmatch/matcher.js';
import { resolveOutputs } from '../../sdk/src/filter/outputs.js';
import type { FilterKind } from '../../sdk/src/filter/types.js';
import { FEATURE_POINT_FIELDS, readArchive } from '../../sdk/src/stage/archive-reader.js';
import { parseStageManifest } from '../../sdk/src/stage/manifest.js';
import type { StageManifest } from '../../sdk/src/stage/manifest-types.js';
import { stageBacktest, type StageBacktestResult } from '../../sdk/src/stage/stage-backtest.js';
import { createStageFilter } from '../../sdk/src/stage/stage-filter.js';

export interface BacktestServiceOptions {
  /** Catalog store for cross-match columns. @default $ALERTLAB_HOME/catalogs.duckdb */
  catalogPath?: string;
  /** The controller's state directory (stage manifests). @default $ALERTLAB_HOME/controller */
  controllerDir?: string;
}

function bad(message: string): RemoteError {
  return new RemoteError(message, 'bad-request');
}

/** The request as a stage manifest (defaults filled exactly as for a deployed stage). */
export function backtestManifest(c: JsonObject): StageManifest {
  const filter = c.filter as JsonObject | undefined;
  if (!filter || typeof filter !== 'object') {
    throw bad('backtest needs "filter": a stage manifest filter section (language, kind, source).');
  }
  const name = String(c.name ?? filter.entry ?? 'notebook').replace(/[^A-Za-z0-9._-]/g, '-');
  const section = filter;
  const xm = c.crossmatch;
  if (xm !== undefined && xm !== null && !Array.isArray(xm)) {
    throw bad('"crossmatch" must be a list of {name, radius_arcsec}.');
  }
  const id = `backtest-${name}`.slice(0, 100);
  let names: readonly string[];
  try {
    names = resolveOutputs({
      id,
      kind: section.kind as FilterKind,
      outputs: section.outputs as string[] | undefined,
      defaultOutput: section.defaultOutput as string | undefined
    }).outputs;
  } catch (error) {
    throw bad((error as Error).message);
  }
  // topics are never written: a stage manifest needs them, the backtest only their names
  const raw: JsonObject = {
    id,
    input: { topic: `${id}.input` },
    outputs: Object.fromEntries(names.map(n => [n, `${id}.${n}`])),
    deadLetterTopic: `${id}.dead-letters`,
    filter: section,
    ...(typeof c.batch_rows === 'number' && { batch: { maxRows: c.batch_rows } })
  };
  if (Array.isArray(xm) && xm.length > 0) {
    raw.crossmatch = {
      catalogs: xm.map(x => {
        const e = x as JsonObject;
        return {
          name: e.name,
          radiusArcsec: e.radius_arcsec,
          ...(Array.isArray(e.columns) && { columns: e.columns })
        };
      })
    };
  }
  try {
    return parseStageManifest(raw, 'backtest request');
  } catch (error) {
    throw bad((error as Error).message);
  }
}

function* requestBatches(buffers: Uint8Array[]): Iterable<RecordBatch> {
  for (const b of buffers) {
    yield* fromIpcBytes(b).batches;
  }
}

/** The report as JSON, snake_case as the Python side reads it. */
function reportContent(r: StageBacktestResult, source: JsonObject): JsonObject {
  const et = r.eventTime;
  return {
    stage_id: r.stageId,
    kind: r.kind,
    language: r.language,
    total_alerts: r.totalAlerts,
    chunks: r.chunks,
    dropped: r.dropped,
    dead_lettered: r.deadLettered,
    outputs: r.outputs.map(o => ({
      name: o.name,
      count: o.count,
      fraction: o.fraction,
      estimated_per_night: o.estimatedPerNight,
      per_night: o.perNight,
      digest: o.digest
    })),
    dead_letters: r.deadLetters.map(d => ({ ...d })),
    event_time: et && {
      mjd_min: et.mjdMin,
      mjd_max: et.mjdMax,
      span_hours: et.spanHours,
      distinct_nights: et.distinctNights,
      nights: et.nights,
      alerts_with_time: et.alertsWithTime,
      rule: et.rule
    },
    alerts_per_night: r.alertsPerNight,
    rows_complete: r.rowsComplete,
    filter_ms: r.filterMs,
    wall_ms: r.wallMs,
    source
  };
}

function rowBuffers(rows: RecordBatch[]): Uint8Array[] {
  if (rows.length === 0) {
    return [];
  }
  try {
    return [toIpcBytes(new Table(rows))];
  } catch {
    return rows.map(b => toIpcBytes(b)); // batches of different schemas: one stream each
  }
}

/** Builds the service; `close` releases the catalog store it may have opened. */
export function backtestService(options: BacktestServiceOptions = {}): {
  backtest(request: JsonObject, buffers: Uint8Array[]): Promise<ServiceReply>;
  close(): Promise<void>;
} {
  // made on the first cross-matching backtest; a store that was missing is looked for again
  const xm = new Lazy(async () => {
    const path = options.catalogPath ?? defaultCatalogPath();
    const store = await CatalogStore.open(path, { readOnly: true });
    return { store, matcher: createMatcher(store) };
  });
  const matcherFor = async (m: StageManifest): Promise<EngineMatcher | undefined> => {
    if (!m.crossmatch) {
      return undefined;
    }
    const { matcher } = await xm.get();
    await preloadCatalogs(
      matcher,
      m.crossmatch.catalogs.map(c => c.name)
    );
    return matcher;
  };
  return {
    async backtest(c, buffers) {
      const archive = typeof c.archive === 'string' && c.archive !== '' ? c.archive : undefined;
      if (!archive && buffers.length === 0) {
        throw bad('backtest needs data: Arrow IPC buffers, or "archive" (a stage or a directory).');
      }
      const manifest = backtestManifest(c);
      const nights = c.nights as [string, string] | undefined;
      if (nights !== undefined && !(Array.isArray(nights) && nights.length === 2)) {
        throw bad('"nights" must be [first, last] as YYYY-MM-DD.');
      }
      const matcher = await matcherFor(manifest);
      await placeTsSource(manifest);
      const filter = await createStageFilter(
        manifest.filter as NonNullable<StageManifest['filter']>,
        manifest.id
      ).catch((error: unknown) => {
        // the user's filter does not build (SQL refused, bad declaration): their request is at fault
        throw error instanceof ConfigError
          ? bad(`The filter could not be built: ${error.message}`)
          : error;
      });
      try {
        const path = archive
          ? await archivePath(archive, options.controllerDir ?? join(alertlabHome(), 'controller'))
          : undefined;
        if (path) {
          await checkArchiveSpan(path, nights);
        }
        const keepRows =
          typeof c.keep_rows === 'number' ? c.keep_rows : path ? ARCHIVE_KEEP_ROWS : Infinity;
        const batches = path
          ? readArchive({
              path,
              nights,
              columns: archiveColumns(filter, manifest, keepRows),
              // the filter reads features, not the points: read what the features use
              pointFields: filter.readsOnly?.includes('lightcurve')
                ? undefined
                : filter.readsOnly && FEATURE_POINT_FIELDS
            })
          : requestBatches(buffers);
        const result = await stageBacktest(batches, {
          manifest,
          filter,
          matcher,
          keepRows,
          alertsPerNight: typeof c.alerts_per_night === 'number' ? c.alerts_per_night : undefined
        });
        const source = path ? { archive: path, nights: nights ?? null } : { batches: 'request' };
        return { content: reportContent(result, source), buffers: rowBuffers(result.rows) };
      } finally {
        await filter.close();
      }
    },
    async close() {
      const opened = await xm.take();
      opened?.matcher.close();
      opened?.store.close();
    }
  };
}
