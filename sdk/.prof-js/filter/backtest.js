import { rowsByOutput } from './routing.js';
/** Rubin's expected alert rate, used for the per-night estimate. */
export const RUBIN_ALERTS_PER_NIGHT = 10_000_000;
function valueAt(batch, column, row) {
    return batch.getChild(column)?.get(row) ?? null;
}
/**
 * Runs a filter over batches exactly as a stage does (the same `evaluate`), and reports counts, a
 * sample (first rows' alertId/objectId) and the expected alerts per night for each output.
 */
export async function backtest(filter, batches, options = {}) {
    const sampleSize = options.sampleSize ?? 10;
    const alertsPerNight = options.alertsPerNight ?? RUBIN_ALERTS_PER_NIGHT;
    const counts = new Array(filter.outputs.length).fill(0);
    const samples = filter.outputs.map(() => []);
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
                sample: samples[k]
            };
        }),
        filterMs,
        wallMs: performance.now() - wallStart,
        alertsPerSecond: filterMs > 0 ? (total / filterMs) * 1000 : 0,
        alertsPerNight
    };
}
