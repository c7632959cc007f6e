/**
 * `GET /metrics` in the Prometheus text format (0.0.4): per stage records in, alerts out per
 * output, dead-lettered, dropped, filter errors, workers, restarts, lag, and the batch latency
 * histogram (cumulative buckets, in seconds).
 */
import type { BufferClient } from '../buffer/client.js';
import type { StageRegistry } from './registry.js';
import type { StageRecord } from './types.js';
import { stageLag } from './status.js';
import type { Supervisor } from './supervisor.js';

/** Content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

class Text {
  readonly lines: string[] = [];
  private readonly declared = new Set<string>();
  metric(
    name: string,
    type: string,
    help: string,
    labels: Record<string, string>,
    value: number
  ): void {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    const ls = Object.entries(labels)
      .map(([k, v]) => `${k}="${label(v)}"`)
      .join(',');
    this.lines.push(
      `${name}${ls ? `{${ls}}` : ''} ${Number.isFinite(value) ? value : value > 0 ? '+Inf' : 'NaN'}`
    );
  }
}

/** Renders `stages`' metrics (lag asks Kafka, with a short time limit). @default every stage */
export async function renderMetrics(
  registry: StageRegistry,
  supervisor: Supervisor,
  buffer: BufferClient,
  stages: readonly StageRecord[] = registry.list()
): Promise<string> {
  const t = new Text();
  const lags = await Promise.all(
    stages.map(rec => {
      const v = registry.version(rec.id, rec.currentVersion);
      return stageLag(buffer, (v.manifest.input as { topic: string }).topic, rec.id, 3000);
    })
  );
  stages.forEach((rec, i) => {
    const rt = supervisor.status(rec.id);
    const s = { stage: rec.id };
    t.metric(
      'alertlab_stage_version',
      'gauge',
      'Current version of the stage.',
      s,
      rec.currentVersion
    );
    t.metric(
      'alertlab_stage_replicas_desired',
      'gauge',
      'Worker processes wanted.',
      s,
      rec.desired === 'running' ? rec.replicas : 0
    );
    t.metric(
      'alertlab_stage_workers',
      'gauge',
      'Worker processes alive.',
      s,
      rt?.workers.length ?? 0
    );
    t.metric(
      'alertlab_stage_worker_restarts_total',
      'counter',
      'Workers restarted after a crash.',
      s,
      rt?.restarts ?? 0
    );
    t.metric(
      'alertlab_stage_lag_records',
      'gauge',
      'Records of the input topic the stage has not committed yet.',
      s,
      Number(lags[i].total)
    );
    if (!rt) {
      return;
    }
    const c = rt.totals;
    t.metric(
      'alertlab_stage_records_in_total',
      'counter',
      'Kafka records consumed and committed.',
      s,
      c.recordsIn
    );
    t.metric('alertlab_stage_alerts_in_total', 'counter', 'Alerts decoded.', s, c.alertsIn);
    for (const [output, n] of Object.entries(c.out)) {
      t.metric(
        'alertlab_stage_alerts_out_total',
        'counter',
        'Alerts written, per output.',
        { ...s, output },
        n
      );
    }
    t.metric(
      'alertlab_stage_dead_lettered_total',
      'counter',
      'Records sent to the dead-letter topic.',
      s,
      c.deadLettered
    );
    t.metric(
      'alertlab_stage_dropped_total',
      'counter',
      'Alerts routed to no output.',
      s,
      c.dropped
    );
    t.metric(
      'alertlab_stage_filter_errors_total',
      'counter',
      'Filter calls that failed.',
      s,
      c.filterErrors
    );
    t.metric(
      'alertlab_stage_transactions_total',
      'counter',
      'Transactions committed.',
      { ...s, result: 'commit' },
      c.commits
    );
    t.metric(
      'alertlab_stage_transactions_total',
      'counter',
      'Transactions committed.',
      { ...s, result: 'abort' },
      c.aborts
    );
    let cumulative = 0;
    const buckets = c.latency.length > 0 ? c.latency : [{ le: Infinity, count: 0 }];
    for (const b of buckets) {
      cumulative += b.count;
      const le = Number.isFinite(b.le) ? String(b.le / 1000) : '+Inf';
      t.metric(
        'alertlab_stage_batch_latency_seconds_bucket',
        'histogram',
        'Batch latency from fetch to commit.',
        { ...s, le },
        cumulative
      );
    }
    t.lines.push(
      `alertlab_stage_batch_latency_seconds_sum{stage="${label(rec.id)}"} ${c.latencyMsSum / 1000}`
    );
    t.lines.push(
      `alertlab_stage_batch_latency_seconds_count{stage="${label(rec.id)}"} ${c.batches}`
    );
  });
  return `${t.lines.join('\n')}\n`;
}
