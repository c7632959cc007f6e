/**
 * Soak: stages of every kind (SQL yes/no, SQL switch, cross-match, TypeScript and Python filters in
 * their sandboxes, aggregate windows, watchlist), each a worker process deployed by a controller,
 * read the simulator's feed at --rate alerts/s for --minutes; every 10 s the RSS of each worker's
 * process tree, the controller and the simulator are sampled. Writes bench/results/soak.json with
 * the protocol, load averages, the samples and the least-squares RSS slope (MB/hour) of every
 * stage after the warm-up, and the rates achieved. Not in the default bench list (30 minutes):
 *   bash scripts/bench.sh soak        (or: node --import tsx bench/soak.ts --minutes 30 --rate 2000)
 * Needs a local Kafka (`bin/alertlab kafka start`) and the .venv (Python filter).
 */
import { parseArgs } from 'node:util';
import { resolveBootstrapServers } from '../sdk/src/buffer/bootstrap.js';
import { BenchReport, fmt } from './lib/report.js';
import { runSoak } from './lib/soak-rig.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '2000' },
    'warmup-minutes': { type: 'string', default: '5' },
    'visit-interval-s': { type: 'string', default: '5' },
    out: { type: 'string', default: 'soak.json' },
    stages: { type: 'string' }
  }
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const warmupS = Number(args['warmup-minutes']) * 60;
const visitIntervalS = Number(args['visit-interval-s']);

const report = new BenchReport('soak', {
  warmup: `${warmupS} s after the stages are deployed (samples before it are not in the slope)`,
  repeats: 1,
  statistic:
    'least-squares slope of VmRSS (worker + its descendants) against time, after warm-up, MB/hour',
  clock: 'wall clock from the last deployment; RSS from /proc/<pid>/status every 10 s',
  command: `bash scripts/bench.sh "soak --minutes ${minutes} --rate ${rate}"`,
  input: `alertlab simulate: ${rate * visitIntervalS} alerts per visit every ${visitIntervalS} s (target ${rate}/s), lsst.v10 Avro without cutouts (~450 B), 2 partitions`,
  stages:
    'sql-yesno, sql-switch, crossmatch (hipparcos 5″ + SQL), typescript (sandbox), python (sandbox), aggregate (60 s windows, 30 s hop, by band over mag), watch (20,000-source watchlist); one worker each',
  controller: 'in the bench process (its RSS includes the sampler)'
});

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => stop.abort());
}
const result = await runSoak({
  signal: stop.signal,
  ratePerSecond: rate,
  visitIntervalS,
  durationS: minutes * 60,
  ...(args.stages ? { stages: args.stages.split(',') } : {}),
  warmupS,
  bootstrapServers: (await resolveBootstrapServers('local')).join(','),
  log: line => console.log(`[soak] ${line}`)
});
const mbh = (x: number | null) => (x === null ? '—' : fmt(x, 1));
for (const s of result.stages) {
  const last = s.samples[s.samples.length - 1];
  console.log(
    `[soak] ${s.kind}: slope ${mbh(s.slopeMbPerHour)} MB/h after warm-up, ${fmt(last.treeRssMb)} MB at the end, ${fmt(s.recordsPerSecond)} records/s`
  );
}
report.row({
  benchmark: `soak, ${fmt(result.durationS / 60)} min: RSS slope of each stage after ${fmt(warmupS / 60)} min warm-up (MB/hour)`,
  input: `simulator feed, ${fmt(result.producedPerSecond)} alerts/s produced (target ${fmt(rate)}); load ${result.load
    .map(l => l.loadavg[0])
    .reduce((a, b) => Math.max(a, b), 0)
    .toFixed(1)} at most`,
  figure: result.stages.map(s => `${s.kind} ${mbh(s.slopeMbPerHour)}`).join(', '),
  peer: `controller ${mbh(result.controller.slopeMbPerHour)}`
});
report.write({ ...result }, args.out);
process.exit(0);
