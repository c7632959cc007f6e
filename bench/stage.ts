/**
 * Stage benchmark: one stage worker's throughput (decode → cross-match against hipparcos → SQL
 * switch filter → produce, transactional, exactly once) against a raw consume → produce pipe on the
 * same Kafka client and runtime (same transactions, no decoding) in the same run; and the time to
 * backtest the buffered alerts. Alerts: Rubin alerts re-encoded from the real samples, with short
 * histories by default or the samples' full ones (--history 100000, ~110 KB each).
 * Both runs share everything below the handler: the transport (one Kafka client), the partitioned
 * consumer with the same partitions in flight, the transactions per chunk. The figures carry process CPU per alert (all threads), which depends
 * less on other load on the machine than the rates do.
 * Run: `node --import tsx bench/stage.ts [--alerts 100000] [--partitions 2] [--rounds 3 (default)]
 * [--history 2 (100000: real-size alerts)] [--out stage.json]`; the Kafka client is
 * ALERTLAB_KAFKA_CLIENT's (bench/clients.ts runs each side by side). Writes bench/results/<out>.
 * Needs a local Kafka (`bin/alertlab kafka start`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { RecordBatch } from 'apache-arrow';
import { resolveBootstrapServers } from '../sdk/src/buffer/bootstrap.js';
import { createLogger } from '../sdk/src/buffer/log.js';
import { sendRecords } from '../sdk/src/buffer/produce.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import type { ConsumedRecord, ProducerClient } from '../sdk/src/buffer/transport-types.js';
import { backtest } from '../sdk/src/filter/backtest.js';
import { parseStageManifest } from '../sdk/src/stage/manifest.js';
import { PartitionedConsumer } from '../sdk/src/stage/partitions.js';
import { StagePipeline } from '../sdk/src/stage/pipeline.js';
import { INLINE_DECODE_MEAN_BYTES } from '../sdk/src/buffer/decode-worker.js';
import { StageRunner, decodedColumns } from '../sdk/src/stage/runner.js';
import { decodesLightcurve } from '../sdk/src/stage/decoded-columns.js';
import { createStageFilter } from '../sdk/src/stage/stage-filter.js';
import {
  DECODE_WORKERS,
  MAX_REQUEST_BYTES,
  PARTITIONS_IN_FLIGHT
} from '../sdk/src/stage/filter-stage.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import { AlertSimulator, RealisticAlerts } from '../sdk/src/simulate/index.js';
import { kcatPath, kcatRead, type KcatRun } from './lib/kcat.js';
import { STAGE_FEATURE_SQL, STAGE_SWITCH_SQL } from './lib/stage-sql.js';
import { BenchReport, fmt, kb, median as medianOf } from './lib/report.js';

const { values: args } = parseArgs({
  options: {
    /** realistic (simulator's realistic mode, ~230 KB with cutouts), real (the 7 samples, full histories, no cutouts) or small (the samples cut to --history points). */
    input: { type: 'string', default: 'realistic' },
    alerts: { type: 'string' },
    partitions: { type: 'string', default: '2' },
    'max-rows': { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    /** History points per alert; 100000 keeps the real samples' full histories (~110 KB alerts). */
    history: { type: 'string', default: '2' },
    /** Result file name in bench/results. */
    out: { type: 'string' },
    /** full (the alert re-produced) or thin (ids + route). */
    payload: { type: 'string', default: 'full' },
    /** Profiling aid: the stage alone (the ratio then compares with a raw rate of 1/s). */
    'stage-only': { type: 'boolean', default: false }
  }
});
const INPUT = args.input as 'realistic' | 'real' | 'small' | 'demo';
const N = Number(
  args.alerts ?? (INPUT === 'realistic' ? 10_000 : INPUT === 'real' ? 20_000 : 100_000)
);
const OUT = args.out ?? `stage-${INPUT}${args.payload === 'thin' ? '-thin' : ''}.json`;
const PARTITIONS = Number(args.partitions);
const MAX_ROWS = Number(args['max-rows']);
/** Backtests of the buffered records after the warm-up chunk; the median is the headline. */
const BACKTEST_RUNS = 3;
/** Raw pipe and stage alternate this many times (fresh groups each); each ratio is within a round. */
const ROUNDS = Number(args.rounds);
const logger = createLogger({ level: 'error' });
const SWITCH_SQL = STAGE_SWITCH_SQL;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

