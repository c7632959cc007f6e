/** Helpers for the stage integration tests: sample records, reading topics, stage workers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { missingData, skipWithoutData } from '../sdk/src/alerts/testing/samples.js';
import { readAlertFile, sendRecords } from '../sdk/src/buffer/produce.js';
import type { AdminClient, KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import { stageRouteOf } from '../sdk/src/stage/route-header.js';
import { StageRunner } from '../sdk/src/stage/runner.js';
import type { StageStats } from '../sdk/src/stage/stats.js';
import {
  DATA_DIR,
  RUBIN_FILE,
  ZTF_FILE,
  ZTF_SINGLE,
  bootstrapServers,
  quietLogger,
  randomName,
  sleep,
  waitFor,
  type Received
} from './buffer-helpers.js';

export {
  bootstrapServers,
  quietLogger,
  randomName,
  sleep,
  waitFor,
  withTopics,
  withTransport
} from './buffer-helpers.js';
export type { Received } from './buffer-helpers.js';

/** Why the stage tests on real alerts cannot run here, or undefined when they can. */
export const SAMPLES_MISSING = missingData([RUBIN_FILE, ZTF_FILE, ...ZTF_SINGLE]);
export const SAMPLES_PRESENT = SAMPLES_MISSING === undefined;
export const SAMPLES_MISSING_MESSAGE = `stage tests on real alerts skipped: the sample folder ${join(DATA_DIR, 'alerts')} is missing (see /work/shared/data/README.md)`;
/** For `describe.skipIf(...)`: skips without the samples, fails under CI (see skipWithoutData). */
export function skipWithoutSamples(): boolean {
  return skipWithoutData(SAMPLES_MISSING);
}
export const PYTHON = join(import.meta.dirname, '..', '.venv', 'bin', 'python');
export const FILTERS_DIR = join(
  import.meta.dirname,
  '..',
  'sdk',
  'src',
  'stage',
  'testing',
  'filters'
);
const ALERTLAB = join(import.meta.dirname, '..', 'bin', 'alertlab');

/** The real sample alerts, one Kafka value per alert (Rubin bodies, ZTF one-record containers). */
export async function sampleValues(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const f of [RUBIN_FILE, ZTF_FILE, ...ZTF_SINGLE]) {
    out.push(...(await readAlertFile(f)).values);
  }
  return out;
}

/** Sends values in requests of `chunk` records (partition by key hash, or round robin). */
export async function produceValues(
  transport: KafkaTransport,
  topic: string,
  values: Uint8Array[],
  options: { chunk?: number; key?: (i: number) => string } = {}
): Promise<void> {
  const producer = await transport.producer({ idempotent: true });
  try {
    const chunk = options.chunk ?? 2000;
    for (let i = 0; i < values.length; i += chunk) {
      const records = values.slice(i, i + chunk).map((value, j) => ({
        topic,
        value,
        key: options.key ? options.key(i + j) : null
      }));
      await sendRecords(producer, records, 900_000);
    }
  } finally {
    await producer.close();
  }
}

/**
 * Reads a topic from the beginning (read_committed unless told) until at least `min` records came
 * and none arrived for `idleMs` — so duplicates beyond `min` would be seen too.
 */
export async function readTopic(
  transport: KafkaTransport,
  topic: string | string[],
  options: { min: number; idleMs?: number; timeoutMs?: number; readCommitted?: boolean }
): Promise<TopicRecord[]> {
  const consumer = await transport.consumer({
    groupId: randomName('stage-reader'),
    readCommitted: options.readCommitted ?? true,
    maxWaitTimeMs: 100
  });
  const got: TopicRecord[] = [];
  // A reader's group can rejoin (a coordinator moves, a slow machine misses a heartbeat) and fetch
  // again from its last auto-commit: a record seen twice at the same offset is one record.
  const seen = new Set<string>();
  let lastAt = Date.now();
  try {
    await consumer.subscribe(Array.isArray(topic) ? topic : [topic], { fromBeginning: true });
    await consumer.run(async batch => {
      for (const r of batch.records) {
        const at = `${batch.topic}/${batch.partition}/${r.offset}`;
        if (!seen.has(at)) {
          seen.add(at);
          got.push({ ...r, partition: batch.partition, topic: batch.topic });
        }
      }
      batch.resolveOffset(batch.records[batch.records.length - 1].offset);
      lastAt = Date.now();
    });
    lastAt = Date.now(); // idle counts from the group join, not from before it
    const start = Date.now();
    const idleMs = options.idleMs ?? 1500;
    while (Date.now() - start < (options.timeoutMs ?? 60_000)) {
      if (got.length >= options.min && Date.now() - lastAt > idleMs) {
        break;
      }
      await sleep(100);
    }
    return got;
  } finally {
    await consumer.close();
  }
}

