/**
 * Alert decode benchmark: Rubin and ZTF alerts decoded to Arrow per CPU second of this process,
 * against fastavro decoding the same bytes to dicts, same protocol for both (bench/decode_fastavro.py).
 *
 * Inputs: (a) realistic Rubin lsst.v10 packets from the simulator's realistic mode — every alert
 * distinct and never decoded twice (a fresh batch per timed batch, made outside the clock), real
 * histories (10–600 prvDiaSources) and three FITS cutouts; (b) the 7 real Rubin samples (repeated,
 * labelled so: a decoder may learn their layouts); ZTF: the 31 real alerts (repeated).
 * Protocol: the process first decodes PROCESS_WARMUP realistic alerts with a decoder of its own,
 * untimed: the heap and the C allocator's memory grow to their working size, so a series' figure
 * does not depend on its place in the run (the first series measured came out ~15–20 % lower).
 * Then per series a warm-up of WARMUP alerts (not timed: a fresh decoder learns the layouts of
 * the history rows after its first batch, and V8 compiles the new readers during the next ones;
 * with one batch of warm-up the repeats still rose 11.9k → 16.9k → 20.3k) and REPEATS repeats of
 * TIMED alerts each; the headline is the median repeat (alerts / CPU seconds), best beside it,
 * and the rate of a fresh decoder's first batch (cold) beside them.
 * Two decodes, named so in the JSON: `full` (every column of the schema, lightcurve included) and
 * `stageProjected` (what bench/stage.ts's worker decodes: the canonical columns, the lightcurve and
 * only the survey columns its SQL reads — the columns decodedColumns gives the stage; the rest is
 * skipped structurally, cutouts as byte spans without a copy). Beside them `stageAsRun`: that
 * decode as the stage now runs it, without the lightcurve when its SQL reads neither the
 * lightcurve nor a feature (decodesLightcurve; the history arrays skipped unread).
 * Run: `node --import tsx bench/decode.ts [--batch 1000] [--timed 5000] [--repeats 3]
 * [--warmup 3000] [--process-warmup 3000] [--peer-alerts 300]`. Writes bench/results/decode.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDecoder,
  loadRubinSchema,
  splitOcfRecords,
  type AlertDecoder
} from '../sdk/src/alerts/index.js';
import {
  SAMPLE_FILES,
  oracleRubinBodies,
  readSample,
  samplesMissing
} from '../sdk/src/alerts/testing/samples.js';
import { RealisticAlerts } from '../sdk/src/simulate/index.js';
import { parseStageManifest } from '../sdk/src/stage/manifest.js';
import { decodesLightcurve } from '../sdk/src/stage/decoded-columns.js';
import { decodedColumns } from '../sdk/src/stage/runner.js';
import { createStageFilter } from '../sdk/src/stage/stage-filter.js';
import { fastavroPeer } from './lib/fastavro-peer.js';
import { BenchReport, fmt, kb, median } from './lib/report.js';
import { STAGE_OUTPUTS, STAGE_SWITCH_SQL } from './lib/stage-sql.js';

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '1000' },
    timed: { type: 'string', default: '5000' },
    repeats: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3000' },
    'process-warmup': { type: 'string', default: '3000' },
    'peer-alerts': { type: 'string', default: '300' }
  }
});
const BATCH = Number(args.batch);
const TIMED = Number(args.timed);
const REPEATS = Number(args.repeats);
const WARMUP = Number(args.warmup);
const PROCESS_WARMUP = Number(args['process-warmup']);
const PEER_ALERTS = Number(args['peer-alerts']);
const GOAL_RUBIN_PER_CORE = 20_000;

interface Series {
  /** Alerts / CPU second of the first warm-up batch (a fresh decoder: compiles, learns, V8 warms up). */
  firstBatchAlertsPerSecCpu: number;
  alertsPerRepeat: number;
  alertsPerSecCpu: number[];
  median: number;
  best: number;
  meanBytes: number;
}

type Source = (n: number) => Uint8Array[];