interface Rate {
  alerts: number;
  /** From the first committed batch to the last (group join excluded). */
  seconds: number;
  alertsPerSec: number;
  /** Including the group join and the first fetch. */
  wallSeconds: number;
  /** Process CPU (all threads: main, GC, DuckDB, libuv) per alert over `seconds`. */
  cpuMicrosPerAlert: number;
  /** Process CPU over `seconds` in cores (1 = one core busy throughout). */
  cores: number;
  /** Main thread's event loop utilization over `seconds` (the rest it waited for I/O). */
  mainThreadBusy: number;
}

/** Polls a counter until it reaches N; the rate counts from its first non-zero value. */
async function timeUntilDone(count: () => number): Promise<Rate> {
  const t0 = performance.now();
  let firstAt: number | undefined;
  let firstCount = 0;
  let firstCpu = process.cpuUsage();
  let firstElu = performance.eventLoopUtilization();
  for (;;) {
    const c = count();
    if (c > 0 && firstAt === undefined) {
      firstAt = performance.now();
      firstCpu = process.cpuUsage();
      firstElu = performance.eventLoopUtilization();
      firstCount = c;
    }
    if (c >= N) {
      break;
    }
    await sleep(20);
  }
  const end = performance.now();
  const cpu = process.cpuUsage(firstCpu);
  const elu = performance.eventLoopUtilization(firstElu);
  const cpuMicros = cpu.user + cpu.system;
  const seconds = (end - (firstAt as number)) / 1000;
  return {
    alerts: N,
    seconds,
    alertsPerSec: Math.round((N - firstCount) / seconds),
    wallSeconds: (end - t0) / 1000,
    cpuMicrosPerAlert: Math.round(cpuMicros / (N - firstCount)),
    cores: Number((cpuMicros / 1e6 / seconds).toFixed(2)),
    mainThreadBusy: Number(elu.utilization.toFixed(2))
  };
}

async function makeInput(): Promise<Uint8Array[]> {
  if (INPUT === 'demo') {
    // the demo's alerts: visits of 10,000 from the simulator (default mix)
    const sim = await AlertSimulator.create({ seed: 61, alertsPerVisit: Math.min(N, 10_000) });
    const out: Uint8Array[] = [];
    while (out.length < N) {
      out.push(...sim.encode(sim.planNext()));
    }
    return out.slice(0, N);
  }
  if (INPUT === 'realistic') {
    const gen = RealisticAlerts.create({ seed: 21 });
    const out: Uint8Array[] = [];
    for (let i = 0; i < N; i += 1000) {
      out.push(...gen.nextBatch(Math.min(1000, N - i)).values);
    }
    return out;
  }
  const small = smallRubinAlerts(INPUT === 'real' ? 100_000 : Number(args.history));
  return Array.from({ length: N }, (_, i) => small.make(i));
}

const INPUT_LABEL = {
  realistic: 'realistic Rubin lsst.v10 (simulator; distinct; 10–600-row histories, 3 FITS cutouts)',
  real: 'the 7 real Rubin samples with new ids (full histories, no cutouts)',
  small: `the 7 real Rubin samples cut to ${args.history} history points, no cutouts (small alerts)`,
  demo: "the demo's alerts (simulator visits of 10,000, default mix)"
}[INPUT];

