/**
 * Regenerates the README's benchmark table from bench/results/*.json: no figure in it is typed by
 * hand. Benchmarks that write `readme` rows (bench/lib/report.ts) give them as they are; a few older
 * result files (clients, handover, lightcurve-lookup, backtest-archive) are read by the adapters
 * below. Each row names its input (with alert size), its peer in the same run, and the run (date,
 * Kafka client where one is used, load average). Replaces the lines between the markers
 * `<!-- bench-table:start -->` and `<!-- bench-table:end -->` in README.md.
 * Run: `node --import tsx bench/readme-table.ts [--check]` (--check: exit 1 when the README differs).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadmeRow } from './lib/report.js';

const ROOT = join(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results');
const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';
/** Table order; files not listed follow alphabetically. */
const ORDER = [
  'decode',
  'crossmatch',
  'bridge',
  'attach',
  'attach-real',
  'stage-realistic',
  'stage-realistic-thin',
  'stage-real',
  'stage-demo',
  'stage-small',
  'latency',
  'latency-stress',
  'promote',
  'promote-small',
  'cone',
  'clients',
  'handover',
  'lightcurve-lookup',
  'backtest-archive'
];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Adapters for result files written before bench/lib/report.ts. */
const LEGACY: Record<string, (d: Json) => ReadmeRow[]> = {
  cone: d =>
    Object.entries((d.alertlab ?? {}) as Record<string, Json>).map(([r, v]) => ({
      benchmark: `cone search over HTTP (keep-alive, one connection), ${r.replace('r', 'r = ').replace('arcsec', '″')}`,
      input: `${String(d.catalog)} (${n(d.catalogRows)} rows), ${n(d.timedQueriesPerRadius)} timed queries after ${JSON.stringify(d.warmupQueries)} warm-up`,
      figure: `p50 ${v.http.p50Ms} ms, p99 ${v.http.p99Ms} ms; in process p50 ${v.inProcess.p50Ms} ms`,
      peer:
        `bare node:http server, same body: p50 ${v.bareHttpFloor.p50Ms} ms` +
        (d.q3c?.[r]
          ? `; Q3C cone (JIT off, prepared${d.q3c[r].planCacheMode ? `, plan_cache_mode ${d.q3c[r].planCacheMode}` : ''}): p50 ${d.q3c[r].p50Ms.toFixed(2)} ms`
          : '')
    })),
  bridge: d => [
    {
      benchmark: 'table Node → Python over the kernel bridge',
      input: `${n(d.rows)} rows (${String(d.columns)}), ${n(d.ipcBytes / 1e6)} MB Arrow IPC`,
      figure: `median ${(d.bridgeSeconds.median * 1000).toFixed(0)} ms (best ${(d.bridgeSeconds.min * 1000).toFixed(0)}) over ${n(d.repeats)} repeats`,
      peer: `raw ZeroMQ, same bytes: median ${(d.rawSeconds.median * 1000).toFixed(0)} ms (bridge at ${Math.round(d.ratioOfRaw * 100)} % of its throughput)`
    }
  ],
  simulate: d => [
    {
      benchmark: 'simulator (demo alerts): plan + encode, produce a visit',
      input: `${n(d.alertsPerVisit)} alerts per visit, ${n(d.visits)} visits`,
      figure: `plan ${n(d.plan.alertsPerSecCpu)} alerts/s CPU; encode ${n(d.encodeLate?.alertsPerSecCpu ?? 0)} alerts/s CPU (late visits)${d.produce ? `; produce a visit: median ${n(d.produce.medianMsPerVisit)} ms` : ''}`,
      peer: "Rubin's visit interval: 39 s"
    }
  ],
  render: d => [
    {
      benchmark: 'JupyterLab widgets in Chromium (SwiftShader): sky map and lightcurve render',
      input: `${n(d.skymap.points)} sky points; ${n(d.lightcurve.points)} lightcurve points`,
      figure: `sky map median ${n(d.skymap.medianMs)} ms (first ${n(d.skymap.firstRunMs)}); lightcurve median ${n(d.lightcurve.medianMs)} ms`,
      peer: `goals ${n(d.skymap.goalMs)} / ${n(d.lightcurve.goalMs)} ms`
    }
  ],
  clients: d => {
    const s = d.summary as Record<
      string,
      Record<string, { alertsPerSec: number; cpuMicrosPerAlert: number }>
    >;
    const line = (c: string) =>
      Object.entries(s[c])
        .map(([k, v]) => `${k} ${n(v.alertsPerSec)}/s at ${n(v.cpuMicrosPerAlert)} µs CPU`)
        .join('; ');
    const [a, b] = Object.keys(s);
    return [
      {
        benchmark: `Kafka clients side by side (${n(d.alerts)} alerts, bench/clients.ts)`,
        input: String(d.workload),
        figure: `${a}: ${line(a)}`,
        peer: b ? `${b}: ${line(b)}` : '—'
      }
    ];
  },
  handover: d => [
    {
      benchmark: 'partition hand-over of a running group (a member joins, then leaves)',
      input: String(d.workload),
      figure: (d.summary as Json[])
        .map(r => `${r.client} ${r.protocol}: join ${n(r.joinMs)} ms, leave ${n(r.leaveMs)} ms`)
        .join('; '),
      peer: 'the cases are each other’s peers'
    }
  ],
  'lightcurve-lookup': d => [
    {
      benchmark: 'lightcurve of one object among the buffered alerts',
      input: String(d.input),
      figure: `median ${n(d.lookup.medianMs)} ms, p90 ${n(d.lookup.p90Ms)} ms, min ${n(d.lookup.minMs)} ms; index built at ${n(d.indexBuild.alertsPerS)} alerts/s`,
      peer: `whole-topic scan: median ${n(d.peerScan.medianS)} s (×${n(d.speedup)})`
    }
  ],
  'backtest-archive': d => [
    {
      benchmark: 'archive backtest in the engine (backtest_request, archive=)',
      input: `${String((d.rows as Json[])[0]?.input ?? '')}, ${n(d.archive.bytes / 1e6)} MB of Parquet`,
      figure: (d.rows as Json[])
        .map(r => `${r.case}: ${r.medianS ?? r.median ?? JSON.stringify(r.seconds)} s`)
        .join('; '),
      peer: '—'
    }
  ]
};

