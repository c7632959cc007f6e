/**
 * The archive sink under kill -9: a worker (`alertlab stage run`, child process) writing Parquet by
 * night is killed twice while alerts pass; afterwards no temp or partial file is left, every file
 * reads, and the archive holds every committed alert exactly once, with its lightcurve.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import { nightOf } from '../sdk/src/stage/archive-stage.js';
import {
  SAMPLES_MISSING_MESSAGE,
  SAMPLES_PRESENT,
  skipWithoutSamples,
  committedTotal,
  produceValues,
  randomName,
  sampleValues,
  sleep,
  startStageProcess,
  waitFor,
  useSuiteKafka,
  withTempDir
} from './stage-helpers.js';

if (!SAMPLES_PRESENT) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

const SMALL = 20_000;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push(...(e.isDirectory() ? await walk(p) : [p]));
  }
  return out;
}

describe.skipIf(skipWithoutSamples())('archive sink', () => {
  const kafka = useSuiteKafka({ admin: true });

  it('leaves no partial file after kill -9 and holds every committed alert once', async () => {
    const { transport, admin } = kafka;
    const id = randomName('stage-archive');
    const input = `${id}-in`;
    await admin.createTopics([{ topic: input, partitions: 2 }]);
    const small = smallRubinAlerts(3);
    const real = await sampleValues(); // Rubin and ZTF alerts from other nights
    const values = Array.from({ length: SMALL }, (_, i) => small.make(i));
    real.forEach((v, i) => values.splice(i * 400, 0, v));
    await produceValues(transport, input, values, { chunk: 500 });
    await withTempDir(async dir => {
      const archive = join(dir, 'archive');
      const manifest = {
        id,
        kind: 'archive',
        input: { topic: input, format: 'auto' },
        archive: { path: archive, partitionBy: 'night', flushRows: 1500, maxIdleMs: 800 },
        deadLetterTopic: `${id}-dlq`,
        batch: { maxRows: 500, maxWaitMs: 200 },
        consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }
      };
      let worker = await startStageProcess(manifest, dir);
      try {
        for (let k = 1; k <= 2; k++) {
          const before = await committedTotal(admin, id, input);
          await waitFor(async () => (await committedTotal(admin, id, input)) > before, 120_000);
          await sleep(250 * k);
          await worker.kill9();
          const files = await walk(archive);
          console.log(
            `kill ${k}: ${files.length} files (${files.filter(f => f.endsWith('.tmp')).length} temp) on disk`
          );
          worker = await startStageProcess(manifest, dir);
        }
        await waitFor(
          async () => (await committedTotal(admin, id, input)) === BigInt(values.length),
          150_000
        );
      } finally {
        await worker.stop();
      }
      const files = await walk(archive);
      expect(files.filter(f => !f.endsWith('.parquet'))).toEqual([]);
      const instance = await DuckDBInstance.create(':memory:');
      const con = await instance.connect();
      try {
        const rows = await (
          await con.run(
            `SELECT alertId::VARCHAR AS id, night::VARCHAR AS night, len(lightcurve) AS points FROM read_parquet('${archive}/**/*.parquet', hive_partitioning = true)`
          )
        ).getRowObjectsJS();
        const ids = rows.map(r => String(r.id));
        expect(ids.length).toBe(values.length);
        expect(new Set(ids).size).toBe(values.length);
        for (let i = 0; i < SMALL; i += 499) {
          expect(ids).toContain(small.idOf(i).toString());
        }
        const nights = new Set(rows.map(r => String(r.night)));
        expect(nights.size).toBeGreaterThan(1);
        expect(nights).toContain(nightOf(61105.0936, 'night'));
        expect(rows.every(r => Number(r.points) >= 1)).toBe(true);
        console.log(
          `archive: ${files.length} files, ${ids.length} alerts, nights ${[...nights].sort().join(' ')}`
        );
      } finally {
        con.closeSync();
        instance.closeSync();
      }
    });
    await admin.deleteTopics([input, `${id}-dlq`]);
  }, 300_000);
});