/** Runs the protocol: warm-up, then REPEATS × TIMED alerts from `next`, CPU time of decode only. */
function measure(
  decoder: AlertDecoder,
  next: Source,
  includeCutouts: boolean,
  release = false
): Series {
  let bytes = 0;
  let count = 0;
  const decode = (values: Uint8Array[]): number => {
    const c0 = process.cpuUsage();
    const res = decoder.decodeBatch(values, { includeCutouts });
    const rows = res.batch.numRows;
    if (release) {
      res.release?.();
    }
    const c = process.cpuUsage(c0);
    if (res.rejects.length > 0) {
      throw new Error(`decode rejected ${res.rejects.length} alerts: ${res.rejects[0].reason}`);
    }
    return rows > 0 ? (c.user + c.system) / 1e6 : 0;
  };
  let first = 0;
  for (let done = 0; done < WARMUP; done += BATCH) {
    const n = Math.min(BATCH, WARMUP - done);
    const cpu = decode(next(n));
    first ||= cpu > 0 ? Math.round(n / cpu) : 0; // 0: every alert rejected
  }
  const rates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    let cpu = 0;
    for (let done = 0; done < TIMED; done += BATCH) {
      const values = next(Math.min(BATCH, TIMED - done)); // made outside the clock
      for (const v of values) {
        bytes += v.length;
      }
      count += values.length;
      cpu += decode(values);
    }
    rates.push(Math.round(TIMED / cpu));
  }
  return {
    firstBatchAlertsPerSecCpu: first,
    alertsPerRepeat: TIMED,
    alertsPerSecCpu: rates,
    median: median(rates),
    best: Math.max(...rates),
    meanBytes: Math.round(bytes / count)
  };
}

/** The same values cycled (for the repeated real samples). */
function cycling(pool: Uint8Array[]): Source {
  let i = 0;
  return n => Array.from({ length: n }, () => pool[i++ % pool.length]);
}

/** The survey columns bench/stage.ts's worker decodes (its SQL's, as the stage computes them). */
async function stageColumns(): Promise<readonly string[]> {
  const manifest = parseStageManifest({
    id: 'bench-decode-projection',
    input: { topic: 'bench-decode-projection', format: 'rubin' },
    filter: {
      language: 'sql',
      kind: 'switch',
      outputs: STAGE_OUTPUTS,
      defaultOutput: 'other',
      source: STAGE_SWITCH_SQL
    },
    outputs: Object.fromEntries(STAGE_OUTPUTS.map(n => [n, `bench-decode-${n}`])),
    deadLetterTopic: 'bench-decode-dlq'
  });
  const filter = await createStageFilter(manifest.filter!, manifest.id);
  try {
    const columns = decodedColumns(manifest, filter);
    if (columns === undefined) {
      throw new Error('the stage SQL reads the whole batch: no projected decode to measure');
    }
    return columns;
  } finally {
    await filter.close();
  }
}

