/**
 * The network-fault rig and its scenario: 3 brokers (b1..b3) and 3 stage workers (w1, w2 on direct
 * links; w3 through Toxiproxy) on their own lab hosts, one SQL switch stage (rf 3, min.insync 2),
 * small Rubin alerts with a bad record every 1,000, and a list of faults applied one after another
 * mid-stream. Per fault: half a segment is written, the fault injected, the other half written
 * under it, the fault held `holdMs` and healed; the recovery time is from the heal (from the end
 * of the hold when nothing heals) until the group has committed every input record written before.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sendRecords } from '../sdk/src/buffer/produce.js';
import type { ProduceRecord, ProducerClient } from '../sdk/src/buffer/transport-types.js';
import { selectedKafkaClient } from '../sdk/src/buffer/transport.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import {
  LabWorker,
  ProgressWatch,
  endSum,
  sleep,
  within,
  type Observer
} from './netfault-helpers.js';
import { WORKERS, type NetfaultRig } from './netfault-rig.js';
import { verifyStage, type Verdict } from './netfault-verify.js';

const SWITCH_SQL = "CASE WHEN alertId % 5 = 0 THEN 'five' WHEN alertId % 3 = 0 THEN 'three' END";
const REPLICATED = { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } };
export const isBad = (i: number): boolean => i % 1000 === 999;
export const badValue = (i: number): Buffer => Buffer.from(`not an alert #${i}`);

/** A fault: what it does, and how it is undone (none: permanent). */
export interface Fault {
  name: string;
  inject(rig: NetfaultRig): Promise<void>;
  heal?: (rig: NetfaultRig) => Promise<void>;
  /** How long the fault lasts before `heal`. @default 20_000 */
  holdMs?: number;
}

/** What one fault did to the stage. */
export interface FaultResult {
  fault: string;
  /** Heal (or the end of a permanent fault's hold) → every record written before it committed. */
  recoveryMs: number;
  /** Longest time, from injection to recovery, with input waiting and no commit: the outage. */
  longestStallMs: number;
  /** Heal (or fault) → all three workers in one stable group again. */
  rejoinMs: number;
  recordsBefore: bigint;
}

export interface ScenarioResult {
  alerts: number;
  partitions: number;
  faults: FaultResult[];
  verdict: Verdict;
  totalMs: number;
  workerRestarts: Record<string, number>;
  /** Chunks the test's producer sent again after a send hung (see sendPersistently). */
  producerResends: number;
  /** The Kafka client the stage workers ran on (the default, or ALERTLAB_KAFKA_CLIENT). */
  workerClient: string;
  observerClient: string;
}

async function membersOf(obs: Observer, group: string): Promise<number> {
  const [g] = (await obs.call(a => a.describeGroups([group]))) ?? [];
  return g?.state === 'Stable' ? g.members.length : 0;
}

/**
 * Sends `records` (acks=all, idempotent); a send stuck for 20 s (a connection into a partitioned
 * or lost host that never answers) is given up: a fresh producer sends the chunk again. The input
 * may then hold a record twice, which the verdict reads back and expects twice.
 */
async function sendPersistently(
  holder: { producer: ProducerClient; resends: number },
  open: () => Promise<ProducerClient>,
  records: ProduceRecord[]
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await within(
      sendRecords(holder.producer, records).then(
        () => true,
        () => false
      ),
      20_000
    );
    if (r?.value === true) {
      return;
    }
    holder.resends++;
    void holder.producer.close().catch(() => undefined);
    holder.producer = await open();
  }
  throw new Error(`could not produce ${records.length} records in 5 attempts`);
}

