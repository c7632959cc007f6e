/**
 * A broker fault under a running stage: an isolated 3-node local Kafka (its own temp ALERTLAB_HOME,
 * ports 39092.. and 39192..; the shared Kafka at 19092 is never touched), topics with 3 replicas and
 * min.insync.replicas 2, a stage worker (`alertlab stage run`, a child process, SQL switch on
 * alertId) and small Rubin alerts produced with acks=all. Mid-stream the leader of a randomly
 * picked input partition is stopped (controlled shutdown) and started again. The read_committed
 * outputs must hold every alert exactly once, routed as the test computes it, nothing
 * dead-lettered, and the restarted broker must be listed again with every ISR back to 3.
 * Alert count: CLUSTER_FAULT_ALERTS (default 20,000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKafka } from '../sdk/src/buffer/local/index.js';
import { createLogger } from '../sdk/src/buffer/log.js';
import { sendRecords } from '../sdk/src/buffer/produce.js';
import type { AdminClient, KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import {
  expectKeysOnce,
  startHammers,
  startNodeWhenFree,
  waitForFullIsr,
  waitWhileAlive,
  type Hammer
} from './cluster-fault-helpers.js';
import {
  SAMPLES_MISSING_MESSAGE,
  SAMPLES_PRESENT,
  skipWithoutSamples,
  committedTotal,
  headerText,
  randomName,
  readTopic,
  startStageProcess,
  withTempDir
} from './stage-helpers.js';

if (!SAMPLES_PRESENT) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

const ALERTS = Number(process.env.CLUSTER_FAULT_ALERTS ?? 20_000);
const PORT = 39092;
const PARTITIONS = 6;
const CHUNK = 500;
const REPLICATED = { replicationFactor: 3, configs: { 'min.insync.replicas': '2' } };

/** The routing the stage's SQL must give, computed here from the alert id alone. */
const SWITCH_SQL = "CASE WHEN alertId % 5 = 0 THEN 'five' WHEN alertId % 3 = 0 THEN 'three' END";
const expectedOutput = (id: bigint): string =>
  id % 5n === 0n ? 'five' : id % 3n === 0n ? 'three' : 'rest';

/** Log of the test's own Kafka clients, kept in memory (kafkajs errors arrive as info). */
const clientLog: string[] = [];
const memoryLogger = createLogger({
  level: 'info',
  sink: (level, message, fields) => {
    clientLog.push(`${new Date().toISOString()} ${level}: ${message} ${JSON.stringify(fields)}`);
  }
});

const elapsed = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

