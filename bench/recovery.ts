/**
 * Recovery benchmark: the network-fault run of test/netfault-exactly-once.test.ts at full size.
 * Three brokers and three stage workers on their own network-namespace hosts (test/netfault-
 * hosts.ts), small Rubin alerts (a bad record every 1,000) through one SQL switch stage, and the
 * four faults of issue 19 applied in turn mid-stream: a worker host cut off and healed; +200 ms
 * round trip and 10 Mbit/s on one worker; the brokers split 2/1 with workers on both sides, healed;
 * a broker host lost for good. Per fault: recovery time (heal, or the end of the hold when nothing
 * heals, → every record written before it committed), the longest commit stall, the time until all
 * three workers are in the group again; then the exactly-once verdict over the whole run.
 * Run as root (network namespaces): `node --import tsx bench/recovery.ts [--alerts 100000]
 * [--partitions 6] [--out recovery.json]`. Needs Toxiproxy (`bash scripts/setup-toxiproxy.sh`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allFaults } from '../test/netfault-faults.js';
import { netLabUnavailable } from '../test/netfault-hosts.js';
import { NetfaultRig } from '../test/netfault-rig.js';
import { bigintJson, runScenario } from '../test/netfault-scenario.js';

const { values: args } = parseArgs({
  options: {
    alerts: { type: 'string', default: '100000' },
    partitions: { type: 'string', default: '6' },
    out: { type: 'string', default: 'recovery.json' }
  }
});

const unavailable = netLabUnavailable();
if (unavailable) {
  console.error(`bench/recovery: ${unavailable}`);
  process.exit(2);
}
const alerts = Number(args.alerts);
const partitions = Number(args.partitions);
const tStart = Date.now();
const rig = await NetfaultRig.start();
const startMs = Date.now() - tStart;
console.log(`[recovery] 3 brokers on lab hosts serving after ${startMs} ms`);
const faults = allFaults();
const perFault = Math.floor(alerts / faults.length);
const runs: Record<string, unknown>[] = [];
try {
  for (const fault of faults) {
    const t0 = Date.now();
    try {
      const result = await runScenario(
        rig,
        { alerts: perFault, partitions, chunk: 1000, recoveryTimeoutMs: 300_000 },
        [fault],
        line => console.log(`[recovery] ${line}`)
      );
      runs.push({ fault: fault.name, ok: true, ...result });
    } catch (error) {
      runs.push({ fault: fault.name, ok: false, error: String(error), ms: Date.now() - t0 });
      await rig.undoFaults();
    }
    console.log(`[recovery] ${JSON.stringify(runs[runs.length - 1], bigintJson)}`);
  }
  const report = {
    bench: 'recovery',
    when: new Date().toISOString(),
    machine: { cores: cpus().length, loadavg: loadavg() },
    input: `${alerts} small Rubin alerts in all (${perFault} per fault; lsst.v10 bodies from the 7 real samples, no cutouts, short history), 1 bad record in 1,000`,
    layout:
      '3 KRaft nodes (rf 3, min.insync 2, replica.lag.time.max.ms 10000) and 3 workers (session 6 s) on their own network namespaces; w3 through Toxiproxy; one fresh stage per fault',
    clusterStartMs: startMs,
    runs
  };
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const out = join(import.meta.dirname, 'results', args.out);
  writeFileSync(out, JSON.stringify(report, bigintJson, 2) + '\n');
  console.log(`[recovery] wrote ${out}`);
} finally {
  await rig.close();
}