/** Runs `alerts` alerts through a fresh stage while applying `faults` in turn. */
export async function runScenario(
  rig: NetfaultRig,
  options: { alerts: number; partitions: number; chunk?: number; recoveryTimeoutMs?: number },
  faults: Fault[],
  log: (line: string) => void = console.log
): Promise<ScenarioResult> {
  const t0 = Date.now();
  const id = `netfault-${Math.random().toString(36).slice(2, 8)}`;
  const input = `${id}-in`;
  const outputs = { five: `${id}-five`, three: `${id}-three`, rest: `${id}-rest` };
  const dlq = `${id}-dlq`;
  await rig.obs.admin.createTopics(
    [input, ...Object.values(outputs), dlq].map(topic => ({
      topic,
      partitions: options.partitions,
      ...REPLICATED
    }))
  );
  const manifest = (bootstrap: string): Record<string, unknown> => ({
    id,
    input: { topic: input, format: 'rubin', bootstrapServers: bootstrap },
    filter: {
      language: 'sql',
      kind: 'switch',
      outputs: ['five', 'three', 'rest'],
      defaultOutput: 'rest',
      source: SWITCH_SQL
    },
    outputs,
    payload: 'thin',
    thinColumns: ['alertId'],
    deadLetterTopic: dlq,
    batch: { maxRows: 1000, maxWaitMs: 200 },
    consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }
  });
  const c = rig.cluster;
  const logDir = join(import.meta.dirname, '..', 'test-artifacts', 'netfault', id);
  mkdirSync(logDir, { recursive: true });
  const trace = (line: string): void =>
    appendFileSync(join(logDir, 'trace.log'), `${new Date().toISOString()} ${line}\n`);
  const say = (line: string): void => {
    trace(line);
    log(line);
  };
  const workers = WORKERS.map(w =>
    LabWorker.start(
      rig.lab,
      w,
      rig.dir,
      manifest(w === 'w3' ? c.proxiedBootstrap : c.bootstrap),
      logDir
    )
  );
  const watch = new ProgressWatch(rig.obs, id, input);
  const tracer = setInterval(() => {
    void rig.obs
      .call(a => a.describeGroups([id]), 1900)
      .then(groups => {
        const g = groups?.[0];
        trace(
          `group ${g?.state ?? '(no answer)'}: ${(g?.members ?? [])
            .map(m => `${m.clientHost} ${JSON.stringify(m.assignment[input] ?? [])}`)
            .join('; ')} committed ${watch.last}`
        );
      });
  }, 2000);
  const small = smallRubinAlerts(0);
  const openProducer = (): Promise<ProducerClient> => rig.transport.producer({ idempotent: true });
  const sender = { producer: await openProducer(), resends: 0 };
  const chunk = options.chunk ?? 500;
  let next = 0;
  const produceUpTo = async (end: number): Promise<void> => {
    for (; next < end; next += chunk) {
      const records = [];
      for (let i = next; i < Math.min(end, next + chunk); i++) {
        const value = isBad(i) ? badValue(i) : small.make(i);
        records.push({ topic: input, key: String(i), value });
      }
      await sendPersistently(sender, openProducer, records);
    }
    next = Math.min(next, end);
  };
  const results: FaultResult[] = [];
  try {
    const tStart = Date.now();
    while ((await membersOf(rig.obs, id)) < WORKERS.length) {
      const dead = workers.find(w => w.restarts > 2);
      if (dead || Date.now() - tStart > 90_000) {
        throw new Error(`workers did not all join: ${workers.map(w => w.log(1500)).join('\n')}`);
      }
      await sleep(250);
    }
    say(`3 workers in group ${id} after ${Date.now() - tStart} ms`);
    const segment = Math.floor(options.alerts / (faults.length + 1));
    for (const [k, fault] of faults.entries()) {
      await produceUpTo(k * segment + Math.floor(segment / 2));
      const tFault = Date.now();
      watch.resetStall();
      await fault.inject(rig);
      say(`${fault.name}: injected after ${next} alerts`);
      await produceUpTo((k + 1) * segment);
      await sleep(Math.max(0, (fault.holdMs ?? 20_000) - (Date.now() - tFault)));
      if (fault.heal) {
        await fault.heal(rig);
        say(`${fault.name}: healed`);
      }
      const mark = Date.now(); // the heal, or the end of a permanent fault's hold
      const target = await endNow(rig.obs, input);
      const recoveryMs = await watch.waitFor(target, mark, options.recoveryTimeoutMs ?? 120_000);
      let members = await membersOf(rig.obs, id);
      while (members < WORKERS.length && Date.now() - mark < 90_000) {
        await sleep(250);
        members = await membersOf(rig.obs, id);
      }
      const rejoinMs = Date.now() - mark;
      if (members < WORKERS.length) {
        throw new Error(`${fault.name}: only ${members} workers in the group 90 s after`);
      }
      results.push({
        fault: fault.name,
        recoveryMs: Math.max(0, recoveryMs),
        longestStallMs: watch.longestStallMs,
        rejoinMs,
        recordsBefore: target
      });
      say(`${fault.name}: ${JSON.stringify(results[results.length - 1], bigintJson)}`);
    }
    await produceUpTo(options.alerts);
    const total = await endNow(rig.obs, input);
    await watch.waitFor(total, Date.now(), options.recoveryTimeoutMs ?? 120_000);
    const verdict = await verifyStage(rig.transport, rig.obs, { input, outputs, dlq });
    return {
      alerts: options.alerts,
      partitions: options.partitions,
      faults: results,
      verdict,
      totalMs: Date.now() - t0,
      workerRestarts: Object.fromEntries(workers.map(w => [w.host, w.restarts])),
      producerResends: sender.resends,
      workerClient: selectedKafkaClient(),
      observerClient: rig.transport.client
    };
  } catch (error) {
    say(`failed: ${String(error)}; worker logs in ${logDir}`);
    log(workers.map(w => `--- ${w.host}:\n${w.log(3000)}`).join('\n'));
    throw error;
  } finally {
    clearInterval(tracer);
    watch.close();
    await within(
      sender.producer.close().catch(() => undefined),
      10_000
    );
    await Promise.all(workers.map(w => w.stop()));
  }
}

/** The input's end offsets now (asked until the observer answers). */
async function endNow(obs: Observer, topic: string): Promise<bigint> {
  for (let i = 0; i < 30; i++) {
    const end = await endSum(obs, topic);
    if (end !== undefined) {
      return end;
    }
  }
  throw new Error(`no end offsets for ${topic}: the observer gets no answer`);
}

export const bigintJson = (_k: string, v: unknown): unknown =>
  typeof v === 'bigint' ? v.toString() : v;
