/**
 * Deployed stages vs backtests on the real sample alerts: SQL and TypeScript filters of each kind,
 * and a Python switch, run as stages on the real broker; their read_committed outputs route exactly
 * the alerts that `backtest()` of the same filter routes on the same batches (StagePipeline).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../sdk/src/filter/backtest.js';
import { parseStageManifest } from '../sdk/src/stage/manifest.js';
import { StagePipeline } from '../sdk/src/stage/pipeline.js';
import { stageRouteOf } from '../sdk/src/stage/route-header.js';
import { StageRunner } from '../sdk/src/stage/runner.js';
import { createStageFilter } from '../sdk/src/stage/stage-filter.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import {
  FILTERS_DIR,
  SAMPLES_MISSING_MESSAGE,
  SAMPLES_PRESENT,
  skipWithoutSamples,
  alertIdsOf,
  bootstrapServers,
  produceValues,
  quietLogger,
  randomName,
  readTopic,
  sampleValues,
  waitFor,
  type TopicRecord
} from './stage-helpers.js';

if (!SAMPLES_PRESENT) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

interface Case {
  name: string;
  filter: Record<string, unknown>;
  crossmatch?: boolean;
  payload?: 'full' | 'thin' | 'annotated';
}

const SWITCH_SQL =
  "CASE WHEN xm_hipparcos_count > 0 THEN 'star' WHEN isMovingObject THEN 'sso' WHEN ndet >= 20 THEN 'long' END";
const CASES: Case[] = [
  {
    name: 'sql-yesno',
    filter: { language: 'sql', kind: 'yesno', source: "survey = 'ztf' AND mag < 18.5" }
  },
  {
    name: 'sql-leftright',
    payload: 'thin',
    filter: { language: 'sql', kind: 'leftright', source: 'ndet >= 10' }
  },
  {
    name: 'sql-switch',
    crossmatch: true,
    filter: {
      language: 'sql',
      kind: 'switch',
      outputs: ['star', 'sso', 'long', 'other'],
      defaultOutput: 'other',
      source: SWITCH_SQL
    }
  },
  {
    name: 'ts-yesno',
    filter: { language: 'typescript', kind: 'yesno', path: join(FILTERS_DIR, 'ts-yesno.ts') }
  },
  {
    name: 'ts-leftright',
    filter: {
      language: 'typescript',
      kind: 'leftright',
      path: join(FILTERS_DIR, 'ts-leftright.ts')
    }
  },
  {
    name: 'ts-switch',
    crossmatch: true,
    payload: 'annotated',
    filter: {
      language: 'typescript',
      kind: 'switch',
      outputs: ['star', 'long', 'other'],
      defaultOutput: 'other',
      path: join(FILTERS_DIR, 'ts-switch-stars.ts')
    }
  },
  {
    name: 'py-switch',
    filter: {
      language: 'python',
      kind: 'switch',
      outputs: ['sso', 'long', 'blue', 'other'],
      defaultOutput: 'other',
      path: `${join(FILTERS_DIR, 'py_filters.py')}:sample_switch`
    }
  }
];

const OUTPUTS: Record<string, string[]> = { yesno: ['pass'], leftright: ['left', 'right'] };

/** Alert ids per output name, from the records of the output topics. */
function idsByOutput(
  records: TopicRecord[],
  topics: Record<string, string>,
  payload: string
): Map<string, string[]> {
  const out = new Map<string, string[]>(Object.keys(topics).map(n => [n, []]));
  for (const [name, topic] of Object.entries(topics)) {
    const mine = records.filter(r => r.topic === topic);
    const ids =
      payload === 'full'
        ? alertIdsOf(mine)
        : mine.map(r => {
            const body = JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as {
              alertId?: string;
              alert?: { alertId: string };
            };
            return String(body.alertId ?? body.alert?.alertId);
          });
    out.set(name, ids.sort());
  }
  return out;
}

