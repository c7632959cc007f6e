/**
 * Filters of each kind, in SQL and TypeScript, on the real sample alerts (/work/shared/data), checked
 * against expectations computed with plain JS over the decoded rows; and the backtest over them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { createDecoder } from '../sdk/src/alerts/index.js';
import { SAMPLES_DIR, missingData, skipWithoutData } from '../sdk/src/alerts/testing/samples.js';
import {
  backtest,
  createFilter,
  loadTypeScriptFilter,
  sqlFilter,
  typeScriptFilter,
  withLightcurveFeatures,
  type Filter
} from '../sdk/src/filter/index.js';

const DATA_DIR = SAMPLES_DIR;
const FILES: Array<['rubin' | 'ztf', string]> = [
  ['rubin', join(DATA_DIR, 'rubin', 'rubin-v10-7alerts.avro')],
  ['ztf', join(DATA_DIR, 'ztf', 'ztf-31alerts.avro')],
  ...['ZTF19acihgng', 'ZTF19acxxwrs', 'ZTF19acyfkzd', 'ZTF19acyjzeo'].map((n): ['ztf', string] => [
    'ztf',
    join(DATA_DIR, 'ztf', `${n}.avro`)
  ])
];
const hasData = FILES.every(([, path]) => existsSync(path));
if (!hasData) {
  console.warn(
    `filter-samples: skipped, sample alerts not found: ${DATA_DIR} is missing (see /work/shared/data/README.md)`
  );
}
const SWITCH_MODULE = fileURLToPath(
  new URL('../sdk/src/filter/fixtures/sample-switch.ts', import.meta.url)
);

function loadBatches(): RecordBatch[] {
  return FILES.map(([format, path]) => {
    const { batch, rejects } = createDecoder(format).decodeBatch([readFileSync(path)]);
    expect(rejects).toEqual([]);
    return batch;
  });
}

interface PlainPoint {
  mjd: number;
  band: string | null;
  mag: number | null;
  isDetection: boolean | null;
}

/** ndet and g−r from the lightcurve the plain way (sorting objects), independent of features.ts. */
function plainFeatures(lightcurve: PlainPoint[]): { ndet: number; gMinusR: number | null } {
  const det = lightcurve
    .filter(p => p.isDetection === true && p.mag !== null && Number.isFinite(p.mag))
    .sort((a, b) => a.mjd - b.mjd);
  const g = det.filter(p => p.band === 'g').pop();
  const r = det.filter(p => p.band === 'r').pop();
  return {
    ndet: det.length,
    gMinusR: g && r && Math.abs(g.mjd - r.mjd) <= 1 ? (g.mag as number) - (r.mag as number) : null
  };
}

interface PlainAlert {
  alertId: bigint;
  objectId: string;
  mag: number | null;
  isMovingObject: boolean;
  ndet: number;
  gMinusR: number | null;
}

function plainAlerts(batch: RecordBatch): PlainAlert[] {
  const out: PlainAlert[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const points = (batch.getChild('lightcurve')?.get(i)?.toArray() ?? []).map(
      (p: { toJSON(): PlainPoint }) => p.toJSON()
    ) as PlainPoint[];
    out.push({
      alertId: batch.getChild('alertId')?.get(i) as bigint,
      objectId: batch.getChild('objectId')?.get(i) as string,
      mag: batch.getChild('mag')?.get(i) as number | null,
      isMovingObject: batch.getChild('isMovingObject')?.get(i) as boolean,
      ...plainFeatures(points)
    });
  }
  return out;
}

const expectYesNo = (a: PlainAlert): number =>
  a.mag !== null && a.mag < 20 && !a.isMovingObject ? 0 : -1;
const expectLeftRight = (a: PlainAlert): number => (a.ndet >= 10 ? 0 : 1);
const expectSwitch = (a: PlainAlert): number =>
  a.isMovingObject ? 0 : a.ndet >= 20 ? 1 : a.gMinusR !== null && a.gMinusR < 0.3 ? 2 : 3;

async function withFilter<T>(
  open: () => Promise<Filter> | Filter,
  fn: (f: Filter) => Promise<T>
): Promise<T> {
  const filter = await open();
  try {
    return await fn(filter);
  } finally {
    await filter.close();
  }
}

async function routeAll(filter: Filter, batches: RecordBatch[]): Promise<number[]> {
  const out: number[] = [];
  for (const batch of batches) {
    out.push(...(await filter.evaluate(batch)).index);
  }
  return out;
}

