/**
 * Promote-to-first-output latency: `POST /stages` (backtest gate on the last 1,000 buffered alerts,
 * version stored, worker process started) until the first record is readable (read_committed) on
 * the stage's output topic. Real Kafka (ALERTLAB_BOOTSTRAP_SERVERS or the local one), real worker
 * processes. Goal ≤ 3 s. Writes bench/results/promote.json.
 *
 *     node --import tsx bench/promote.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBootstrap } from '../sdk/src/buffer/local/index.js';
import { createLogger } from '../sdk/src/buffer/log.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import { ControllerClient } from '../sdk/src/control/client.js';
import { startController } from '../sdk/src/control/controller-server.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';

const TRIALS = Number(process.env.ALERTLAB_BENCH_TRIALS ?? 5);

async function main(): Promise<void> {
  const servers = await resolveBootstrap(process.env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local');
  const dir = await mkdtemp(join(tmpdir(), 'alertlab-promote-bench-'));
  const transport = createTransport({
    bootstrapServers: servers.split(','),
    logger: createLogger({ level: 'error' })
  });
  const ctl = await startController({
    port: 0,
    stateDir: join(dir, 'state'),
    tokenFile: join(dir, 'token'),
    storePath: join(dir, 'catalogs.duckdb'),
    bootstrapServers: servers
  });
  const client = new ControllerClient({ url: ctl.url, token: ctl.token });
  const trials: { deployMs: number; firstOutputMs: number; gateMs: number }[] = [];
  try {
    const input = `bench-promote-${randomUUID().slice(0, 8)}`;
    await client.request('POST', '/buffers/topics', { topic: input, partitions: 1 });
    const alerts = smallRubinAlerts(3);
    const producer = await transport.producer({ idempotent: true });
    await producer.send(
      Array.from({ length: 1000 }, (_, i) => ({ topic: input, value: alerts.make(i) }))
    );
    await producer.close();
    for (let t = 0; t < TRIALS; t++) {
      const id = `bench-promote-${randomUUID().slice(0, 8)}`;
      const output = `${id}.pass`;
      await client.request('POST', '/buffers/topics', { topic: output, partitions: 1 });
      const consumer = await transport.consumer({
        groupId: `${id}-reader`,
        readCommitted: true,
        maxWaitTimeMs: 50
      });
      let firstAt = 0;
      await consumer.subscribe([output], { fromBeginning: true });
      await consumer.run(async batch => {
        if (firstAt === 0 && batch.records.length > 0) {
          firstAt = performance.now();
        }
      });
      await new Promise(r => setTimeout(r, 1500)); // let the reader join its group first
      const t0 = performance.now();
      const r = await client.request<{ evidence: { gateMs: number } }>('POST', '/stages', {
        manifest: {
          id,
          input: { topic: input, format: 'rubin' },
          filter: { language: 'sql', kind: 'yesno', source: 'coalesce(mag, 99) < 99' },
          batch: { maxRows: 500, maxWaitMs: 100 }
        },
        author: 'bench'
      });
      const deployMs = performance.now() - t0;
      while (firstAt === 0 && performance.now() - t0 < 60_000) {
        await new Promise(res => setTimeout(res, 10));
      }
      trials.push({ deployMs, firstOutputMs: firstAt - t0, gateMs: r.evidence.gateMs });
      console.log(
        `trial ${t}: deploy ${deployMs.toFixed(0)} ms (gate ${r.evidence.gateMs.toFixed(0)} ms), first output after ${(firstAt - t0).toFixed(0)} ms`
      );
      await consumer.close();
      await client.request('DELETE', `/stages/${id}`);
    }
  } finally {
    await ctl.close();
    await transport.close();
    await rm(dir, { recursive: true, force: true });
  }
  const sorted = trials.map(t => t.firstOutputMs).sort((a, b) => a - b);
  const out = {
    benchmark: 'promote-to-first-output',
    date: new Date().toISOString(),
    loadAverage1m: loadavg()[0],
    goalMs: 3000,
    medianFirstOutputMs: sorted[Math.floor(sorted.length / 2)],
    maxFirstOutputMs: sorted[sorted.length - 1],
    trials
  };
  console.log(
    `promote → first output: median ${out.medianFirstOutputMs.toFixed(0)} ms, max ${out.maxFirstOutputMs.toFixed(0)} ms (goal ≤ 3000 ms)`
  );
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(
    join(import.meta.dirname, 'results', 'promote.json'),
    `${JSON.stringify(out, null, 2)}\n`
  );
}

await main();
