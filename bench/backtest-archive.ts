/**
 * Archive backtest: a simulated night of archived alerts (Parquet written by the archive stage's
 * own ParquetWriter, `night=YYYY-MM-DD/*.parquet`) backtested through the engine's
 * `backtest_request` (bridge client → engine → archive reader → stage chunks → filter), SQL and
 * Python filters, medians of `--repeats` runs after one warm-up each. Goal: 10 M alerts through a
 * SQL filter in ≤ 60 s on this machine.
 *
 * The archive is generated once into `--cache` (outside the repository) and reused: synthetic
 * alerts in the canonical layout (sdk/src/filter/synthetic.ts: alertId, objectId, survey, ra, mjd,
 * band, mag, isMovingObject, lightcurve of 0–12 points), alert ids distinct, exposures spread over
 * one 10 h night; `--file-rows` alerts per file.
 *
 *     node --import tsx bench/backtest-archive.ts [--alerts 10000000] [--file-rows 100000]
 *          [--repeats 3] [--cache ~/.cache/alertlab/bench-archive] [--no-python]
 * Writes bench/results/backtest-archive.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Float64, Int64, makeData, type RecordBatch } from 'apache-arrow';
import { BridgeClient } from '../kernel-bridge/src/client.js';
import { BridgeEngine } from '../kernel-bridge/src/engine.js';
import { syntheticAlerts } from '../sdk/src/filter/synthetic.js';
import { nightOf } from '../sdk/src/stage/archive-stage.js';
import { appendColumns } from '../sdk/src/stage/match-columns.js';
import { ParquetWriter } from '../sdk/src/stage/parquet-writer.js';

const { values: args } = parseArgs({
  options: {
    alerts: { type: 'string', default: '10000000' },
    'file-rows': { type: 'string', default: '100000' },
    repeats: { type: 'string', default: '3' },
    cache: { type: 'string', default: join(homedir(), '.cache', 'alertlab', 'bench-archive') },
    'no-python': { type: 'boolean', default: false }
  }
});
const ALERTS = Number(args.alerts);
const FILE_ROWS = Number(args['file-rows']);
const REPEATS = Number(args.repeats);
const NIGHT_START_MJD = 61_000.55; // 13:12 UTC: inside one Rubin day_obs
const NIGHT_DAYS = 10 / 24;
const COLUMNS =
  'alertId int64, objectId utf8, survey utf8, ra f64, mjd f64, band utf8, mag f64, isMovingObject bool, lightcurve list<struct<mjd, band, mag, isDetection>> (0-12 points, mean 6)';

/** One file's alerts: synthetic rows, ids and exposure times replaced to be distinct over the night. */
function fileBatch(file: number, rows: number): RecordBatch {
  const { batch } = syntheticAlerts(rows, file + 1);
  const ids = new BigInt64Array(rows);
  const mjd = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const global = file * FILE_ROWS + i;
    ids[i] = (1n << 60n) | BigInt(global);
    mjd[i] = NIGHT_START_MJD + (global / ALERTS) * NIGHT_DAYS;
  }
  const keep = batch.schema.fields
    .map((f, i) => i)
    .filter(i => !['alertId', 'mjd'].includes(batch.schema.fields[i].name));
  return appendColumns(batch.selectAt(keep), [
    {
      name: 'alertId',
      data: makeData({ type: new Int64(), length: rows, data: ids }),
      nullable: false
    },
    {
      name: 'mjd',
      data: makeData({ type: new Float64(), length: rows, data: mjd }),
      nullable: false
    }
  ]);
}

