/**
 * A backtest with a deployed filter stage's semantics over Arrow batches (a notebook's data, or an
 * archive span): each batch is cut into the stage's chunks (`batch.maxRows`), cross-matched into
 * `xm_*` columns like a stage with that `crossmatch` section (addMatchColumns), given the watch
 * columns of its `watch` section (lists and maps as they are at the start), the
 * lightcurve features (withLightcurveFeatures), routed by the filter built as a stage builds it,
 * with the manifest's time limit; a chunk the filter fails on is dead-lettered whole, with the
 * stage's reason code (`filter-error` / `filter-timeout`) and reason text. Whole chunks throughout.
 */
import { Int32, makeData, type RecordBatch } from 'apache-arrow';
import type { Matcher } from '../crossmatch/types.js';
import { RUBIN_ALERTS_PER_NIGHT } from '../filter/backtest.js';
import { withLightcurveFeatures } from '../filter/features.js';
import { RoutingDigest } from '../filter/routing-digest.js';
import { droppedCount, routingCounts } from '../filter/routing.js';
import type { Filter } from '../filter/types.js';
import { filterFailureCode } from './filter-stage.js';
import type { StageManifest } from './manifest-types.js';
import { BacktestObjects } from '../state/stage-objects.js';
import { withWatchColumns } from '../watch/watch-columns.js';
import { appendColumns, addMatchColumns } from './match-columns.js';
import { EventTimeSpan, type EventTimeSummary } from './event-time.js';

/** `_output` of a row the filter failed on (dead-lettered). */
export const DEAD_LETTER_OUTPUT = -2;

export interface StageBacktestOptions {
  /** The stage (filter, crossmatch, batch.maxRows, filter.timeoutMs), parsed with defaults. */
  manifest: StageManifest;
  /** Built from the manifest as a stage builds it (createStageFilter). */
  filter: Filter;
  /** Required when the manifest cross-matches. */
  matcher?: Matcher;
  /** Most rows returned with `_batch`/`_output` columns (whole chunks). @default Infinity */
  keepRows?: number;
  /** Scale of the fraction-based estimate. @default 10_000_000 (Rubin) */
  alertsPerNight?: number;
  /** Stops after the current chunk when aborted. */
  signal?: AbortSignal;
}

export interface StageBacktestOutput {
  name: string;
  count: number;
  /** count / totalAlerts. */
  fraction: number;
  /** fraction × alertsPerNight (the rate-based estimate). */
  estimatedPerNight: number;
  /** count / eventTime.nights: extrapolated from the data's own event times (null without mjd). */
  perNight: number | null;
  /** Which alerts went here, order-free (RoutingDigest). */
  digest: string;
}

/** Dead letters of one reason. */
export interface DeadLetterGroup {
  code: string;
  reason: string;
  /** The Python traceback or the stack (first 8 KB). */
  traceback: string;
  alerts: number;
  /** `_batch` numbers of the chunks dead-lettered for this reason. */
  chunks: number[];
}

export interface StageBacktestResult {
  stageId: string;
  kind: Filter['kind'];
  language: Filter['language'];
  totalAlerts: number;
  chunks: number;
  dropped: number;
  deadLettered: number;
  outputs: StageBacktestOutput[];
  deadLetters: DeadLetterGroup[];
  eventTime: EventTimeSummary | null;
  alertsPerNight: number;
  /** Kept chunks: every enriched column plus `_batch` and `_output` (Int32; -1 dropped, -2 dead letter). */
  rows: RecordBatch[];
  /** False when `keepRows` stopped the keeping before the end. */
  rowsComplete: boolean;
  filterMs: number;
  wallMs: number;
}

function int32Column(name: string, values: Int32Array) {
  return {
    name,
    data: makeData({ type: new Int32(), length: values.length, data: values }),
    nullable: false
  };
}

function tracebackOf(error: unknown): string {
  const tb = (error as { remoteTraceback?: unknown }).remoteTraceback;
  const text =
    Array.isArray(tb) && tb.length > 0 ? tb.join('') : String((error as Error).stack ?? error);
  return text.slice(0, 8192);
}