describe.skipIf(skipWithoutData(missingData(FILES.map(([, path]) => path))))(
  'filters on the real sample alerts',
  () => {
    const batches = hasData ? loadBatches() : [];
    const alerts = batches.flatMap(plainAlerts);

    it('the samples exercise every branch', () => {
      expect(alerts.length).toBe(7 + 31 + 4);
      for (const expectation of [expectYesNo, expectLeftRight, expectSwitch]) {
        expect(new Set(alerts.map(expectation)).size).toBeGreaterThan(1);
      }
      expect(new Set(alerts.map(expectSwitch))).toEqual(new Set([0, 1, 2, 3]));
    });

    it('yes/no: SQL and TypeScript', async () => {
      const want = alerts.map(expectYesNo);
      await withFilter(
        () => sqlFilter('mag < 20 AND NOT isMovingObject', { id: 'bright', kind: 'yesno' }),
        async f => expect(await routeAll(f, batches)).toEqual(want)
      );
      const ts = typeScriptFilter({
        id: 'bright-ts',
        kind: 'yesno',
        mode: 'alert',
        columns: ['mag', 'isMovingObject'],
        fn: a => (a.mag as number | null) !== null && (a.mag as number) < 20 && !a.isMovingObject
      });
      await withFilter(
        () => ts,
        async f => expect(await routeAll(f, batches)).toEqual(want)
      );
    });

    it('left/right: SQL and TypeScript (over the ndet feature)', async () => {
      const want = alerts.map(expectLeftRight);
      await withFilter(
        () =>
          sqlFilter('ndet >= 10', { id: 'long-lc', kind: 'leftright', outputs: ['long', 'short'] }),
        async f => expect(await routeAll(f, batches)).toEqual(want)
      );
      const ts = typeScriptFilter({
        id: 'long-lc-ts',
        kind: 'leftright',
        outputs: ['long', 'short'],
        columns: ['ndet'],
        fn: (b, cols) =>
          Array.from({ length: b.numRows }, (_, i) => (cols.ndet.get(i) as number) >= 10)
      });
      await withFilter(
        () => ts,
        async f => expect(await routeAll(f, batches)).toEqual(want)
      );
    });

    it('switch: SQL and a TypeScript module in a worker (through the runtime registry)', async () => {
      const want = alerts.map(expectSwitch);
      const sql =
        "CASE WHEN isMovingObject THEN 'sso' WHEN ndet >= 20 THEN 'long' WHEN gMinusR < 0.3 THEN 'blue' END";
      await withFilter(
        () =>
          createFilter({
            id: 'sw',
            language: 'sql',
            kind: 'switch',
            outputs: ['sso', 'long', 'blue', 'other'],
            defaultOutput: 'other',
            source: sql
          }),
        async f => expect(await routeAll(f, batches)).toEqual(want)
      );
      await withFilter(
        () => loadTypeScriptFilter(SWITCH_MODULE),
        async f => expect(await routeAll(f, batches)).toEqual(want)
      );
    });

    it('backtest reports counts, samples, throughput and the per-night estimate', async () => {
      const want = alerts.map(expectSwitch);
      await withFilter(
        () =>
          sqlFilter(
            "CASE WHEN isMovingObject THEN 'sso' WHEN ndet >= 20 THEN 'long' WHEN gMinusR < 0.3 THEN 'blue' END",
            {
              id: 'sw',
              kind: 'switch',
              outputs: ['sso', 'long', 'blue', 'other'],
              defaultOutput: 'other'
            }
          ),
        async f => {
          const result = await backtest(f, batches, { sampleSize: 2 });
          expect(result.totalAlerts).toBe(alerts.length);
          expect(result.batches).toBe(batches.length);
          expect(result.dropped).toBe(0);
          result.outputs.forEach((output, k) => {
            const routed = alerts.filter((_, i) => want[i] === k);
            expect(output.count).toBe(routed.length);
            expect(output.estimatedPerNight).toBe(
              Math.round((routed.length / alerts.length) * 10_000_000)
            );
            expect(output.sample).toEqual(
              routed.slice(0, 2).map(a => ({ alertId: a.alertId, objectId: a.objectId }))
            );
          });
          expect(result.alertsPerSecond).toBeGreaterThan(0);
          expect(result.filterMs).toBeGreaterThan(0);
        }
      );
    });

    it('features computed on real lightcurves agree with the plain computation', () => {
      let i = 0;
      for (const batch of batches) {
        const enriched = withLightcurveFeatures(batch);
        for (let row = 0; row < batch.numRows; row++, i++) {
          expect(enriched.getChild('ndet')?.get(row)).toBe(alerts[i].ndet);
          const gr = enriched.getChild('gMinusR')?.get(row) as number | null;
          if (alerts[i].gMinusR === null) {
            expect(gr).toBeNull();
          } else {
            expect(gr).toBeCloseTo(alerts[i].gMinusR as number, 12);
          }
        }
      }
    });
  }
);