async function ensureArchive(
  dir: string
): Promise<{ files: number; bytes: number; generateS?: number }> {
  const done = join(dir, 'COMPLETE');
  if (!existsSync(done)) {
    const t0 = performance.now();
    await rm(dir, { recursive: true, force: true });
    const night = join(dir, `night=${nightOf(NIGHT_START_MJD, 'night')}`);
    await mkdir(night, { recursive: true });
    const writer = await ParquetWriter.create();
    try {
      const files = Math.ceil(ALERTS / FILE_ROWS);
      for (let f = 0; f < files; f++) {
        const rows = Math.min(FILE_ROWS, ALERTS - f * FILE_ROWS);
        const batch = fileBatch(f, rows);
        const first = String(f * FILE_ROWS).padStart(20, '0');
        const last = String(f * FILE_ROWS + rows - 1).padStart(20, '0');
        const path = join(night, `bench-p0-${first}-${last}.parquet`);
        await writer.write(
          batch,
          [Int32Array.from({ length: rows }, (_v, i) => i)],
          [`${path}.tmp`]
        );
        await rename(`${path}.tmp`, path);
        if (f % 10 === 9) {
          console.error(`[bench] wrote ${f + 1}/${files} files`);
        }
      }
    } finally {
      writer.close();
    }
    await writeFile(done, `${ALERTS}\n`);
    const generateS = (performance.now() - t0) / 1000;
    return { ...(await sizeOf(dir)), generateS };
  }
  return sizeOf(dir);
}

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const n of await readdir(dir)) {
    if (!n.startsWith('night=')) {
      continue;
    }
    for (const f of await readdir(join(dir, n))) {
      files++;
      bytes += (await stat(join(dir, n, f))).size;
    }
  }
  return { files, bytes };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Case {
  name: string;
  filter: Record<string, unknown>;
  reads: string;
}

async function main(): Promise<void> {
  const dir = `${args.cache}-${ALERTS}-${FILE_ROWS}`;
  const archive = await ensureArchive(dir);
  const pyFile = join(dir, 'bench_filter.py');
  await writeFile(
    pyFile,
    [
      'import alertlab',
      'import pyarrow.compute as pc',
      '',
      '@alertlab.filter(kind="yesno", columns=["survey", "mag"])',
      'def bright_rubin(batch):',
      '    return pc.fill_null(pc.and_(pc.equal(batch["survey"], "rubin"), pc.less(batch["mag"], 20.5)), False)',
      ''
    ].join('\n')
  );
  const cases: Case[] = [
    {
      name: 'sql yesno on flat columns',
      filter: { language: 'sql', kind: 'yesno', source: "survey = 'rubin' AND mag < 20.5" },
      reads: 'survey, mag (+ alertId, mjd); no lightcurve'
    },
    {
      name: 'sql yesno on a lightcurve feature',
      filter: { language: 'sql', kind: 'yesno', source: 'ndet >= 5 AND mag < 20.5' },
      reads: 'mag, lightcurve -> ndet (+ alertId, mjd)'
    },
    ...(args['no-python']
      ? []
      : [
          {
            name: 'python yesno (pyarrow) on flat columns',
            filter: {
              language: 'python',
              kind: 'yesno',
              path: `${pyFile}:bright_rubin`,
              timeoutMs: 60_000
            },
            reads: 'survey, mag (declared columns; + alertId, mjd)'
          }
        ])
  ];
  const engine = await BridgeEngine.create({ connectionFile: null });
  const client = new BridgeClient(engine.info);
  const rows: Record<string, unknown>[] = [];
  try {
    for (const c of cases) {
      const secs: number[] = [];
      let last: Record<string, unknown> = {};
      for (let r = 0; r <= REPEATS; r++) {
        const t0 = performance.now();
        const reply = await client.request(
          'backtest_request',
          { filter: c.filter, archive: dir, keep_rows: 0 },
          { timeoutMs: 900_000 }
        );
        const s = (performance.now() - t0) / 1000;
        last = reply.content;
        if (r > 0) {
          secs.push(s); // r = 0 is the warm-up
        }
        console.error(`[bench] ${c.name}: ${s.toFixed(1)} s (${r === 0 ? 'warm-up' : `run ${r}`})`);
      }
      const out = (last.outputs as { count: number }[])[0];
      const med = median(secs);
      rows.push({
        case: c.name,
        input: `${ALERTS} archived alerts, one night, ${archive.files} Parquet files of ${FILE_ROWS} alerts (${(archive.bytes / 1e9).toFixed(2)} GB); columns: ${COLUMNS}`,
        reads: c.reads,
        alerts: last.total_alerts,
        passed: out.count,
        medianS: Number(med.toFixed(2)),
        runsS: secs.map(s => Number(s.toFixed(2))),
        alertsPerS: Math.round(ALERTS / med),
        filterS: Number((Number(last.filter_ms) / 1000).toFixed(2)),
        goalS: 60
      });
    }
  } finally {
    await client.close();
    await engine.close();
  }
  const result = {
    bench: 'backtest-archive',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
    archive: { dir, ...archive },
    repeats: REPEATS,
    statistic: 'median of repeats after one warm-up',
    rows
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(
    join(import.meta.dirname, 'results', 'backtest-archive.json'),
    JSON.stringify(result, null, 2) + '\n'
  );
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
