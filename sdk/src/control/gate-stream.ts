/**
 * The gate of the stages that run no user filter (kinds `aggregate` and `archive`): the same
 * sample of the last buffered alerts a filter stage is gated on, run through the stage's own
 * per-batch logic (event-time windows for aggregates, the night partitioning for archives), within
 * the same budget. A manifest whose columns are not in the input, or whose every sampled alert
 * would be dead-lettered, is refused with the reason; otherwise the counts are the evidence.
 */
import type { RecordBatch } from 'apache-arrow';
import type { BacktestResult } from '../filter/backtest.js';
import { addRows } from '../stage/aggregate-rows.js';
import { nightOf } from '../stage/archive-stage.js';
import type { StageManifest } from '../stage/manifest-types.js';
import { WindowState } from '../stage/windows.js';
import { HttpError } from './http.js';
import type { StreamGateCounts } from './types.js';

function refuse(reason: string, message: string): HttpError {
  return new HttpError(422, `Deploy refused by the backtest gate: ${message}`, { reason });
}

/** What a stream gate measured, as a backtest result (outputs: where the sample would go). */
export interface StreamGateReport {
  result: Omit<BacktestResult, 'outputs'> & {
    outputs: {
      name: string;
      count: number;
      fraction: number;
      estimatedPerNight: number;
      digest: string;
    }[];
  };
  counts: StreamGateCounts;
}

function needColumns(m: StageManifest, batch: RecordBatch, columns: string[]): void {
  const have = new Set(batch.schema.fields.map(f => f.name));
  for (const c of columns) {
    if (!have.has(c)) {
      throw refuse(
        'columns',
        `stage "${m.id}" reads column "${c}", which the alerts of topic "${m.input.topic}" do not have (columns: ${[...have].slice(0, 40).join(', ')}). Fix the manifest's ${m.kind} section.`
      );
    }
  }
}

/** Runs an aggregate or archive manifest's per-batch logic over the sample. */
export async function streamGate(
  m: StageManifest,
  batches: AsyncIterable<RecordBatch>,
  signal: AbortSignal
): Promise<StreamGateReport> {
  const t0 = performance.now();
  const agg = m.aggregate;
  const windows = agg ? new WindowState(agg) : undefined;
  const counts: StreamGateCounts = {
    accepted: 0,
    missingValue: 0,
    late: 0,
    future: 0,
    outOfRange: 0,
    windowsEmitted: 0,
    windowsOpen: 0
  };
  let total = 0;
  let n = 0;
  for await (const batch of batches) {
    if (signal.aborted) {
      break;
    }
    n++;
    total += batch.numRows;
    if (agg && windows) {
      needColumns(m, batch, ['mjd', agg.groupBy, agg.value]);
      const rows = addRows(batch, agg, windows, row => BigInt(total - batch.numRows + row));
      counts.accepted += rows.added;
      counts.missingValue += rows.missing.length;
      counts.late += rows.late.length;
      counts.future += rows.future.length;
      counts.outOfRange += rows.outOfRange.length;
      counts.windowsEmitted += windows.emit().length;
    } else if (m.archive) {
      needColumns(m, batch, ['mjd']);
      const mjd = batch.getChild('mjd');
      for (let row = 0; row < batch.numRows; row++) {
        const t = mjd?.get(row) as number | null;
        const night = typeof t === 'number' ? nightOf(t, m.archive.partitionBy) : 'unknown';
        if (night === 'unknown') {
          counts.missingValue++;
        } else {
          counts.accepted++;
        }
      }
    }
  }
  counts.windowsOpen = windows?.openWindows ?? 0;
  if (total > 0 && counts.accepted === 0) {
    throw refuse(
      'no-usable-alerts',
      `none of the ${total} sampled alerts of topic "${m.input.topic}" would be ${m.kind === 'aggregate' ? 'aggregated' : 'archived by night'} (${JSON.stringify(counts)}). Check the manifest's ${m.kind} section against the input.`
    );
  }
  const wallMs = performance.now() - t0;
  const rejected = total - counts.accepted;
  const out = (name: string, count: number) => ({
    name,
    count,
    fraction: total > 0 ? count / total : 0,
    estimatedPerNight: 0,
    digest: ''
  });
  return {
    counts,
    result: {
      filterId: m.id,
      kind: 'leftright',
      totalAlerts: total,
      batches: n,
      dropped: 0,
      outputs: [
        out(m.kind === 'aggregate' ? 'aggregated' : 'archived', counts.accepted),
        out('rejected', rejected)
      ],
      filterMs: wallMs,
      wallMs,
      alertsPerSecond: wallMs > 0 ? (total / wallMs) * 1000 : 0,
      alertsPerNight: 0
    }
  };
}
