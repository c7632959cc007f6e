/**
 * Alert decode benchmark: Rubin and ZTF alerts decoded to Arrow per second on one core (CPU time
 * of this process), with and without cutouts, against fastavro decoding the same bytes to Python
 * dicts in the same run. Run:
 * `node --import tsx bench/decode.ts [--alerts 20000] [--batch 1000] [--warmup 10]`.
 * Warm-up batches are not timed: V8 compiles the generated reader (a Rubin reader keeps ~270
 * flattened columns: about a second of optimising-compiler CPU on a background thread, which
 * counts in this process's CPU time) during the first few batches. Writes bench/results/decode.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDecoder,
  loadRubinSchema,
  splitOcfRecords,
  type AlertDecoder
} from '../sdk/src/alerts/index.js';
import {
  PROJECT_ROOT,
  SAMPLE_FILES,
  oracleBench,
  oracleRubinBodies,
  readSample,
  samplesMissing
} from '../sdk/src/alerts/testing/samples.js';

const { values: args } = parseArgs({
  options: {
    alerts: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '10' }
  }
});
const TOTAL = Number(args.alerts);
const BATCH = Number(args.batch);
const WARMUP = Number(args.warmup);
const GOAL_RUBIN_PER_CORE = 20_000;
const SHORT_HISTORY = 30;

interface Run {
  alerts: number;
  batchSize: number;
  warmupBatches: number;
  cpuSeconds: number;
  wallSeconds: number;
  alertsPerSecCpu: number;
  alertsPerSecWall: number;
  inputMBPerSecCpu: number;
  lightcurvePointsPerSecCpu: number;
  rejects: number;
}

function run(
  decoder: AlertDecoder,
  pool: Uint8Array[],
  includeCutouts: boolean,
  release = false
): Run {
  const batch = Array.from({ length: BATCH }, (_, i) => pool[i % pool.length]);
  for (let i = 0; i < WARMUP; i++) {
    const res = decoder.decodeBatch(batch, { includeCutouts }); // warm-up: compile and optimise
    if (release) {
      res.release?.();
    }
  }
  let alerts = 0;
  let bytes = 0;
  let points = 0;
  let rejects = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  while (alerts < TOTAL) {
    const res = decoder.decodeBatch(batch, { includeCutouts });
    alerts += res.batch.numRows;
    rejects += res.rejects.length;
    points += res.batch.getChild('lightcurve')!.data[0].children[0].length;
    bytes += batch.reduce((n, b) => n + b.length, 0);
    if (release) {
      res.release?.(); // this loop drops each batch: its lightcurve buffers serve the next one
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const wallSeconds = (performance.now() - wall0) / 1e3;
  return {
    alerts,
    batchSize: BATCH,
    warmupBatches: WARMUP,
    cpuSeconds,
    wallSeconds,
    alertsPerSecCpu: Math.round(alerts / cpuSeconds),
    alertsPerSecWall: Math.round(alerts / wallSeconds),
    inputMBPerSecCpu: Math.round(bytes / 1e6 / cpuSeconds),
    lightcurvePointsPerSecCpu: Math.round(points / cpuSeconds),
    rejects
  };
}

function fastavro(
  dir: string,
  name: string,
  pool: Uint8Array[],
  schemaText: string,
  alerts: number
) {
  const bodies = join(dir, `${name}.bin`);
  const schema = join(dir, `${name}.avsc`);
  const chunks: Uint8Array[] = [];
  for (const b of pool) {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length, true);
    chunks.push(len, b);
  }
  writeFileSync(bodies, Buffer.concat(chunks));
  writeFileSync(schema, schemaText);
  const repeat = Math.max(1, Math.ceil(alerts / pool.length));
  return oracleBench(bodies, schema, repeat);
}

function main(): void {
  const missing = samplesMissing();
  if (missing) {
    console.error(`decode benchmark needs the real samples: ${missing}`);
    process.exit(2);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'alertlab-bench-'));
  try {
    const rubinBodies = oracleRubinBodies();
    const rubin = createDecoder('rubin');
    const rubinNoCut = run(rubin, rubinBodies, false);
    const rubinCut = run(rubin, rubinBodies, true);
    const rubinReleased = run(createDecoder('rubin'), rubinBodies, false, true);
    // what a stage whose filter reads no survey column decodes: canonical columns + lightcurve
    const rubinCanonical = run(createDecoder('rubin', { columns: [] }), rubinBodies, false);
    const rubinFast = fastavro(tmp, 'rubin', rubinBodies, loadRubinSchema().text, 280);
    // Not real alerts: the same 7 with history cut to its last 30 rows, to show how the rate
    // scales with lightcurve length (the real ones carry ~700 history rows each).
    const shortBodies = oracleRubinBodies(SAMPLE_FILES.rubin, SHORT_HISTORY);
    const rubinShort = run(createDecoder('rubin'), shortBodies, false);

    const ztfSplit = splitOcfRecords(readSample(SAMPLE_FILES.ztf));
    const ztf = createDecoder('ztf', { ztfSchema: ztfSplit.schema });
    const ztfNoCut = run(ztf, ztfSplit.records, false);
    const ztfCut = run(ztf, ztfSplit.records, true);
    const ztfFast = fastavro(tmp, 'ztf', ztfSplit.records, ztfSplit.schema, 3000);
    const ztfPerMessageOcf = run(
      createDecoder('ztf'),
      SAMPLE_FILES.ztfSingles.map(readSample),
      false
    );

    const result = {
      benchmark: 'decode',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        node: process.version,
        loadavg: loadavg()
      },
      note:
        'alertsPerSecCpu = alerts / CPU seconds of this process (one core). fastavro decodes the same bytes to Python dicts (no Arrow), CPU time. ' +
        'Rubin input: the 7 real alerts re-encoded by fastavro as lsst.v10_0 schemaless bodies (~700 history rows each); ZTF: the 31 real alerts as schemaless bodies, and the 4 single-alert container files (schema in every message).',
      rubin: {
        alertBytesMean: Math.round(
          rubinBodies.reduce((n, b) => n + b.length, 0) / rubinBodies.length
        ),
        withoutCutouts: rubinNoCut,
        withCutouts: rubinCut,
        withoutCutoutsReleased: {
          note: 'each batch released (DecodeResult.release) before the next: the decoder writes the next lightcurve over its buffers instead of fresh memory',
          ...rubinReleased
        },
        canonicalColumnsOnly: {
          note: 'decoder option columns: [] — canonical columns and the lightcurve, survey columns skipped (what a stage decodes for a filter that reads no survey column)',
          withoutCutouts: rubinCanonical
        },
        fastavro: rubinFast,
        speedupVsFastavro: +(rubinNoCut.alertsPerSecCpu / rubinFast.alertsPerSec).toFixed(1),
        syntheticShortHistory: {
          note: `the 7 real alerts with prvDiaSources/prvDiaForcedSources cut to their last ${SHORT_HISTORY} rows (not real alerts)`,
          alertBytesMean: Math.round(
            shortBodies.reduce((n, b) => n + b.length, 0) / shortBodies.length
          ),
          withoutCutouts: rubinShort
        },
        goalAlertsPerSecPerCore: GOAL_RUBIN_PER_CORE,
        goalMet: rubinNoCut.alertsPerSecCpu >= GOAL_RUBIN_PER_CORE,
        goalMetWithRelease: rubinReleased.alertsPerSecCpu >= GOAL_RUBIN_PER_CORE
      },
      ztf: {
        withoutCutouts: ztfNoCut,
        withCutouts: ztfCut,
        containerPerMessage: ztfPerMessageOcf,
        fastavro: ztfFast,
        speedupVsFastavro: +(ztfNoCut.alertsPerSecCpu / ztfFast.alertsPerSec).toFixed(1)
      }
    };
    mkdirSync(join(PROJECT_ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(PROJECT_ROOT, 'bench/results/decode.json'),
      `${JSON.stringify(result, null, 2)}\n`
    );
    const line = (label: string, r: Run): string =>
      `${label.padEnd(34)} ${String(r.alertsPerSecCpu).padStart(7)} alerts/s/core  (${r.inputMBPerSecCpu} MB/s, ${r.lightcurvePointsPerSecCpu} lc points/s)`;
    console.log(line('rubin lsst.v10 body, no cutouts', rubinNoCut));
    console.log(line('rubin lsst.v10 body, with cutouts', rubinCut));
    console.log(line('rubin, no cutouts, batches released', rubinReleased));
    console.log(line('rubin, canonical columns only', rubinCanonical));
    console.log(
      `${'rubin fastavro (dicts)'.padEnd(34)} ${String(Math.round(rubinFast.alertsPerSec)).padStart(7)} alerts/s/core  → alertlab ×${result.rubin.speedupVsFastavro}`
    );
    console.log(line(`rubin, history cut to ${SHORT_HISTORY} (synthetic)`, rubinShort));
    console.log(line('ztf body, no cutouts', ztfNoCut));
    console.log(line('ztf body, with cutouts', ztfCut));
    console.log(line('ztf container per message', ztfPerMessageOcf));
    console.log(
      `${'ztf fastavro (dicts)'.padEnd(34)} ${String(Math.round(ztfFast.alertsPerSec)).padStart(7)} alerts/s/core  → alertlab ×${result.ztf.speedupVsFastavro}`
    );
    console.log(
      `goal ≥ ${GOAL_RUBIN_PER_CORE} Rubin alerts/s/core without cutouts: ${result.rubin.goalMet ? 'met' : 'NOT met'}`
    );
    console.log('wrote bench/results/decode.json');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();
