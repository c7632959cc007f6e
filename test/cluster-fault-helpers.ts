/**
 * Helpers for the cluster fault test: waits that watch the stage worker, ISR, input checks, and
 * children reading group offsets through the fault (test/offset-fetch-hammer.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AdminClient, KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { selectedKafkaClient } from '../sdk/src/buffer/transport.js';
import type { LocalKafka } from '../sdk/src/buffer/local/index.js';
import { PortInUseError } from '../sdk/src/errors.js';
import { readTopic, sleep, type StageProcess } from './stage-helpers.js';
import { waitFor } from './buffer-helpers.js';

/** Polls until `check` is true; fails early (with its stderr) if the stage worker exits. */
export async function waitWhileAlive(
  worker: StageProcess,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(
        `The stage worker exited (${worker.child.exitCode ?? worker.child.signalCode}) while ` +
          `waiting for ${what}:\n${worker.stderr.join('').slice(-3000)}`
      );
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    }
    await sleep(200);
  }
}

/** Polls until every partition of `topics` has `replicas` in-sync replicas. */
export async function waitForFullIsr(
  admin: AdminClient,
  topics: string[],
  replicas: number,
  timeoutMs: number
): Promise<void> {
  const start = Date.now();
  for (;;) {
    const described = await admin.describeTopics(topics).catch(() => []);
    const isr = described.flatMap(t => t.partitions.map(p => p.isr.length));
    if (described.length === topics.length && isr.every(n => n === replicas)) {
      return;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `ISR not back to ${replicas} within ${timeoutMs} ms: ${JSON.stringify(described)}`
      );
    }
    await sleep(250);
  }
}

/**
 * The producer's side: `input` holds each key "0".."count-1" once. Otherwise logs which keys are
 * there twice or missing, and where, with the clients' log, before the assertion fails.
 */
export async function expectKeysOnce(
  transport: KafkaTransport,
  admin: AdminClient,
  input: string,
  count: number,
  clientLog: readonly string[]
): Promise<void> {
  const ends = await admin.endOffsets(input);
  const total = ends.reduce((sum, o) => sum + o.high, 0n);
  if (total === BigInt(count)) {
    return;
  }
  const records = await readTopic(transport, input, {
    min: Number(total),
    readCommitted: false,
    idleMs: 1000
  });
  const where = new Map<string, string[]>();
  for (const r of records) {
    const key = Buffer.from(r.key as Uint8Array).toString();
    where.set(key, [...(where.get(key) ?? []), `p${r.partition}@${r.offset}`]);
  }
  const twice = [...where].filter(([, at]) => at.length > 1);
  const lost = Array.from({ length: count }, (_, i) => String(i)).filter(k => !where.has(k));
  console.log(
    `input holds ${total} records (ends ${ends.map(o => o.high).join(',')}): ` +
      `${twice.length} keys twice, e.g. ${JSON.stringify(twice.slice(0, 40))}; ` +
      `${lost.length} keys missing, e.g. ${lost.slice(0, 20).join(',')}\n` +
      clientLog.join('\n').slice(-12_000)
  );
  expect({ inputRecords: total, twice: twice.length, lost: lost.length }).toEqual({
    inputRecords: BigInt(count),
    twice: 0,
    lost: 0
  });
}

export interface Hammer {
  mode: string;
  child: ChildProcess;
  /** SIGTERM, then how it ended: its exit (a signal if it crashed) and its counts. */
  stop(): Promise<{ code: number | null; signal: string | null; counts: HammerCounts | null }>;
  output(): string;
}

export interface HammerCounts {
  rounds: number;
  calls: number;
  errors: number;
  /** When a round last read every group's offsets (epoch ms). */
  lastOkAtMs: number;
  lastError: string;
}

/** Starts test/offset-fetch-hammer.ts: the offsets of `groups` on `topic`, read over and over. */
export function startHammer(
  mode: 'transport' | 'raw-confluent',
  bootstrapServers: string,
  topic: string,
  groups: string[]
): Hammer {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/offset-fetch-hammer.ts',
      mode,
      bootstrapServers,
      topic,
      groups.join(',')
    ],
    { cwd: join(import.meta.dirname, '..'), stdio: ['pipe', 'pipe', 'pipe'] }
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>(resolve =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  );
  return {
    mode,
    child,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      const end = await exited;
      child.stdin?.end();
      const line = out.split('\n').find(l => l.startsWith('{'));
      return { ...end, counts: line ? (JSON.parse(line) as HammerCounts) : null };
    }
  };
}

/**
 * `count` group ids (`<prefix>-g<n>`) whose coordinator is `broker`: the leader of the
 * __consumer_offsets partition Kafka maps the id to (abs of Java's String.hashCode, modulo the
 * partition count). A fresh cluster makes that topic when a group is first used.
 */
export async function groupsCoordinatedBy(
  admin: AdminClient,
  broker: number,
  prefix: string,
  count: number
): Promise<string[]> {
  let leaders: number[] = [];
  await waitFor(async () => {
    // made by the broker on the first group's use; listed a moment later
    const described = await admin.describeTopics(['__consumer_offsets']).catch(() => []);
    leaders = described[0]?.partitions.map(p => p.leader) ?? [];
    return leaders.length > 0;
  }, 60_000);
  const partitionOf = (id: string): number => {
    let h = 0;
    for (let i = 0; i < id.length; i++) {
      h = (Math.imul(31, h) + id.charCodeAt(i)) | 0;
    }
    return (h === -2147483648 ? 0 : Math.abs(h)) % leaders.length;
  };
  const out: string[] = [];
  for (let n = 0; out.length < count && n < 10_000; n++) {
    if (leaders[partitionOf(`${prefix}-g${n}`)] === broker) {
      out.push(`${prefix}-g${n}`);
    }
  }
  return out;
}

/**
 * The children for groups coordinated by `victim`: through the transport, and on confluent through
 * the package's own admin too.
 */
export async function startHammers(
  admin: AdminClient,
  victim: number,
  prefix: string,
  bootstrapServers: string,
  topic: string
): Promise<Hammer[]> {
  const groups = await groupsCoordinatedBy(admin, victim, prefix, 3);
  const modes = ['transport', 'raw-confluent'] as const;
  return modes
    .filter(mode => mode === 'transport' || selectedKafkaClient() === 'confluent')
    .map(mode => startHammer(mode, bootstrapServers, topic, groups));
}

/**
 * Starts a stopped broker again; while its port is held, waits and tries again (up to a minute).
 * A client reconnecting to the stopped broker can be given that very port as its own (Linux
 * picks it from the ephemeral range, 32768–60999, which holds 39092..): the socket then
 * connects to itself and holds the port until the client gives up on it.
 */
export async function startNodeWhenFree(kafka: LocalKafka, nodeId: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      await kafka.startNode(nodeId);
      return;
    } catch (error) {
      if (!(error instanceof PortInUseError) || Date.now() - start > 60_000) {
        throw error;
      }
      console.log(`broker ${nodeId}: ${error.message.split('.')[0]}; trying again`);
      await sleep(2_000);
    }
  }
}
