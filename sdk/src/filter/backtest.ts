import type { RecordBatch } from 'apache-arrow';
import { RoutingDigest } from './routing-digest.js';
import { rowsByOutput } from './routing.js';
import type { Filter, FilterContext, FilterKind } from './types.js';

/** Rubin's expected alert rate, used for the per-night estimate. */
export const RUBIN_ALERTS_PER_NIGHT = 10_000_000;

/** Options for {@link backtest}. */
export interface BacktestOptions {
  /** Rows kept as a sample per output. @default 10 */
  sampleSize?: number;
  /** Stops after the current batch when aborted. @default undefined */
  signal?: AbortSignal;
  /** Alerts per night the estimate scales to. @default 10_000_000 (Rubin) */
  alertsPerNight?: number;
  /** Passed to every `evaluate` call. @default {} */
  context?: FilterContext;
}

/** One sampled alert. */
export interface BacktestSample {
  alertId: bigint | null;
  objectId: string | null;
}

export interface BacktestOutput {
  name: string;
  count: number;
  /** count / totalAlerts */
  fraction: number;
  /** fraction × alertsPerNight */
  estimatedPerNight: number;
  sample: BacktestSample[];
  /** Which alerts this output got, order-free (see RoutingDigest): equal digests, equal alerts. */
  digest: string;
}

export interface BacktestResult {
  filterId: string;
  kind: FilterKind;
  totalAlerts: number;
  batches: number;
  dropped: number;
  outputs: BacktestOutput[];
  /** Time spent in `filter.evaluate` (ms). */
  filterMs: number;
  /** Wall time including reading the batches (ms). */
  wallMs: number;
  /** totalAlerts / filterMs, in alerts per second. */
  alertsPerSecond: number;
  alertsPerNight: number;
}

function valueAt(batch: RecordBatch, column: string, row: number): unknown {
  return batch.getChild(column)?.get(row) ?? null;
}

/**
 * Runs a filter over batches exactly as a stage does (the same `evaluate`), and reports counts, a
 * sample (first rows' alertId/objectId) and the expected alerts per night for each output.
 */
export async function backtest(
  filter: Filter,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: BacktestOptions = {}
): Promise<BacktestResult> {
  const sampleSize = options.sampleSize ?? 10;
  const alertsPerNight = options.alertsPerNight ?? RUBIN_ALERTS_PER_NIGHT;
  const counts = new Array<number>(filter.outputs.length).fill(0);
  const samples: BacktestSample[][] = filter.outputs.map(() => []);
  const digest = new RoutingDigest(filter.outputs.length);
  let total = 0;
  let batchCount = 0;
  let filterMs = 0;
  const wallStart = performance.now();
  for await (const batch of batches) {
    if (options.signal?.aborted) {
      break;
    }
    const t0 = performance.now();
    const routing = await filter.evaluate(batch, options.context ?? {});
    filterMs += performance.now() - t0;
    total += batch.numRows;
    batchCount++;
    digest.add(batch, routing.index);
    rowsByOutput(routing).forEach((rows, k) => {
      counts[k] += rows.length;
      for (let i = 0; i < rows.length && samples[k].length < sampleSize; i++) {
        const alertId = valueAt(batch, 'alertId', rows[i]);
        const objectId = valueAt(batch, 'objectId', rows[i]);
        samples[k].push({
          alertId: typeof alertId === 'bigint' ? alertId : null,
          objectId: objectId === null ? null : String(objectId)
        });
      }
    });
  }
  const routed = counts.reduce((a, b) => a + b, 0);
  const digests = digest.digests();
  return {
    filterId: filter.id,
    kind: filter.kind,
    totalAlerts: total,
    batches: batchCount,
    dropped: total - routed,
    outputs: filter.outputs.map((name, k) => {
      const fraction = total > 0 ? counts[k] / total : 0;
      return {
        name,
        count: counts[k],
        fraction,
        estimatedPerNight: Math.round(fraction * alertsPerNight),
        sample: samples[k],
        digest: digests[k]
      };
    }),
    filterMs,
    wallMs: performance.now() - wallStart,
    alertsPerSecond: filterMs > 0 ? (total / filterMs) * 1000 : 0,
    alertsPerNight
  };
}
