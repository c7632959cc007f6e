import { describe, expect, it } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { backtest } from './backtest.js';
import { typeScriptFilter } from './factories.js';
import { syntheticAlerts } from './synthetic.js';

async function* stream(batches: RecordBatch[]): AsyncIterable<RecordBatch> {
  for (const b of batches) {
    yield b;
  }
}

describe('backtest', () => {
  const parts = [syntheticAlerts(800, 21), syntheticAlerts(1200, 22), syntheticAlerts(500, 23)];
  const rows = parts.flatMap(p => p.rows);
  const filter = typeScriptFilter({
    id: 'lr',
    kind: 'leftright',
    outputs: ['rubin', 'ztf'],
    mode: 'alert',
    fn: a => a.survey === 'rubin'
  });

  it('counts, samples and scales to a Rubin night, from an async iterable', async () => {
    const result = await backtest(filter, stream(parts.map(p => p.batch)), { sampleSize: 3 });
    const rubin = rows.filter(r => r.survey === 'rubin');
    const ztf = rows.filter(r => r.survey !== 'rubin');
    expect(result.totalAlerts).toBe(2500);
    expect(result.batches).toBe(3);
    expect(result.dropped).toBe(0);
    expect(result.outputs.map(o => o.count)).toEqual([rubin.length, ztf.length]);
    expect(result.outputs[0].sample).toEqual(
      rubin.slice(0, 3).map(r => ({ alertId: r.alertId, objectId: r.objectId }))
    );
    expect(result.outputs[1].estimatedPerNight).toBe(Math.round((ztf.length / 2500) * 10_000_000));
    expect(result.outputs[0].fraction + result.outputs[1].fraction).toBeCloseTo(1, 12);
    expect(result.alertsPerSecond).toBeGreaterThan(0);
  });

  it('stops on an aborted signal and scales to a custom night', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await backtest(
      filter,
      parts.map(p => p.batch),
      { signal: controller.signal, alertsPerNight: 100 }
    );
    expect(result.totalAlerts).toBe(0);
    expect(result.alertsPerNight).toBe(100);
  });
});
