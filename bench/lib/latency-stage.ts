/**
 * The stage bench/latency.ts measures: one worker (cross-match Hipparcos 2″ + SQL switch,
 * transactional) on fresh topics, a read_committed watcher of its outputs, and a producer process
 * for its input (latency-sender.ts); each committed chunk's timing goes to a PhaseLog.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../sdk/src/buffer/log.js';
import type { KafkaTransport } from '../../sdk/src/buffer/transport-types.js';
import { parseStageManifest } from '../../sdk/src/stage/manifest.js';
import { StageRunner } from '../../sdk/src/stage/runner.js';
import { PhaseLog } from './latency-phases.js';
import { AlertSender } from './latency-sender.js';

const SWITCH_SQL =
  "CASE WHEN xm_hipparcos_count > 0 THEN 'star' WHEN isMovingObject THEN 'sso' WHEN mag < 21.5 THEN 'bright' END";
const OUTS = ['star', 'sso', 'bright', 'other'];
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export interface LatencyStageSettings {
  maxRows: number;
  maxWaitMs: number;
  maxBytes: number;
  partitions: number;
  payload: string;
  logger: Logger;
}

export interface StageIo {
  send: (values: Uint8Array[], first: number) => Promise<void>;
  sender: AlertSender;
  seen: Map<number, number>;
  waitFor: (n: number, timeoutMs: number) => Promise<void>;
  log: PhaseLog;
}

/** A stage on fresh topics, an output watcher (read_committed) and a producer for its input. */
export async function withStage<T>(
  transport: KafkaTransport,
  servers: string[],
  settings: LatencyStageSettings,
  fn: (io: StageIo) => Promise<T>
): Promise<T> {
  const run = `bench-latency-${randomBytes(4).toString('hex')}`;
  const input = `${run}-in`;
  const outputs = Object.fromEntries(OUTS.map(o => [o, `${run}-${o}`]));
  const admin = await transport.admin();
  const partitions = settings.partitions;
  await admin.createTopics(
    [input, ...Object.values(outputs), `${run}-dlq`].map(topic => ({ topic, partitions }))
  );
  const storeDir = mkdtempSync(join(tmpdir(), 'alertlab-bench-latency-'));
  const manifest = parseStageManifest({
    id: `${run}-stage`,
    input: { topic: input, format: 'rubin' },
    crossmatch: {
      catalogs: [{ name: 'hipparcos', radiusArcsec: 2 }],
      storePath: join(storeDir, 'catalogs.duckdb')
    },
    filter: {
      language: 'sql',
      kind: 'switch',
      outputs: OUTS,
      defaultOutput: 'other',
      source: SWITCH_SQL
    },
    outputs,
    payload: settings.payload,
    deadLetterTopic: `${run}-dlq`,
    batch: { maxRows: settings.maxRows, maxWaitMs: settings.maxWaitMs, maxBytes: settings.maxBytes }
  });
  const runner = await StageRunner.create(manifest, {
    bootstrapServers: servers,
    logger: settings.logger
  });
  const log = new PhaseLog();
  runner.onChunk(log.listener);
  const stop = new AbortController();
  const running = runner.run(stop.signal);
  const seen = new Map<number, number>();
  const watcher = await transport.consumer({
    groupId: `${run}-watch`,
    readCommitted: true,
    maxWaitTimeMs: 10
  });
  await watcher.subscribe([...Object.values(outputs), `${run}-dlq`], { fromBeginning: true });
  await watcher.run(
    async batch => {
      const now = performance.now();
      for (const r of batch.records) {
        seen.set(Number(Buffer.from(r.key!).toString()), now);
      }
      const last = batch.records.at(-1);
      if (last) {
        batch.resolveOffset(last.offset);
      }
    },
    { partitionsConcurrently: 8 }
  );
  // the survey's producer runs beside the stage, not in its event loop: a thread of its own
  const sender = await AlertSender.create(servers, input);
  const send = (values: Uint8Array[], first: number) => sender.send(values, first);
  const waitFor = async (n: number, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (seen.size < n) {
      if (Date.now() > end) {
        throw new Error(`only ${seen.size} of ${n} alerts became visible in ${timeoutMs} ms`);
      }
      await sleep(5);
    }
  };
  try {
    return await fn({ send, sender, seen, waitFor, log });
  } finally {
    stop.abort();
    await running.catch(() => undefined);
    await runner.close();
    await sender.close();
    await watcher.close();
    await admin.deleteTopics([input, ...Object.values(outputs), `${run}-dlq`]);
    await admin.close();
    rmSync(storeDir, { recursive: true, force: true });
  }
}