export type TopicRecord = Received & { topic: string };

const text = (v: unknown): string =>
  v === undefined ? '' : typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString();

/** Alert ids a stage output record carries (in its alertlab-route header). */
export function alertIdsOf(records: Received[]): string[] {
  return records.flatMap(r => stageRouteOf(r.headers)?.alertIds ?? []);
}

export function headerText(r: Received, name: string): string {
  return text(r.headers[name]);
}

/** A temp folder removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'alertlab-stage-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A `alertlab stage run` child process; its JSON lines are parsed as they come. */
export interface StageProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: string[];
  /** SIGKILL, and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (clean stop), and wait for the exit. */
  stop(): Promise<number | null>;
}

export async function startStageProcess(
  manifest: Record<string, unknown>,
  dir: string
): Promise<StageProcess> {
  const path = join(dir, `${String(manifest.id)}-${randomName('m')}.json`);
  await writeFile(path, JSON.stringify(manifest, null, 2));
  const child = spawn(ALERTLAB, ['stage', 'run', path, '--stats-interval-ms', '500'], {
    env: { ...process.env, ALERTLAB_BOOTSTRAP_SERVERS: bootstrapServers().join(',') },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const lines: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        stderr.push(p);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  return {
    child,
    lines,
    stderr,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    }
  };
}

/** A transport (and optionally an admin client) shared by the tests of one describe block. */
export interface SuiteKafka {
  readonly transport: KafkaTransport;
  /** Only with `{ admin: true }`. */
  readonly admin: AdminClient;
}

/** Registers beforeAll/afterAll hooks that open and close a transport (and admin) for the suite. */
export function useSuiteKafka(options: { admin?: boolean } = {}): SuiteKafka {
  let transport: KafkaTransport | undefined;
  let admin: AdminClient | undefined;
  beforeAll(async () => {
    transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
    if (options.admin === true) {
      admin = await transport.admin();
    }
  });
  afterAll(async () => {
    await admin?.close();
    await transport?.close();
  });
  return {
    get transport(): KafkaTransport {
      if (transport === undefined) {
        throw new Error('the suite transport is only open inside its tests (see useSuiteKafka)');
      }
      return transport;
    },
    get admin(): AdminClient {
      if (admin === undefined) {
        throw new Error('the suite admin is only open with useSuiteKafka({ admin: true })');
      }
      return admin;
    }
  };
}

/** Creates one topic with a short-lived admin client. */
export async function createTopic(
  transport: KafkaTransport,
  topic: string,
  partitions: number
): Promise<void> {
  const admin = await transport.admin();
  await admin.createTopics([{ topic, partitions }]);
  await admin.close();
}

/** Sum of the committed offsets of `group` on `topic` (partitions without a commit count 0). */
export async function committedTotal(
  admin: AdminClient,
  group: string,
  topic: string
): Promise<bigint> {
  const offsets = await admin.groupOffsets(group, topic);
  return offsets.reduce((sum, o) => sum + (o.offset > 0n ? o.offset : 0n), 0n);
}

/**
 * Runs a stage in this process until it has read `count` records (or `timeoutMs` passes), stops
 * and closes it, and returns its final stats.
 */
export async function runStageUntil(
  manifest: Record<string, unknown>,
  count: number,
  timeoutMs: number
): Promise<StageStats> {
  const runner = await StageRunner.create(manifest, {
    bootstrapServers: bootstrapServers(),
    logger: quietLogger
  });
  const stop = new AbortController();
  const running = runner.run(stop.signal);
  try {
    await waitFor(() => runner.stats().recordsIn >= count, timeoutMs);
  } finally {
    stop.abort();
    await running;
    await runner.close();
  }
  return runner.stats();
}