function runOf(d: Json): string {
  const m = (d.machine ?? {}) as Json;
  const raw = m.loadavgStart ?? m.loadavg ?? m.loadAverage1m ?? m.loadavg1 ?? d.loadAverage1m;
  const load = (typeof raw === 'number' ? [raw] : raw) as number[] | undefined;
  const client = d.kafkaClient ? `, ${d.kafkaClient}` : '';
  return `${String(d.date ?? '').slice(0, 10)}${client}, load ${load ? load.map(x => x.toFixed(1)).join('/') : '?'}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * Result files that `make bench` (scripts/bench.sh with no names) writes; rows from any other file
 * (soak, promote-small, ...: benches run by name) go to a second table below the first.
 */
export const MAKE_BENCH_FILES = new Set([
  ...ORDER.filter(f => f !== 'promote-small'),
  'crossmatch-python',
  'simulate',
  'render'
]);

const HEADER = [
  '| benchmark | input (alert size) | figure (median; best beside) | peer in the same run | run |',
  '|---|---|---|---|---|'
];

export function renderTable(dir = RESULTS): string {
  const files = readdirSync(dir)
    // the per-client pass files of bench/clients.ts are summed up in clients.json
    .filter(f => f.endsWith('.json') && !f.startsWith('clients-'))
    .map(f => f.slice(0, -5));
  const rank = (f: string) => (ORDER.includes(f) ? ORDER.indexOf(f) : ORDER.length);
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const [main, other] = [[...HEADER], [...HEADER]];
  for (const f of files) {
    const d = JSON.parse(readFileSync(join(dir, `${f}.json`), 'utf8')) as Json;
    const rows = Array.isArray(d.readme) ? (d.readme as ReadmeRow[]) : (LEGACY[f]?.(d) ?? []);
    for (const r of rows) {
      (MAKE_BENCH_FILES.has(f) ? main : other).push(
        `| ${cell(r.benchmark)} | ${cell(r.input)} | ${cell(r.figure)} | ${cell(r.peer)} | ${cell(`${runOf(d)}; bench/results/${f}.json`)} |`
      );
    }
  }
  const lines = [...main];
  if (other.length > HEADER.length) {
    lines.push(
      '',
      'Not in `make bench` (longer, or run by name: `bash scripts/bench.sh soak`, `promote --input small`):',
      '',
      ...other
    );
  }
  return lines.join('\n');
}

function main(): void {
  const path = join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) {
    console.error(`README.md has no ${START} … ${END} section.`);
    process.exit(2);
  }
  const next = `${readme.slice(0, a + START.length)}\n${renderTable()}\n${readme.slice(b)}`;
  if (process.argv.includes('--check')) {
    process.exit(next === readme ? 0 : 1);
  }
  writeFileSync(path, next);
  console.log('README.md: benchmark table regenerated from bench/results/*.json');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main();
}
