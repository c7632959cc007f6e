/**
 * Simulator benchmark: plan and encode rates of Rubin alerts (CPU time of this process and wall
 * time), early in a run (little history) and late (histories of many visits), and the time to
 * produce one visit of alerts to the real broker (idempotent producer, requests of ≤ 4 MiB),
 * against Rubin's visit interval of ~39 s.
 * Run: `node --import tsx bench/simulate.ts [--visits 40] [--alerts-per-visit 10000] [--no-kafka]`.
 * Writes bench/results/simulate.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { withBuffer } from '../sdk/src/buffer/index.js';
import { AlertSimulator, type VisitPlan } from '../sdk/src/simulate/index.js';

const { values: args } = parseArgs({
  options: {
    visits: { type: 'string', default: '40' },
    'alerts-per-visit': { type: 'string', default: '10000' },
    'no-kafka': { type: 'boolean', default: false },
    bootstrap: { type: 'string' }
  }
});
const VISITS = Number(args.visits);
const PER_VISIT = Number(args['alerts-per-visit']);
const VISIT_INTERVAL_S = 39;

function timed<T>(fn: () => T): { value: T; cpuMs: number; wallMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, cpuMs: (c.user + c.system) / 1000, wallMs };
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

const created = timed(() => 0);
const t0 = performance.now();
const sim = await AlertSimulator.create({ seed: 1, alertsPerVisit: PER_VISIT });
created.wallMs = performance.now() - t0;

const plans: VisitPlan[] = [];
let planCpu = 0;
let planWall = 0;
for (let v = 0; v < VISITS; v++) {
  const p = timed(() => sim.planNext());
  plans.push(p.value);
  planCpu += p.cpuMs;
  planWall += p.wallMs;
}

const SAMPLE = Math.min(6, VISITS);
const early = plans.slice(0, SAMPLE);
const late = plans.slice(-SAMPLE);

/** Encodes the visits three times; the first pass warms the JIT and is not counted. */
function encodeRate(sample: VisitPlan[]): Record<string, number> {
  let cpu = 0;
  let wall = 0;
  let bytes = 0;
  let encoded = 0;
  let largest = 0;
  for (let pass = 0; pass < 3; pass++) {
    for (const plan of sample) {
      const e = timed(() => sim.encode(plan));
      if (pass > 0) {
        cpu += e.cpuMs;
        wall += e.wallMs;
        encoded += e.value.length;
        for (const b of e.value) {
          bytes += b.length;
          largest = Math.max(largest, b.length);
        }
      }
    }
  }
  const points = sample.reduce(
    (s, p) =>
      s +
      p.alerts.reduce(
        (t, a) =>
          t +
          ((a.alert.prvDiaSources as unknown[] | null)?.length ?? 0) +
          ((a.alert.prvDiaForcedSources as unknown[] | null)?.length ?? 0),
        0
      ),
    0
  );
  return {
    visits: sample.length,
    alertsPerSecCpu: Math.round((encoded / cpu) * 1000),
    alertsPerSecWall: Math.round((encoded / wall) * 1000),
    msPerVisitCpu: round((cpu / encoded) * PER_VISIT),
    mbPerSecCpu: round(bytes / 1e6 / (cpu / 1000)),
    bytesPerAlert: Math.round(bytes / encoded),
    largestAlertBytes: largest,
    historyPointsPerAlert: round(points / (sample.length * PER_VISIT), 3)
  };
}
const alerts = VISITS * PER_VISIT;

const result: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg1: round(loadavg()[0], 2) },
  alertsPerVisit: PER_VISIT,
  visits: VISITS,
  catalogsAndFieldsWallMs: round(created.wallMs, 0),
  plan: {
    alertsPerSecCpu: Math.round((alerts / planCpu) * 1000),
    alertsPerSecWall: Math.round((alerts / planWall) * 1000),
    msPerVisitCpu: round(planCpu / VISITS)
  },
  encodeEarly: encodeRate(early),
  encodeLate: encodeRate(late)
};

if (!args['no-kafka']) {
  const topic = `bench-simulate-${randomBytes(4).toString('hex')}`;
  result.produce = await withBuffer(
    async client => {
      await client.createTopics([{ topic, partitions: 1 }]);
      const producer = await client.producer();
      const perVisit: number[] = [];
      try {
        for (const plan of late) {
          const records = sim.records(plan, topic);
          const t = performance.now();
          let chunk: typeof records = [];
          let size = 0;
          for (const r of records) {
            if (chunk.length > 0 && size + (r.value?.length ?? 0) > 4 * 1024 * 1024) {
              await producer.send(chunk);
              chunk = [];
              size = 0;
            }
            chunk.push(r);
            size += r.value?.length ?? 0;
          }
          await producer.send(chunk);
          perVisit.push(performance.now() - t);
        }
      } finally {
        await client.deleteTopics([topic]).catch(() => undefined);
      }
      const sorted = [...perVisit].sort((a, b) => a - b);
      return {
        bootstrapServers: client.bootstrapServers,
        msPerVisit: perVisit.map(x => round(x, 0)),
        medianMsPerVisit: round(sorted[Math.floor(sorted.length / 2)], 0),
        fractionOfVisitInterval: round(
          sorted[Math.floor(sorted.length / 2)] / (VISIT_INTERVAL_S * 1000),
          3
        )
      };
    },
    { bootstrapServers: args.bootstrap }
  );
}

mkdirSync(join('bench', 'results'), { recursive: true });
writeFileSync(join('bench', 'results', 'simulate.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
