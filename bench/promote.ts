/**
 * Promote-to-first-output latency: `POST /stages` (backtest gate on the last 1,000 buffered alerts,
 * version stored, worker process started) until the first record is readable (read_committed) on
 * the stage's output topic. Real Kafka (ALERTLAB_BOOTSTRAP_SERVERS or the local one), real worker
 * processes. Input: 1,000 realistic Rubin alerts (the simulator's realistic mode, ~230 KB with
 * cutouts; `--input small` for the samples cut to 3 history points). Goal ≤ 2 s. Writes
 * bench/results/promote.json (promote-small.json for small alerts).
 *
 *     node --import tsx bench/promote.ts [--input realistic|small]
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBootstrap } from '../sdk/src/buffer/local/index.js';
import { createLogger } from '../sdk/src/buffer/log.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import { ControllerClient } from '../sdk/src/control/client.js';
import { startController } from '../sdk/src/control/controller-server.js';
import { sendRecords } from '../sdk/src/buffer/produce.js';
import { RealisticAlerts } from '../sdk/src/simulate/index.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import { BenchReport, fmt, kb, median } from './lib/report.js';

const INPUT = process.argv.includes('small') ? 'small' : 'realistic';

const TRIALS = Number(process.env.ALERTLAB_BENCH_TRIALS ?? 5);

/**
 * A worker's module load, alone: a fresh `node --import tsx` (as workerCommand spawns) importing
 * the stage runner; wall from process start and the child's CPU. Part of every promote.
 */
async function workerModuleLoad(): Promise<{ wallMs: number; cpuMs: number }> {
  const root = join(import.meta.dirname, '..');
  const runner = join(root, 'sdk/src/stage/runner.ts');
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    join(root, 'node_modules/tsx/dist/esm/index.mjs'),
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(runner)}); const c = process.cpuUsage(); console.log(JSON.stringify({ wallMs: performance.now(), cpuMs: (c.user + c.system) / 1000 }));`
  ]);
  return JSON.parse(stdout.trim().split('\n').pop() as string) as { wallMs: number; cpuMs: number };
}

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
  const trials: {
    deployMs: number;
    firstOutputMs: number;
    gateMs: number;
    afterDeployMs: number;
    deployCpuMs: number;
  }[] = [];
  let meanBytes = 0;
  const report = new BenchReport('promote', {
    warmup: 'none (each trial deploys a new stage: its cold start is what is measured)',
    repeats: TRIALS,
    statistic: 'median trial, max beside it',
    clock:
      'from the POST /stages command (backtest gate on the last 1,000 buffered alerts, version stored, worker process started) to the first record a read_committed reader of the output receives'
  });
  try {
    const input = `bench-promote-${randomUUID().slice(0, 8)}`;
    await client.request('POST', '/buffers/topics', { topic: input, partitions: 1 });
    const small = INPUT === 'small' ? smallRubinAlerts(3) : undefined;
    const values = small
      ? Array.from({ length: 1000 }, (_, i) => small.make(i))
      : RealisticAlerts.create({ seed: 41 }).nextBatch(1000).values;
    meanBytes = values.reduce((n, v) => n + v.length, 0) / values.length;
    const producer = await transport.producer({ idempotent: true });
    await sendRecords(
      producer,
      values.map(value => ({ topic: input, value })),
      900_000
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
      const cpu0 = process.cpuUsage();
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
      // the controller runs in this process: its CPU over the POST (gate included)
      const cpu = process.cpuUsage(cpu0);
      while (firstAt === 0 && performance.now() - t0 < 60_000) {
        await new Promise(res => setTimeout(res, 10));
      }
      trials.push({
        deployMs,
        firstOutputMs: firstAt - t0,
        gateMs: r.evidence.gateMs,
        afterDeployMs: firstAt - t0 - deployMs,
        deployCpuMs: (cpu.user + cpu.system) / 1000
      });
      console.log(
        `trial ${t}: deploy ${deployMs.toFixed(0)} ms (gate ${r.evidence.gateMs.toFixed(0)} ms; controller CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms), first output after ${(firstAt - t0).toFixed(0)} ms (worker start to first output ${(firstAt - t0 - deployMs).toFixed(0)} ms; load ${BenchReport.load()})`
      );
      await consumer.close();
      await client.request('DELETE', `/stages/${id}`);
    }
  } finally {
    await ctl.close();
    await transport.close();
    await rm(dir, { recursive: true, force: true });
  }
  const first = trials.map(t => t.firstOutputMs);
  const med = median(first);
  const boot = [await workerModuleLoad(), await workerModuleLoad(), await workerModuleLoad()];
  const bootWall = median(boot.map(b => b.wallMs));
  const bootCpu = median(boot.map(b => b.cpuMs));
  const breakdown = {
    gateMs: median(trials.map(t => t.gateMs)),
    deployBesideGateMs: median(trials.map(t => t.deployMs - t.gateMs)),
    controllerCpuMs: median(trials.map(t => t.deployCpuMs)),
    workerStartToFirstOutputMs: median(trials.map(t => t.afterDeployMs)),
    workerModuleLoadMs: bootWall,
    workerModuleLoadCpuMs: bootCpu
  };
  console.log(`breakdown (medians): ${JSON.stringify(breakdown)}`);
  report.row({
    benchmark: 'promote → first output record (POST /stages → first record read downstream)',
    input: `${INPUT === 'small' ? 'the 7 real samples cut to 3 history points (small alerts)' : 'realistic Rubin lsst.v10 (distinct, cutouts)'}, ${kb(meanBytes)} mean, 1,000 buffered`,
    figure: `median ${fmt(med)} ms, max ${fmt(Math.max(...first))} ms over ${trials.length} trials (gate ${fmt(breakdown.gateMs)} ms + rest of the deploy ${fmt(breakdown.deployBesideGateMs)} ms + worker start to first output ${fmt(breakdown.workerStartToFirstOutputMs)} ms, of which module load ${fmt(bootWall)} ms / ${fmt(bootCpu)} ms CPU; goal ≤ 2,000 ms)`,
    peer: '—'
  });
  report.write(
    { goalMs: 2000, medianFirstOutputMs: med, breakdown, workerModuleLoad: boot, trials },
    INPUT === 'small' ? 'promote-small.json' : 'promote.json'
  );
}

await main();
