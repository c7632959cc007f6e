/**
 * Kafka clients side by side, in one run: for each client (confluent = librdkafka, kafkajs,
 * platformatic), the
 * attach benchmark (produce, raw consume, attach; bench/attach.ts) and the stage benchmark (raw
 * transactional consume → produce pipe, then a stage; bench/stage.ts), on real-size alerts: the
 * 7 real Rubin samples with their full histories and no cutouts, replicated with new ids. Clients
 * alternate within each round (the order flips every round) and every pass runs in its own
 * process with ALERTLAB_KAFKA_CLIENT set, so no client's state or warm JIT helps another. Each
 * figure carries process CPU per alert (all threads, so librdkafka's own threads count too).
 * Writes bench/results/clients.json (and the per-run files it reads: clients-<bench>-<client>-r<n>.json).
 *
 * Run: `node --import tsx bench/clients.ts [--alerts 5000] [--rounds 2] [--clients confluent,kafkajs,platformatic]`
 * Needs a local Kafka (`bin/alertlab kafka start`) and the librdkafka build (scripts/setup.sh).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    alerts: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '2' },
    clients: { type: 'string', default: 'confluent,kafkajs,platformatic' }
  }
});
const CLIENTS = args.clients.split(',');
const ROUNDS = Number(args.rounds);
const RESULTS = join(import.meta.dirname, 'results');
const TSX = join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

interface Figure {
  alertsPerSec: number;
  cpuMicrosPerAlert: number;
}
type Row = Record<string, Figure | number | string>;

function run(script: string, argv: string[], env: Record<string, string>): void {
  const r = spawnSync(
    process.execPath,
    ['--import', TSX, join(import.meta.dirname, script), ...argv],
    {
      env: { ...process.env, ...env },
      stdio: 'inherit'
    }
  );
  if (r.status !== 0) {
    throw new Error(`${script} ${argv.join(' ')} (${JSON.stringify(env)}) exited with ${r.status}`);
  }
}

const read = (file: string) =>
  JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) as Record<string, never>;
const fig = (p: { alertsPerSec: number; cpuMicrosPerAlert: number }): Figure => ({
  alertsPerSec: p.alertsPerSec,
  cpuMicrosPerAlert: p.cpuMicrosPerAlert
});

function once(client: string, round: number): Row {
  const env = { ALERTLAB_KAFKA_CLIENT: client };
  const attachOut = `clients-attach-${client}-r${round}.json`;
  run('attach.ts', [], {
    ...env,
    BENCH_INPUT: 'real',
    BENCH_ALERTS: args.alerts,
    BENCH_ROUNDS: '1',
    BENCH_OUT: attachOut
  });
  const stageOut = `clients-stage-${client}-r${round}.json`;
  run(
    'stage.ts',
    ['--input', 'real', '--alerts', args.alerts, '--rounds', '1', '--out', stageOut],
    env
  );
  const a = read(attachOut) as unknown as {
    kafkaClient: string;
    topic: { meanAlertBytes: number };
    produce: { alertsPerSec: number; cpuMicrosPerAlert: number };
    rawConsume: { best: Figure };
    attach: { best: Figure };
  };
  const s = read(stageOut) as unknown as {
    kafkaClient: string;
    workload: string;
    rawPipe: Figure;
    stage: Figure;
  };
  if (a.kafkaClient !== client || s.kafkaClient !== client) {
    throw new Error(`asked for ${client}, ran on ${a.kafkaClient} / ${s.kafkaClient}`);
  }
  return {
    client,
    round,
    attachAlertBytes: a.topic.meanAlertBytes,
    produce: fig(a.produce),
    rawConsume: fig(a.rawConsume.best),
    attach: fig(a.attach.best),
    stageAlertBytes: Number(/\((\d+) B mean/.exec(s.workload)?.[1] ?? 0),
    rawPipe: fig(s.rawPipe),
    stage: fig(s.stage)
  };
}

const rows: Row[] = [];
const load = [loadavg()[0]];
for (let round = 1; round <= ROUNDS; round++) {
  const order = round % 2 === 1 ? CLIENTS : [...CLIENTS].reverse();
  for (const client of order) {
    console.log(`\n=== round ${round}: ${client} ===`);
    rows.push(once(client, round));
  }
}
load.push(loadavg()[0]);

const KEYS = ['produce', 'rawConsume', 'attach', 'rawPipe', 'stage'] as const;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};
const summary = Object.fromEntries(
  CLIENTS.map(client => {
    const mine = rows.filter(r => r.client === client);
    return [
      client,
      Object.fromEntries(
        KEYS.map(k => [
          k,
          {
            alertsPerSec: median(mine.map(r => (r[k] as Figure).alertsPerSec)),
            cpuMicrosPerAlert: median(mine.map(r => (r[k] as Figure).cpuMicrosPerAlert))
          }
        ])
      )
    ];
  })
);
const out = {
  benchmark: 'clients',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverage1m: load },
  alerts: Number(args.alerts),
  workload:
    'real-size Rubin alerts: attach = the 7 real samples replicated with new ids, full histories, no cutouts, Confluent wire format (6 partitions); stage = the same samples re-encoded as lsst.v10 schemaless bodies with full histories, no cutouts (2 partitions, transactional raw pipe and stage: decode, hipparcos cross-match, SQL switch, full payload out)',
  statistic: `median over ${ROUNDS} round(s); clients alternate within a round, order flipped every round`,
  summary,
  rows
};
writeFileSync(join(RESULTS, 'clients.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log('\nclient      pass         alerts/s  CPU µs/alert');
for (const client of CLIENTS) {
  for (const k of KEYS) {
    const f = (summary[client] as Record<string, Figure>)[k];
    console.log(
      `${client.padEnd(11)} ${k.padEnd(12)} ${String(f.alertsPerSec).padStart(8)}  ${String(f.cpuMicrosPerAlert).padStart(12)}`
    );
  }
}
