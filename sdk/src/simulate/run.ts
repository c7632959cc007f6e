/**
 * Runs a simulation against Kafka at visit cadence: each visit is planned, encoded and produced
 * (idempotent producer, requests of at most 4 MiB), then the loop waits for the next visit's
 * start. Visit v starts at start + v·visitIntervalS; a visit that runs late starts the next one at
 * once. Stops after `visits` visits or when `signal` aborts (between visits).
 */
import { withBuffer, type BootstrapSetting, type ProduceRecord } from '../buffer/index.js';
import type { ClassCounts } from './options.js';
import type { VisitPlan } from './plan.js';
import { AlertSimulator, type SimulatorCreateOptions } from './simulator.js';

export interface RunSimulationOptions extends SimulatorCreateOptions {
  /** Topic the alerts go to (created when missing). @default 'alerts-rubin' */
  topic?: string;
  /** Partitions of the topic when it is created. @default 1 */
  partitions?: number;
  /** `'local'` or `host:port,...`. @default process.env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local' */
  bootstrapServers?: BootstrapSetting;
  /** Visits to run. @default Infinity (until `signal` aborts) */
  visits?: number;
  /** Seconds from one visit's start to the next (Rubin: ~39 s). 0 = as fast as possible. @default 39 */
  visitIntervalS?: number;
  /** Stops the run between visits. @default undefined */
  signal?: AbortSignal;
  /** Called after each visit is produced. @default undefined */
  onVisit?: (report: VisitReport) => void;
}

export interface VisitReport {
  visit: number;
  visitId: bigint;
  field: number;
  raDeg: number;
  decDeg: number;
  band: string;
  mjd: number;
  counts: ClassCounts;
  alerts: number;
  bytes: number;
  planMs: number;
  encodeMs: number;
  produceMs: number;
}

export interface RunSummary {
  topic: string;
  visits: number;
  alerts: number;
  bytes: number;
  counts: ClassCounts;
  reports: VisitReport[];
}

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function sendChunked(
  send: (records: ProduceRecord[]) => Promise<unknown>,
  records: ProduceRecord[]
): Promise<void> {
  let chunk: ProduceRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.value?.length ?? 0;
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      await send(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) {
    await send(chunk);
  }
}

function report(plan: VisitPlan, values: Uint8Array[], ms: number[]): VisitReport {
  return {
    visit: plan.visit,
    visitId: plan.visitId,
    field: plan.field.index,
    raDeg: plan.field.raDeg,
    decDeg: plan.field.decDeg,
    band: plan.band,
    mjd: plan.mjd,
    counts: plan.counts,
    alerts: values.length,
    bytes: values.reduce((s, v) => s + v.length, 0),
    planMs: ms[0],
    encodeMs: ms[1],
    produceMs: ms[2]
  };
}

/** Produces simulated visits to Kafka at cadence; resolves with a summary when done. */
export async function runSimulation(options: RunSimulationOptions = {}): Promise<RunSummary> {
  const topic = options.topic ?? 'alerts-rubin';
  const visits = options.visits ?? Infinity;
  const intervalMs = (options.visitIntervalS ?? 39) * 1000;
  const sim = await AlertSimulator.create(options);
  const summary: RunSummary = {
    topic,
    visits: 0,
    alerts: 0,
    bytes: 0,
    counts: { variable: 0, transient: 0, moving: 0, bogus: 0 },
    reports: []
  };
  try {
    await withBuffer(
      async client => {
        await client.createTopics([{ topic, partitions: options.partitions ?? 1 }]);
        const producer = await client.producer();
        const start = performance.now();
        for (let v = 0; v < visits && !options.signal?.aborted; v++) {
          await sleep(start + v * intervalMs - performance.now(), options.signal);
          if (options.signal?.aborted) {
            break;
          }
          const t0 = performance.now();
          const plan = sim.planNext();
          const t1 = performance.now();
          const values = sim.encode(plan);
          const t2 = performance.now();
          await sendChunked(r => producer.send(r), sim.records(plan, topic, values));
          const t3 = performance.now();
          const r = report(plan, values, [t1 - t0, t2 - t1, t3 - t2]);
          summary.visits++;
          summary.alerts += r.alerts;
          summary.bytes += r.bytes;
          for (const k of Object.keys(r.counts) as (keyof ClassCounts)[]) {
            summary.counts[k] += r.counts[k];
          }
          summary.reports.push(r);
          options.onVisit?.(r);
        }
      },
      { bootstrapServers: options.bootstrapServers, clientId: 'alertlab-simulate' }
    );
  } finally {
    await sim.close();
  }
  return summary;
}
