/**
 * Reads the demo stage's output topics (read_committed) as the alerts arrive: counts per output, the
 * simulator's ground-truth class of each routed alert (header `alertlab-sim-class`), and the
 * end-to-end latency from the simulator's produce time to the moment the alert is visible downstream.
 */
import { randomUUID } from 'node:crypto';
import { createTransport } from '../buffer/transport.js';
import type { ConsumerClient, HeaderValue, KafkaTransport } from '../buffer/transport-types.js';

export interface OutputTally {
  /** Alerts per output name. */
  perOutput: Record<string, number>;
  /** Output name → simulator class → count. */
  confusion: Record<string, Record<string, number>>;
  /** End-to-end latencies in ms (produce → visible downstream). */
  latenciesMs: number[];
  deadLetters: number;
}

function headerText(v: HeaderValue | HeaderValue[] | undefined): string | undefined {
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined || one === null) {
    return undefined;
  }
  return typeof one === 'string' ? one : Buffer.from(one).toString('utf8');
}

export class OutputWatcher {
  readonly tally: OutputTally = { perOutput: {}, confusion: {}, latenciesMs: [], deadLetters: 0 };
  private constructor(
    private readonly transport: KafkaTransport,
    private readonly consumer: ConsumerClient
  ) {}

  /** `outputs`: output name → topic; `deadLetterTopic` counted apart. */
  static async start(
    bootstrapServers: string[],
    outputs: Record<string, string>,
    deadLetterTopic: string
  ): Promise<OutputWatcher> {
    const transport = createTransport({ bootstrapServers, clientId: 'alertlab-demo-watch' });
    const consumer = await transport.consumer({
      groupId: `alertlab-demo-watch-${randomUUID()}`,
      readCommitted: true,
      maxWaitTimeMs: 100
    });
    const byTopic = new Map(Object.entries(outputs).map(([name, topic]) => [topic, name]));
    await consumer.subscribe([...byTopic.keys(), deadLetterTopic], { fromBeginning: true });
    const watcher = new OutputWatcher(transport, consumer);
    const t = watcher.tally;
    await consumer.run(async batch => {
      const now = Date.now();
      const last = batch.records[batch.records.length - 1];
      if (last) {
        batch.resolveOffset(last.offset);
      }
      if (batch.topic === deadLetterTopic) {
        t.deadLetters += batch.records.length;
        return;
      }
      const name = byTopic.get(batch.topic) ?? batch.topic;
      for (const r of batch.records) {
        t.perOutput[name] = (t.perOutput[name] ?? 0) + 1;
        const cls = headerText(r.headers['alertlab-sim-class']) ?? 'unknown';
        const row = (t.confusion[name] ??= {});
        row[cls] = (row[cls] ?? 0) + 1;
        t.latenciesMs.push(now - r.timestampMs);
      }
    });
    return watcher;
  }

  routed(): number {
    return Object.values(this.tally.perOutput).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.transport.close();
  }
}

/** p-th percentile (0..100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
