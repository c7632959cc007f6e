import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FILES, missingData, skipWithoutData } from '../alerts/testing/samples.js';
import { readAlertFile } from '../buffer/produce.js';
import type { ConsumedRecord } from '../buffer/transport-types.js';
import { FilterColumnError } from '../errors.js';
import { createStageFilter } from './stage-filter.js';
import type { Filter, Routing } from '../filter/types.js';
import { FilterStageHandler } from './filter-stage.js';
import { parseStageManifest } from './manifest.js';
import { StagePipeline, type DecodedChunk } from './pipeline.js';
import { decodedColumns } from './runner.js';
import { StageCounters } from './stats.js';

const manifest = parseStageManifest({
  id: 'projection',
  input: { topic: 'alerts', format: 'rubin' },
  filter: {
    language: 'sql',
    kind: 'yesno',
    source: 'snr > 5 AND mag < 25'
  },
  outputs: { pass: 'alerts-pass' },
  deadLetterTopic: 'alerts-dlq'
});

/** A filter that says it reads `mag` only but also reads the survey column `snr`. */
function understated(seen: RecordBatch[]): Filter {
  return {
    id: 'understated',
    kind: 'yesno',
    language: 'typescript',
    outputs: ['pass'],
    requiredColumns: ['mag'],
    readsOnly: ['mag'],
    source: '',
    evaluate: async (batch: RecordBatch): Promise<Routing> => {
      seen.push(batch);
      if (batch.getChild('snr') === null) {
        throw new FilterColumnError('needs snr');
      }
      return { outputs: ['pass'], index: new Int32Array(batch.numRows) };
    },
    close: async () => undefined
  };
}

async function records(): Promise<ConsumedRecord[]> {
  const { values } = await readAlertFile(SAMPLE_FILES.rubin);
  return values.map((value, i) => ({
    offset: BigInt(i),
    timestampMs: 0,
    key: null,
    value,
    headers: {}
  }));
}

type Routed = { alerts: number; failed?: unknown; alertsPerOutput: number[] };

describe.skipIf(skipWithoutData(missingData([SAMPLE_FILES.rubin])))(
  `stage decodes what its filter reads (needs ${SAMPLE_FILES.rubin})`,
  () => {
    it('a SQL filter decodes only its columns; the stage routes as with every column', async () => {
      const filter = await createStageFilter(manifest.filter!, manifest.id);
      const columns = decodedColumns(manifest, filter);
      expect(columns?.map(c => c.toLowerCase()).sort()).toEqual(['mag', 'snr']);
      const narrow = await StagePipeline.create({ format: 'rubin', columns });
      const wide = await StagePipeline.create({ format: 'rubin' });
      try {
        const recs = await records();
        const a = (await narrow.prepare('alerts', 0, recs)).batch;
        const b = (await wide.prepare('alerts', 0, recs)).batch;
        expect(a.schema.fields.length).toBeLessThan(b.schema.fields.length - 200);
        expect(a.getChild('snr')?.toArray()).toEqual(b.getChild('snr')?.toArray());
        expect([...(await filter.evaluate(a)).index]).toEqual([
          ...(await filter.evaluate(b)).index
        ]);
        expect(decodedColumns({ ...manifest, payload: 'annotated' }, filter)).toBeUndefined();
        // lightcurve features only where something reads them: every column decoded, or named
        expect(a.getChild('ndet')).toBeNull();
        expect(b.getChild('ndet')).not.toBeNull();
        // and the lightcurve itself only where it is read: its history arrays are skipped
        expect(a.getChild('lightcurve')).toBeNull();
        expect(b.getChild('lightcurve')).not.toBeNull();
        // object state reads the lightcurve's features: a stage with objects keeps both
        const objects = await StagePipeline.create({ format: 'rubin', columns, lightcurve: true });
        try {
          const c = (await objects.prepare('alerts', 0, recs)).batch;
          const json = (x: RecordBatch) =>
            JSON.stringify(x.getChild('lightcurve')?.toJSON(), (_k, v: unknown) =>
              typeof v === 'bigint' ? String(v) : v
            );
          expect(json(c).length).toBeGreaterThan(1000);
          expect(json(c)).toBe(json(b));
          expect(c.getChild('daysSinceFirstDetection')?.toArray()).toEqual(
            b.getChild('daysSinceFirstDetection')?.toArray()
          );
        } finally {
          objects.close();
        }
      } finally {
        narrow.close();
        wide.close();
        await filter.close();
      }
    });

    it('a SQL filter reading a lightcurve feature gets it, computed once, as with every column', async () => {
      const source = 'ndet >= 1 AND mag < 25';
      const featureFilter = await createStageFilter({ ...manifest.filter!, source }, manifest.id);
      const columns = decodedColumns(manifest, featureFilter);
      const narrow = await StagePipeline.create({ format: 'rubin', columns });
      const wide = await StagePipeline.create({ format: 'rubin' });
      try {
        const recs = await records();
        const a = (await narrow.prepare('alerts', 0, recs)).batch;
        const b = (await wide.prepare('alerts', 0, recs)).batch;
        expect(a.getChild('ndet')?.toArray()).toEqual(b.getChild('ndet')?.toArray());
        expect(a.getChild('lightcurve')).not.toBeNull();
        const routed = (await featureFilter.evaluate(a)).index;
        expect(routed.length).toBeGreaterThan(0);
        expect([...routed]).toEqual([...(await featureFilter.evaluate(b)).index]);
      } finally {
        narrow.close();
        wide.close();
        await featureFilter.close();
      }
    });

    it('a filter reading a column it did not declare widens the decode and the chunk still routes', async () => {
      const seen: RecordBatch[] = [];
      const pipeline = await StagePipeline.create({ format: 'rubin', columns: ['mag'] });
      const handler = new FilterStageHandler(
        manifest,
        pipeline,
        understated(seen),
        new StageCounters('projection', 'filter')
      );
      try {
        const recs = await records();
        const route = (
          handler as unknown as {
            route(p: number, r: ConsumedRecord[], d: DecodedChunk): Promise<Routed>;
          }
        ).route.bind(handler);
        // both decoded narrow; the second is routed after the first widened the pipeline
        const [first, second] = [await pipeline.decode(recs), await pipeline.decode(recs)];
        for (const decoded of [first, second]) {
          const chunk = await route(0, recs, decoded);
          expect(chunk.failed).toBeUndefined();
          expect(chunk.alertsPerOutput).toEqual([recs.length]);
        }
        expect(seen.map(b => b.getChild('snr') !== null)).toEqual([false, true, false, true]);
        expect(pipeline.projected).toBe(false);
        const later = await pipeline.decode(recs);
        expect(later.ok && later.decoded.batch.getChild('snr') !== null).toBe(true);
      } finally {
        pipeline.close();
      }
    });
  }
);