/** Runs the backtest; see the module comment for what "a stage's semantics" covers. */
export async function stageBacktest(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: StageBacktestOptions
): Promise<StageBacktestResult> {
  const wall0 = performance.now();
  const { manifest: m, filter } = options;
  const maxRows = m.batch.maxRows;
  const keepRows = options.keepRows ?? Infinity;
  const counts = new Array<number>(filter.outputs.length).fill(0);
  const digest = new RoutingDigest(filter.outputs.length);
  const events = new EventTimeSpan();
  const letters = new Map<string, DeadLetterGroup>();
  const rows: RecordBatch[] = [];
  let kept = 0;
  let rowsComplete = true;
  let total = 0;
  let dropped = 0;
  let deadLettered = 0;
  let chunkNo = 0;
  let filterMs = 0;
  const catalogs = m.crossmatch?.catalogs.map(c => c.name) ?? [];
  const objects = m.objects ? new BacktestObjects(m.objects, catalogs) : undefined;
  // watch columns per row, as the stage adds them (the store is closed when the loop ends)
  const source = m.watch ? withWatchColumns(batches, m.watch) : batches;
  for await (const input of source) {
    if (options.signal?.aborted) {
      break;
    }
    for (let start = 0; start < input.numRows; start += maxRows) {
      if (options.signal?.aborted) {
        break;
      }
      let chunk = input.numRows <= maxRows ? input : input.slice(start, start + maxRows);
      if (m.crossmatch && chunk.numRows > 0) {
        if (!options.matcher) {
          throw new Error('stageBacktest: the manifest cross-matches but no matcher was given.');
        }
        chunk = (await addMatchColumns(chunk, options.matcher, m.crossmatch)).batch;
      }
      chunk = withLightcurveFeatures(chunk);
      if (objects) {
        chunk = objects.attach(chunk); // obj_* columns, as the stage's filter sees them
      }
      const n = chunk.numRows;
      let index: Int32Array;
      const t0 = performance.now();
      try {
        index = (await filter.evaluate(chunk, { timeoutMs: m.filter?.timeoutMs })).index;
        filterMs += performance.now() - t0;
        routingCounts({ outputs: filter.outputs, index }).forEach((c, k) => (counts[k] += c));
        dropped += droppedCount({ outputs: filter.outputs, index });
        digest.add(chunk, index);
      } catch (error) {
        filterMs += performance.now() - t0;
        const code = filterFailureCode(error);
        const reason = `Filter failed on this batch: ${(error as Error).message}`;
        const key = `${code}\n${reason}`;
        const group = letters.get(key) ?? {
          code,
          reason,
          traceback: tracebackOf(error),
          alerts: 0,
          chunks: []
        };
        group.alerts += n;
        group.chunks.push(chunkNo);
        letters.set(key, group);
        deadLettered += n;
        index = new Int32Array(n).fill(DEAD_LETTER_OUTPUT);
      }
      events.add(chunk);
      total += n;
      if (kept < keepRows && n > 0) {
        rows.push(
          appendColumns(chunk, [
            int32Column('_batch', new Int32Array(n).fill(chunkNo)),
            int32Column('_output', index)
          ])
        );
        kept += n;
      } else if (n > 0) {
        rowsComplete = false;
      }
      chunkNo++;
      if (input.numRows <= maxRows) {
        break;
      }
    }
  }
  const alertsPerNight = options.alertsPerNight ?? RUBIN_ALERTS_PER_NIGHT;
  const eventTime = events.summary();
  const digests = digest.digests();
  return {
    stageId: m.id,
    kind: filter.kind,
    language: filter.language,
    totalAlerts: total,
    chunks: chunkNo,
    dropped,
    deadLettered,
    outputs: filter.outputs.map((name, k) => {
      const fraction = total > 0 ? counts[k] / total : 0;
      return {
        name,
        count: counts[k],
        fraction,
        estimatedPerNight: Math.round(fraction * alertsPerNight),
        perNight: eventTime ? counts[k] / eventTime.nights : null,
        digest: digests[k]
      };
    }),
    deadLetters: [...letters.values()],
    eventTime,
    alertsPerNight,
    rows,
    rowsComplete,
    filterMs,
    wallMs: performance.now() - wall0
  };
}