async function main(): Promise<void> {
  const servers = await resolveBootstrapServers();
  const transport = createTransport({ bootstrapServers: servers, logger });
  const admin = await transport.admin();
  const run = `bench-stage-${Date.now()}`;
  const input = `${run}-in`;
  await admin.createTopics([{ topic: input, partitions: PARTITIONS }]);
  const values = await makeInput();
  const producer = await transport.producer();
  const tp = performance.now();
  await sendRecords(
    producer,
    values.map((value, i) => ({ topic: input, value, key: String(i) })),
    900_000
  );
  const produceSeconds = (performance.now() - tp) / 1000;
  await producer.close();
  const meanBytes = Math.round(values.reduce((a, v) => a + v.length, 0) / N);
  console.log(`produced ${N} alerts (${meanBytes} B each) in ${produceSeconds.toFixed(1)} s`);

  // 1. raw pipe: the same consumer group runtime and transactions, bytes forwarded untouched
  const pipeOut = `${run}-pipe-out`;
  await admin.createTopics([{ topic: pipeOut, partitions: PARTITIONS }]);
  const rawRound = async (round: number): Promise<Rate> => {
    let piped = 0;
    const group = `${run}-pipe-r${round}`;
    // pipelined like the stage: the chunk's records now, its transaction while the next is fetched
    const pipePrepare = async (
      st: { producer: ProducerClient; partition: number },
      records: ConsumedRecord[]
    ) => {
      const out = records.map(r => ({ topic: pipeOut, value: r.value, key: r.key }));
      return async () => {
        const tx = await st.producer.transaction();
        await sendRecords(tx, out, MAX_REQUEST_BYTES);
        await tx.sendOffsets(group, [
          { topic: input, partition: st.partition, offset: records[records.length - 1].offset + 1n }
        ]);
        await tx.commit();
        piped += records.length;
      };
    };
    const pipe = new PartitionedConsumer<{ producer: ProducerClient; partition: number }>(
      transport,
      {
        stageId: group,
        topic: input,
        groupId: group,
        maxRows: MAX_ROWS,
        maxWaitMs: 200,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1000,
        fromBeginning: true,
        logger,
        partitionsConcurrently: PARTITIONS_IN_FLIGHT
      },
      {
        open: async st => ({ producer: st.producer as ProducerClient, partition: st.partition }),
        process: async (st, records: ConsumedRecord[]) => (await pipePrepare(st, records))(),
        prepare: pipePrepare,
        close: async () => undefined
      }
    );
    await pipe.start();
    const rate = await timeUntilDone(() => piped);
    await pipe.close();
    console.log(
      `round ${round} raw pipe: ${rate.alertsPerSec} alerts/s (CPU ${rate.cpuMicrosPerAlert} µs/alert, ${rate.cores} cores, main thread ${rate.mainThreadBusy} busy)`
    );
    return rate;
  };

  // 2. the stage: decode → cross-match (hipparcos, 2″) → SQL switch → produce (full payload)
  const storeDir = mkdtempSync(join(tmpdir(), 'alertlab-bench-stage-'));
  const manifestOf = (round: number) =>
    parseStageManifest({
      id: `${run}-stage-r${round}`,
      input: { topic: input, format: 'rubin' },
      crossmatch: {
        catalogs: [{ name: 'hipparcos', radiusArcsec: 2 }],
        storePath: join(storeDir, 'catalogs.duckdb')
      },
      filter: {
        language: 'sql',
        kind: 'switch',
        outputs: ['star', 'sso', 'bright', 'other'],
        defaultOutput: 'other',
        source: SWITCH_SQL
      },
      outputs: Object.fromEntries(['star', 'sso', 'bright', 'other'].map(n => [n, `${run}-${n}`])),
      payload: args.payload,
      deadLetterTopic: `${run}-dlq`,
      batch: { maxRows: MAX_ROWS, maxWaitMs: 200 }
    });
  const manifest = manifestOf(0);
  const stageRound = async (round: number, raw: Rate) => {
    const runner = await StageRunner.create(manifestOf(round), {
      bootstrapServers: servers,
      logger
    });
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    const rate = await timeUntilDone(() => runner.stats().recordsIn);
    stop.abort();
    await running;
    const stats = runner.stats();
    await runner.close();
    console.log(
      `round ${round} stage: ${rate.alertsPerSec} alerts/s (${((rate.alertsPerSec / raw.alertsPerSec) * 100).toFixed(0)}% of this round's raw pipe; CPU ${rate.cpuMicrosPerAlert} µs/alert, ${rate.cores} cores, main thread ${rate.mainThreadBusy} busy)`,
      stats.out
    );
    // where a chunk's time went (mean ms per committed chunk, see sdk/src/stage/chunk-timing.ts)
    const ph = Object.entries(stats.phases).map(
      ([k, v]) => `${k} ${(v.sumMs / Math.max(1, v.chunks)).toFixed(1)}`
    );
    console.log(`round ${round} stage chunk phases, mean ms: ${ph.join(', ')}`);
    return { rate, stats };
  };
  const rounds: Array<{ raw: Rate; stage: Rate; ratio: number; kcat?: KcatRun }> = [];
  const kcat = kcatPath();
  if (!kcat) {
    console.log('kcat not installed (scripts/bench.sh installs it): no native floor row');
  }
  const noRaw: Rate = {
    alerts: 0,
    seconds: 1,
    alertsPerSec: 1,
    wallSeconds: 1,
    cpuMicrosPerAlert: 0,
    cores: 0,
    mainThreadBusy: 0
  };
  let stats: ReturnType<StageRunner['stats']> | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const floor = kcat ? kcatRead(kcat, servers.join(','), input, N) : undefined;
    if (floor) {
      console.log(
        `round ${round} kcat: ${floor.alertsPerSec} alerts/s (CPU ${floor.cpuMicrosPerAlert} µs/alert)`
      );
    }
    const raw = args['stage-only'] ? noRaw : await rawRound(round);
    const done = await stageRound(round, raw);
    stats = done.stats;
    rounds.push({
      kcat: floor,
      raw,
      stage: done.rate,
      ratio: +(done.rate.alertsPerSec / raw.alertsPerSec).toFixed(3)
    });
  }
  const median = <T>(xs: T[], key: (x: T) => number): T =>
    [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)];
  const mid = median(rounds, r => r.ratio);
  const pipeRate = mid.raw;
  const stageRate = mid.stage;
  console.log(
    `stage vs raw pipe, median of ${ROUNDS} round(s): ${(mid.ratio * 100).toFixed(0)}% (rounds: ${rounds.map(r => `${(r.ratio * 100).toFixed(0)}%`).join(', ')})`
  );

  // 3. backtest end to end from buffered records: decode + cross-match (+ the lightcurve and its
  // features when the SQL reads one) → filter → routing, all on the clock; a warm-up pass over the
  // first chunk first. Decoded as the stage decodes (decodedColumns, decodesLightcurve; small alerts
  // in the decode worker thread, the next chunk's while this thread enriches the current one, as a
  // stage's chunks go; real-size ones on this thread, see INLINE_DECODE_MEAN_BYTES). Run twice: the
  // stage's SQL (no lightcurve read) and the same switch reading a lightcurve feature (ndet).
  const recordsOf = (from: number, to: number): ConsumedRecord[] =>
    values.slice(from, to).map((value, j) => ({
      offset: BigInt(from + j),
      timestampMs: 0,
      key: null,
      value,
      headers: {}
    }));
  const chunks: ConsumedRecord[][] = [];
  for (let i = 0; i < N; i += MAX_ROWS) {
    chunks.push(recordsOf(i, Math.min(N, i + MAX_ROWS)));
  }
  const timeBacktest = async (sql: string) => {
    const m = parseStageManifest({ ...manifest, filter: { ...manifest.filter!, source: sql } });
    const filter = await createStageFilter(m.filter!, m.id);
    const columns = decodedColumns(m, filter);
    const pipeline = await StagePipeline.create({
      format: 'rubin',
      crossmatch: m.crossmatch,
      decodeWorkers: DECODE_WORKERS,
      columns
    });
    try {
      await backtest(filter, [
        (await pipeline.prepare(input, 0, recordsOf(0, Math.min(N, 2000)))).batch
      ]);
      /** One backtest of every buffered record, timed end to end. */
      const backtestRun = async () => {
        (globalThis as { gc?: () => void }).gc?.();
        const td = performance.now();
        const batches: RecordBatch[] = [];
        let decoding = pipeline.decode(chunks[0]);
        for (let k = 0; k < chunks.length; k++) {
          const decoded = await decoding;
          if (k + 1 < chunks.length) {
            decoding = pipeline.decode(chunks[k + 1]);
          }
          batches.push((await pipeline.enrich(input, 0, chunks[k], decoded)).batch);
        }
        const prepareSeconds = (performance.now() - td) / 1000;
        const result = await backtest(filter, batches);
        return { result, prepareSeconds, endToEndSeconds: (performance.now() - td) / 1000 };
      };
      // the first run after the warm-up chunk is shown beside the median of all (the later runs
      // reuse memory the first one had to fault in)
      const runs = [];
      for (let r = 0; r < BACKTEST_RUNS; r++) {
        runs.push(await backtestRun());
      }
      const mid = [...runs].sort((a, b) => a.endToEndSeconds - b.endToEndSeconds)[
        Math.floor((runs.length - 1) / 2)
      ];
      console.log(
        `backtest end to end, SQL ${sql} (median of ${BACKTEST_RUNS} runs; ${runs.map(r => r.endToEndSeconds.toFixed(2)).join(', ')} s): ${mid.result.totalAlerts} alerts in ${mid.endToEndSeconds.toFixed(2)} s (decode + cross-match ${mid.prepareSeconds.toFixed(2)} s, filter + routing ${(mid.result.wallMs / 1000).toFixed(2)} s)`
      );
      return { ...mid, runs, sql, lightcurve: decodesLightcurve(columns, false) };
    } finally {
      await filter.close();
      pipeline.close();
    }
  };
  const backtests = [await timeBacktest(SWITCH_SQL), await timeBacktest(STAGE_FEATURE_SQL)];

  const kcatRuns = rounds.flatMap(r => (r.kcat ? [r.kcat] : []));
  const kcatMedian = kcatRuns.length ? medianOf(kcatRuns.map(k => k.alertsPerSec)) : undefined;
  const report = new BenchReport('stage', {
    warmup:
      'each run joins a fresh group; its rate counts from its first committed chunk (join and first fetch excluded, the same for raw pipe and stage); kcat: process start to exit',
    repeats: ROUNDS,
    statistic: `median of ${ROUNDS} alternating rounds (kcat, raw pipe, stage in each); ratios within a round`,
    clock:
      'stage: consumed → committed (transactional produce of the routed alerts and the offsets); raw pipe: the same consumer runtime and transactions forwarding bytes untouched; backtest: decode + cross-match + filter + routing from records in memory, median of 3 runs after a warm-up chunk (the first beside it)',
    input: INPUT_LABEL,
    alerts: N,
    meanAlertBytes: meanBytes,
    partitions: PARTITIONS,
    chunkRows: MAX_ROWS
  });
  const client = transport.client;
  const floorText =
    kcatMedian !== undefined
      ? `; kcat (librdkafka) reading the same topic: ${fmt(kcatMedian)}/s (stage at ${Math.round((stageRate.alertsPerSec / kcatMedian) * 100)} % of it)`
      : '';
  const inputText = `${INPUT_LABEL}, ${kb(meanBytes)} mean, ${fmt(N)} alerts`;
  report.row({
    benchmark: `stage worker (${client}): decode → cross-match (Hipparcos 2″) → SQL switch → transactional produce, ${args.payload} payload; consumed → committed`,
    input: inputText,
    figure: `${fmt(stageRate.alertsPerSec)} alerts/s at ${fmt(stageRate.cpuMicrosPerAlert)} µs CPU/alert (${stageRate.cores} cores); rounds ${rounds.map(r => fmt(r.stage.alertsPerSec)).join(', ')}`,
    peer: `raw transactional consume→produce pipe, same client: ${fmt(pipeRate.alertsPerSec)}/s at ${fmt(pipeRate.cpuMicrosPerAlert)} µs (stage ${Math.round(mid.ratio * 100)} % of it)${floorText}`
  });
  for (const bt of backtests) {
    const decodes = bt.lightcurve
      ? 'the lightcurve and its features too, which it reads'
      : 'no lightcurve, which it does not read';
    report.row({
      benchmark: `backtest end to end from buffered records, SQL ${bt.sql}: decode (as the stage decodes: the canonical columns and the columns its SQL reads; ${decodes}; in chunks of batch.maxRows, where a stage also stops a chunk at 8 MiB) + cross-match + SQL switch + routing`,
      input: inputText,
      figure: `${bt.endToEndSeconds.toFixed(2)} s (${fmt(N / bt.endToEndSeconds)} alerts/s; decode + cross-match${bt.lightcurve ? ' + features' : ''} ${bt.prepareSeconds.toFixed(2)} s, filter + routing ${(bt.result.wallMs / 1000).toFixed(2)} s); median of ${BACKTEST_RUNS} runs after a warm-up chunk, first run ${bt.runs[0].endToEndSeconds.toFixed(2)} s`,
      peer: '—'
    });
  }
  report.write(
    {
      kafkaClient: client,
      workload: `${inputText}; ${PARTITIONS} partitions; one worker, ${PARTITIONS_IN_FLIGHT} partitions in flight; batches of ${MAX_ROWS}; transactional (exactly once) in both runs; decode in ${DECODE_WORKERS} worker thread(s) (on the stage's own thread for alerts over ${INLINE_DECODE_MEAN_BYTES / 1024} KB mean), only the survey columns the SQL reads`,
      kcatFloor: kcatRuns,
      rawPipe: pipeRate,
      stage: {
        ...stageRate,
        out: stats?.out,
        batches: stats?.batches,
        latency: stats?.latency,
        phases: stats?.phases
      },
      stageVsRawPipe: mid.ratio,
      rounds: rounds.map(r => ({
        kcat: r.kcat?.alertsPerSec,
        rawPipe: r.raw.alertsPerSec,
        stage: r.stage.alertsPerSec,
        ratio: r.ratio
      })),
      backtests: backtests.map(bt => ({
        sql: bt.sql,
        lightcurve: bt.lightcurve,
        alerts: bt.result.totalAlerts,
        runs: bt.runs.map(r => r.endToEndSeconds),
        endToEndSeconds: bt.endToEndSeconds,
        decodeAndCrossmatchSeconds: bt.prepareSeconds,
        filterAndRoutingSeconds: bt.result.wallMs / 1000,
        filterSeconds: bt.result.filterMs / 1000,
        outputs: bt.result.outputs.map(o => ({ name: o.name, count: o.count }))
      }))
    },
    OUT
  );
  await admin.deleteTopics([
    input,
    pipeOut,
    ...Object.values(manifest.outputs),
    manifest.deadLetterTopic
  ]);
  await admin.close();
  await transport.close();
  rmSync(storeDir, { recursive: true, force: true });
}

await main();