describe.skipIf(skipWithoutSamples())('stage vs backtest on the real sample alerts', () => {
  let transport: KafkaTransport;
  let input: string;
  let values: Uint8Array[];
  let storeDir: string;
  let inputRecords: TopicRecord[];

  beforeAll(async () => {
    transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
    input = randomName('stage-in');
    const admin = await transport.admin();
    await admin.createTopics([{ topic: input, partitions: 2 }]);
    await admin.close();
    values = await sampleValues();
    await produceValues(transport, input, values, { key: i => `k${i}` });
    inputRecords = await readTopic(transport, input, { min: values.length, idleMs: 500 });
    storeDir = await mkdtemp(join(tmpdir(), 'alertlab-stage-store-'));
  });

  afterAll(async () => {
    if (storeDir) {
      await rm(storeDir, { recursive: true, force: true });
    }
    await transport?.close();
  });

  for (const c of CASES) {
    it(`${c.name}: the deployed stage routes the same alerts as the backtest`, async () => {
      const id = randomName(`stage-${c.name}`);
      const kind = String(c.filter.kind);
      const names = (c.filter.outputs as string[] | undefined) ?? OUTPUTS[kind];
      const topics = Object.fromEntries(names.map(n => [n, `${id}-${n}`]));
      const manifest = parseStageManifest({
        id,
        input: { topic: input, format: 'auto' },
        crossmatch: c.crossmatch
          ? {
              catalogs: [{ name: 'hipparcos', radiusArcsec: 900, columns: ['mag'] }],
              storePath: join(storeDir, 'catalogs.duckdb')
            }
          : undefined,
        filter: { timeoutMs: 20_000, ...c.filter },
        outputs: topics,
        payload: c.payload ?? 'full',
        deadLetterTopic: `${id}-dlq`,
        batch: { maxRows: 16, maxWaitMs: 100 }
      });
      const runner = await StageRunner.create(manifest, {
        bootstrapServers: bootstrapServers(),
        logger: quietLogger
      });
      const stop = new AbortController();
      const running = runner.run(stop.signal);
      try {
        await waitFor(() => runner.stats().recordsIn >= values.length, 90_000);
      } finally {
        stop.abort();
        await running;
        await runner.close();
      }
      const stats = runner.stats();
      expect(stats.recordsIn).toBe(values.length);
      expect(stats.deadLettered).toBe(0);
      const routedCount = Object.values(stats.out).reduce((a, b) => a + b, 0);
      const outputRecords = await readTopic(transport, Object.values(topics), {
        min: routedCount,
        idleMs: 1000
      });
      const deployed = idsByOutput(outputRecords, topics, manifest.payload);

      // the backtest: same filter spec, same enrich pipeline, same records
      const pipeline = await StagePipeline.create({
        format: 'auto',
        crossmatch: manifest.crossmatch
      });
      const filter = await createStageFilter(manifest.filter!, id);
      const batches: RecordBatch[] = [];
      try {
        for (const p of [0, 1]) {
          const recs = inputRecords
            .filter(r => r.partition === p)
            .sort((a, b) => Number(a.offset - b.offset));
          for (let i = 0; i < recs.length; i += 16) {
            batches.push((await pipeline.prepare(input, p, recs.slice(i, i + 16))).batch);
          }
        }
        const result = await backtest(filter, batches, { sampleSize: 10_000 });
        expect(result.totalAlerts).toBe(stats.alertsIn);
        const backtested = new Map(
          result.outputs.map(o => [o.name, o.sample.map(s => String(s.alertId)).sort()])
        );
        expect(deployed).toEqual(backtested);
        const all = [...deployed.values()].flat();
        expect(new Set(all).size).toBe(all.length); // every alert in at most one output
        expect(all.length + result.dropped).toBe(result.totalAlerts);
        expect(stats.dropped).toBe(result.dropped);
        console.log(
          `${c.name}: ${[...deployed].map(([n, ids]) => `${n}=${ids.length}`).join(' ')} dropped=${result.dropped}`
        );
      } finally {
        await filter.close();
        pipeline.close();
      }
      if (manifest.payload === 'full') {
        const byOffset = new Map(inputRecords.map(r => [`${r.partition}:${r.offset}`, r.value]));
        for (const r of outputRecords) {
          const route = stageRouteOf(r.headers);
          expect(route?.stage).toBe(id);
          expect(topics[route?.output ?? '']).toBe(r.topic);
          expect(route?.sourceTopic).toBe(manifest.input.topic);
          expect(route?.alertIds.length).toBeGreaterThan(0);
          if (manifest.crossmatch) {
            expect(Object.keys(route?.matches ?? {})).toEqual(['hipparcos']);
          }
          const src = `${route?.sourcePartition}:${route?.sourceOffset}`;
          expect(
            Buffer.compare(
              Buffer.from(r.value as Uint8Array),
              Buffer.from(byOffset.get(src) as Uint8Array)
            )
          ).toBe(0);
        }
      }
      if (manifest.payload === 'annotated') {
        const body = JSON.parse(
          Buffer.from(outputRecords[0].value as Uint8Array).toString()
        ) as Record<string, Record<string, unknown>>;
        expect(typeof body.alert.alertId).toBe('string');
        expect(body.matches.hipparcos).toBeInstanceOf(Array);
        expect(body.features).toHaveProperty('ndet');
      }
    });
  }
});