describe.skipIf(skipWithoutSamples())('3-broker cluster with a broker restarted mid-stream', () => {
  let home: string;
  let kafka: LocalKafka;
  let transport: KafkaTransport;
  let admin: AdminClient;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'alertlab-cluster-fault-'));
    const t0 = Date.now();
    kafka = await LocalKafka.start({ home, nodes: 3, port: PORT, heap: '384m' });
    console.log(`3-node cluster up at ${kafka.bootstrapServers} in ${elapsed(t0)}`);
    transport = createTransport({
      bootstrapServers: kafka.bootstrapServers.split(','),
      logger: memoryLogger
    });
    admin = await transport.admin();
  }, 150_000);

  afterAll(async () => {
    try {
      await admin?.close();
      await transport?.close();
    } finally {
      if (home) {
        await LocalKafka.stop({ home, timeoutMs: 10_000 }); // never leave a JVM behind
        rmSync(home, { recursive: true, force: true });
      }
    }
  }, 60_000);

  it(`${ALERTS} alerts, leader stopped and restarted: each alert out exactly once`, async () => {
    const tStart = Date.now();
    const id = randomName('cluster-fault');
    const input = `${id}-in`;
    const outputs = { five: `${id}-five`, three: `${id}-three`, rest: `${id}-rest` };
    const dlq = `${id}-dlq`;
    await admin.createTopics(
      [input, ...Object.values(outputs), dlq].map(topic => ({
        topic,
        partitions: PARTITIONS,
        ...REPLICATED
      }))
    );
    const [described] = await admin.describeTopics([input]);
    expect(described.partitions.every(p => p.replicas.length === 3 && p.isr.length === 3)).toBe(
      true
    );
    const faulted = described.partitions[Math.floor(Math.random() * PARTITIONS)];
    const victim = faulted.leader;
    const led = described.partitions.filter(p => p.leader === victim).map(p => p.partition);
    console.log(`victim: broker ${victim}, leader of input partitions [${led.join(', ')}]`);

    const small = smallRubinAlerts(0);
    const manifest = {
      id,
      input: { topic: input, format: 'rubin', bootstrapServers: kafka.bootstrapServers },
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
    };

    let stageLog = '';
    let stageLines: Array<Record<string, unknown>> = [];
    let stopMs = 0;
    let rejoinMs = 0;
    let servingAgainAtMs = 0;
    // Group offsets read all along, through the transport (what stages do when a partition
    // restarts) and, on confluent, through the package's own admin, which the transport avoids
    // (confluent/admin.ts): groups whose coordinator is the broker that stops.
    const hammers: Hammer[] = [];
    let hammered: Array<Awaited<ReturnType<Hammer['stop']>> & { mode: string }> = [];
    await withTempDir(async dir => {
      const worker = await startStageProcess(manifest, dir);
      const producer = await transport.producer({ idempotent: true });
      try {
        await waitWhileAlive(
          worker,
          'the stage worker to start',
          async () => worker.lines.some(l => l.type === 'started'),
          60_000
        );
        hammers.push(...(await startHammers(admin, victim, id, kafka.bootstrapServers, input)));
        const tProduce = Date.now();
        let stopping: Promise<void> | undefined;
        let starting: Promise<void> | undefined;
        const chunks = Math.ceil(ALERTS / CHUNK);
        for (let c = 0; c < chunks; c++) {
          if (c === Math.floor(chunks * 0.25)) {
            const t = Date.now();
            stopping = kafka.stopNode(victim).then(outcome => {
              stopMs = Date.now() - t;
              console.log(`broker ${victim} stop: ${outcome} after ${stopMs} ms`);
            });
          }
          if (c === Math.floor(chunks * 0.5)) {
            await stopping; // the rest of this half is written with the broker down
          }
          if (c === Math.floor(chunks * 0.65)) {
            const t = Date.now();
            starting = startNodeWhenFree(kafka, victim).then(() => {
              rejoinMs = Date.now() - t;
              servingAgainAtMs = Date.now();
              console.log(`broker ${victim} serving again after ${rejoinMs} ms`);
            });
          }
          if (c === Math.floor(chunks * 0.8)) {
            await starting; // the last fifth is written with the broker back
          }
          const records = [];
          for (let i = c * CHUNK; i < Math.min(ALERTS, (c + 1) * CHUNK); i++) {
            records.push({ topic: input, value: small.make(i), key: String(i) });
          }
          await sendRecords(producer, records, 900_000); // acks=all, idempotent, no test retry
        }
        await starting;
        console.log(`produced ${ALERTS} alerts (acks=all) in ${elapsed(tProduce)}`);
        await expectKeysOnce(transport, admin, input, ALERTS, clientLog);

        await waitWhileAlive(
          worker,
          `the stage to commit all ${ALERTS} input records`,
          async () => (await committedTotal(admin, id, input)) === BigInt(ALERTS),
          90_000
        ).catch(async (error: unknown) => {
          const stats = worker.lines.filter(l => l.type === 'stats').pop();
          const group = await admin.groupOffsets(id, input);
          const ends = await admin.endOffsets(input);
          console.log(
            `committed ${group.map(o => o.offset).join(',')} of ${ends.map(o => o.high).join(',')}; ` +
              `last stats ${JSON.stringify(stats)}\n${worker.stderr.join('').slice(-4000)}`
          );
          throw error;
        });
        console.log(`stage committed everything ${elapsed(tProduce)} after the first send`);
        hammered = await Promise.all(
          hammers.map(async h => ({ mode: h.mode, ...(await h.stop()) }))
        );
        console.log(`group offsets read through the fault: ${JSON.stringify(hammered)}`);
      } finally {
        hammers.forEach(h => h.child.kill('SIGKILL')); // already stopped unless the test failed
        await producer.close();
        const code = await worker.stop();
        stageLog = worker.stderr.join('');
        stageLines = worker.lines;
        if (code !== 0) {
          console.log(stageLog.slice(-3000));
        }
      }
      expect(stopMs).toBeGreaterThan(0);
      expect(rejoinMs).toBeGreaterThan(0);
    });
    // the transport read offsets through the whole fault and still reads them; the package's own
    // fetchOffsets died of SIGSEGV (librdkafka issue 5040; when a release fixes it, this fails:
    // confluent/admin.ts may then read offsets with the admin API again)
    const viaTransport = hammered.find(h => h.mode === 'transport');
    expect(viaTransport).toMatchObject({ code: 0, signal: null });
    expect(viaTransport?.counts?.lastOkAtMs).toBeGreaterThan(servingAgainAtMs);
    const raw = hammered.find(h => h.mode === 'raw-confluent');
    expect(raw?.signal ?? 'SIGSEGV').toBe('SIGSEGV');

    // The restarted broker is back: listed, and in sync on every partition.
    const tIsr = Date.now();
    const brokers = (await admin.describeCluster()).brokers.map(b => b.nodeId).sort();
    expect(brokers).toEqual([1, 2, 3]);
    await waitForFullIsr(admin, [input, ...Object.values(outputs)], 3, 60_000);
    console.log(`ISR back to 3 on every partition ${elapsed(tIsr)} after the stage finished`);

    const committed = await readTopic(transport, Object.values(outputs), {
      min: ALERTS,
      idleMs: 1500,
      timeoutMs: 60_000
    });
    const byTopic = new Map(Object.entries(outputs).map(([name, topic]) => [topic, name]));
    const seen = new Map<string, number>();
    const where = new Map<string, string[]>();
    let misrouted = 0;
    for (const r of committed) {
      const body = JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as {
        alertId: string;
        output: string;
      };
      seen.set(body.alertId, (seen.get(body.alertId) ?? 0) + 1);
      where.set(body.alertId, [
        ...(where.get(body.alertId) ?? []),
        `${r.topic}/${r.partition}@${r.offset}`
      ]);
      const want = expectedOutput(BigInt(body.alertId));
      if (byTopic.get(r.topic) !== want || body.output !== want) {
        misrouted++;
      }
    }
    let missing = 0;
    for (let i = 0; i < ALERTS; i++) {
      if (!seen.has(small.idOf(i).toString())) {
        missing++;
      }
    }
    const duplicates = [...seen.values()].filter(n => n > 1).length;
    const strangers = seen.size - (ALERTS - missing);
    const total = async (topic: string): Promise<bigint> =>
      (await admin.endOffsets(topic)).reduce((sum, o) => sum + o.high, 0n);
    const inputRecords = await total(input);
    // read_committed: an aborted transaction's dead letters stay in the log but never count
    const letters =
      (await total(dlq)) === 0n
        ? [] // nothing was ever written there, not even aborted records
        : await readTopic(transport, dlq, { min: 0, idleMs: 3000, timeoutMs: 30_000 });
    const deadLetters = letters.length;
    const produceErrors = clientLog.filter(l => l.includes('Failed to send messages')).length;
    const stopped = stageLines.filter(l => l.type === 'stopped' || l.type === 'stats').pop() ?? {};
    console.log(
      `read_committed: ${committed.length} records; total ${elapsed(tStart)} ` +
        `(stop ${stopMs} ms, rejoin ${rejoinMs} ms); the fault as seen by the clients: ` +
        `${produceErrors} failed produce requests retried by the test producer, stage ` +
        `${String(stopped.commits)} commits, ${String(stopped.aborts)} aborts, ` +
        `${stageLog.split('\n').filter(l => /crashed|warn/.test(l)).length} stage warnings`
    );
    const twice = [...where].filter(([, at]) => at.length > 1).slice(0, 10);
    const reasons = letters.slice(0, 5).map(l => headerText(l, 'alertlab-reason'));
    if (twice.length > 0 || deadLetters > 0 || misrouted > 0) {
      console.log(
        `twice (alert: where): ${JSON.stringify(twice)}; dead-letter reasons: ` +
          `${JSON.stringify(reasons)}\nstage log:\n${stageLog.slice(-6000)}\n` +
          `client log:\n${clientLog.join('\n').slice(-6000)}`
      );
    }
    expect({ inputRecords, duplicates, missing, strangers, misrouted, deadLetters }).toEqual({
      inputRecords: BigInt(ALERTS),
      duplicates: 0,
      missing: 0,
      strangers: 0,
      misrouted: 0,
      deadLetters: 0
    });
    expect(committed.length).toBe(ALERTS);
    const perOutput = Object.values(outputs).map(t => committed.filter(r => r.topic === t).length);
    expect(perOutput.every(n => n > 0)).toBe(true);
  }, 150_000);
});
