/** The view of a stage that `GET /stages/{id}` returns: record, version, workers, lag, lineage. */
import type { BufferClient } from '../buffer/client.js';
import type { StageRegistry } from './registry.js';
import { DEAD_LETTER_OUTPUT, type StageRuntimeStatus, type Supervisor } from './supervisor.js';
import type { StageRecord } from './types.js';

/** Health of a stage in one word. */
export type StageState = 'running' | 'starting' | 'degraded' | 'restarting' | 'stopped';

/** Lag of the stage's group on its input topic. */
export interface StageLag {
  total: string;
  partitions: { partition: number; lag: string }[];
  error?: string;
}

function stateOf(rec: StageRecord, rt: StageRuntimeStatus | undefined): StageState {
  if (rec.desired === 'stopped') {
    return 'stopped';
  }
  const live = rt?.workers.length ?? 0;
  if (live >= rec.replicas) {
    return 'running';
  }
  if (live === 0) {
    return (rt?.restarts ?? 0) > 0 || (rt?.workerErrors ?? 0) > 0 ? 'restarting' : 'starting';
  }
  return 'degraded';
}

/** Lag of `group` on `topic` (bigints as decimal strings), with a time limit. */
export async function stageLag(
  buffer: BufferClient,
  topic: string,
  group: string,
  timeoutMs = 5000
): Promise<StageLag> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const parts = await Promise.race([
      buffer.lag(topic, group),
      new Promise<never>((_r, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from Kafka in ${timeoutMs} ms`)),
          timeoutMs
        );
      })
    ]);
    const total = parts.reduce((a, p) => a + p.lag, 0n);
    return {
      total: total.toString(),
      partitions: parts.map(p => ({ partition: p.partition, lag: p.lag.toString() }))
    };
  } catch (err) {
    return { total: '0', partitions: [], error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Summary of one stage (list view): no Kafka calls. */
export function stageSummary(
  registry: StageRegistry,
  supervisor: Supervisor,
  rec: StageRecord
): Record<string, unknown> {
  const rt = supervisor.status(rec.id);
  const v = registry.version(rec.id, rec.currentVersion);
  return {
    id: rec.id,
    status: stateOf(rec, rt),
    desired: rec.desired,
    version: rec.currentVersion,
    replicas: rec.replicas,
    liveWorkers: rt?.workers.length ?? 0,
    inputTopic: (v.manifest.input as { topic?: string } | undefined)?.topic,
    outputTopics: rec.outputTopics,
    recordsIn: rt?.totals.recordsIn ?? 0,
    ratePerSecond: rt?.ratePerSecond ?? 0,
    outputs: Object.entries(rec.outputTopics).map(([name, topic]) => ({
      name,
      topic,
      alertsOut:
        (name === DEAD_LETTER_OUTPUT ? rt?.totals.deadLettered : rt?.totals.out[name]) ?? 0,
      ratePerSecond: rt?.outRatePerSecond[name] ?? 0
    })),
    errors: (rt?.workerErrors ?? 0) + (rt?.totals.filterErrors ?? 0),
    lastError: rt?.lastError,
    updatedAt: rec.updatedAt
  };
}

/** Full view of one stage, lag included. */
export async function stageDetail(
  registry: StageRegistry,
  supervisor: Supervisor,
  buffer: BufferClient,
  rec: StageRecord
): Promise<Record<string, unknown>> {
  const rt = supervisor.status(rec.id);
  const v = registry.version(rec.id, rec.currentVersion);
  const topic = (v.manifest.input as { topic: string }).topic;
  return {
    ...stageSummary(registry, supervisor, rec),
    lag: await stageLag(buffer, topic, rec.id),
    workers: rt?.workers ?? [],
    restarts: rt?.restarts ?? 0,
    counters: rt && {
      ...rt.totals,
      latency: rt.totals.latency.map(b => ({
        le: Number.isFinite(b.le) ? b.le : '+Inf',
        count: b.count
      }))
    },
    currentVersion: {
      version: v.version,
      createdAt: v.createdAt,
      author: v.author,
      sourceHash: v.sourceHash,
      rolledBackFrom: v.rolledBackFrom,
      evidence: v.evidence,
      manifest: v.manifest
    },
    versions: registry.allVersions(rec.id).map(x => ({
      version: x.version,
      createdAt: x.createdAt,
      author: x.author,
      sourceHash: x.sourceHash,
      rolledBackFrom: x.rolledBackFrom,
      sampledAlerts: x.evidence.sampledAlerts
    })),
    lineage: {
      source: v.lineage,
      stageVersion: `${rec.id}@v${v.version}`,
      sourceHash: v.sourceHash,
      inputTopic: topic,
      outputTopics: rec.outputTopics
    }
  };
}