async function main(): Promise<void> {
  const missing = samplesMissing();
  if (missing) {
    console.error(`decode benchmark needs the real samples: ${missing}`);
    process.exit(2);
  }
  const report = new BenchReport('decode', {
    warmup: `${WARMUP} alerts decoded untimed before the first repeat of each series (fastavro: a tenth of its alerts); before the first series, ${PROCESS_WARMUP} realistic alerts decoded untimed by a decoder of their own (process warm-up)`,
    repeats: REPEATS,
    statistic: 'median repeat (alerts / CPU seconds of the decoding process), best beside it',
    clock:
      'CPU time of decodeBatch only; realistic alerts are made outside the clock, a fresh batch for every timed batch (no alert decoded twice)',
    batchSize: BATCH,
    alertsPerRepeat: TIMED,
    peer: `fastavro schemaless_reader to dicts (no Arrow), ${PEER_ALERTS} distinct realistic alerts per repeat, CPU time, bench/decode_fastavro.py`
  });
  const tmp = mkdtempSync(join(tmpdir(), 'alertlab-bench-decode-'));
  try {
    const gen = RealisticAlerts.create({ seed: 11 });
    const fresh: Source = n => gen.nextBatch(n).values;
    const projection = await stageColumns();
    const warm = createDecoder('rubin');
    for (let done = 0; done < PROCESS_WARMUP; done += BATCH) {
      warm.decodeBatch(fresh(Math.min(BATCH, PROCESS_WARMUP - done)));
    }
    const noCut = measure(createDecoder('rubin'), fresh, false);
    const projected = measure(createDecoder('rubin', { columns: projection }), fresh, false);
    const lightcurve = decodesLightcurve(projection, false);
    const asRun = measure(
      createDecoder('rubin', { columns: projection, lightcurve }),
      fresh,
      false
    );
    const withCut = measure(createDecoder('rubin'), fresh, true);
    const released = measure(createDecoder('rubin'), fresh, false, true);
    const canonical = measure(createDecoder('rubin', { columns: [] }), fresh, false);
    const peerBodies = RealisticAlerts.create({ seed: 12 }).nextBatch(
      PEER_ALERTS + Math.round(PEER_ALERTS / 9)
    ).values;
    const peerMean = Math.round(peerBodies.reduce((n, b) => n + b.length, 0) / peerBodies.length);
    const rubinFast = fastavroPeer(tmp, 'rubin', peerBodies, loadRubinSchema().text, REPEATS);

    const real = oracleRubinBodies();
    const realNoCut = measure(createDecoder('rubin'), cycling(real), false);

    const ztf = splitOcfRecords(readSample(SAMPLE_FILES.ztf));
    const ztfNoCut = measure(
      createDecoder('ztf', { ztfSchema: ztf.schema }),
      cycling(ztf.records),
      false
    );
    const ztfFast = fastavroPeer(tmp, 'ztf', ztf.records, ztf.schema, REPEATS);

    const speedup = +(noCut.median / rubinFast.median).toFixed(0);
    const rate = (s: Series) =>
      `${fmt(s.median)} alerts/s per core (best ${fmt(s.best)}; a fresh decoder's first ${fmt(BATCH)}: ${fmt(s.firstBatchAlertsPerSecCpu)})`;
    const realistic = `realistic Rubin lsst.v10 (simulator, every alert distinct, never decoded twice), ${kb(noCut.meanBytes)} mean with 3 cutouts`;
    report.row({
      benchmark:
        "decode Rubin → Arrow, the stage's projected decode (canonical columns, lightcurve, the columns its SQL reads; cutouts skipped)",
      input: realistic,
      figure: `${rate(projected)}; survey columns: ${projection.join(', ') || 'none'}`,
      peer: '—'
    });
    report.row({
      benchmark: `decode Rubin → Arrow as the stage runs it: the projected decode${lightcurve ? '' : ' without the lightcurve (its SQL reads neither it nor a feature: history arrays skipped unread)'}`,
      input: realistic,
      figure: rate(asRun),
      peer: '—'
    });
    report.row({
      benchmark: 'decode Rubin → Arrow, full (every column), cutouts skipped',
      input: realistic,
      figure: `${rate(noCut)}; each batch released: ${fmt(released.median)}; canonical columns only: ${fmt(canonical.median)}`,
      peer: `fastavro (dicts, ${kb(peerMean)} mean, same alerts' kind): ${fmt(rubinFast.median)}/s → ×${speedup}`
    });
    report.row({
      benchmark: 'decode Rubin → Arrow, full (every column), cutouts kept',
      input: realistic,
      figure: rate(withCut),
      peer: '—'
    });
    report.row({
      benchmark: 'decode Rubin → Arrow, cutouts skipped',
      input: `the 7 real Rubin samples, ${kb(realNoCut.meanBytes)} mean, cycled (repeated packets)`,
      figure: rate(realNoCut),
      peer: '—'
    });
    report.row({
      benchmark: 'decode ZTF → Arrow, cutouts skipped',
      input: `the 31 real ZTF alerts, ${kb(ztfNoCut.meanBytes)} mean, cycled (repeated packets)`,
      figure: rate(ztfNoCut),
      peer: `fastavro: ${fmt(ztfFast.median)}/s → ×${(ztfNoCut.median / ztfFast.median).toFixed(0)}`
    });
    report.write({
      rubin: {
        realistic: {
          /** every column, cutouts skipped (the headline full decode) */
          full: noCut,
          /** what the stage bench's worker decodes */
          stageProjected: { surveyColumns: projection, ...projected },
          /** the same as the stage runs it (lightcurve left out when nothing reads it) */
          stageAsRun: { surveyColumns: projection, lightcurve, ...asRun },
          withoutCutouts: noCut,
          withCutouts: withCut,
          released,
          canonicalColumnsOnly: canonical
        },
        fastavro: { ...rubinFast, meanBytes: peerMean },
        speedupVsFastavroMedian: speedup,
        realSamplesRepeated: realNoCut,
        goalAlertsPerSecPerCore: GOAL_RUBIN_PER_CORE,
        goalMet: noCut.median >= GOAL_RUBIN_PER_CORE,
        stageProjectedGoalMet: projected.median >= GOAL_RUBIN_PER_CORE
      },
      ztf: { realRepeated: ztfNoCut, fastavro: ztfFast }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
