/**
 * The exactly-once verdict of a network-fault run, from what the brokers hold: every input record
 * (read back, so a producer retry that wrote a record twice is expected twice) must come out of the
 * read_committed outputs exactly once per input record, routed as the SQL says, and the dead-letter
 * topic must hold exactly the bad inputs, once each.
 */
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { FIRST_SMALL_ALERT_ID } from '../sdk/src/stage/testing/small-alerts.js';
import { endSum, sleep, type Observer } from './netfault-helpers.js';

export interface Verdict {
  inputRecords: number;
  /** Alert ids the input holds more than once (a producer retry), counted per extra copy. */
  inputDuplicates: number;
  outputRecords: number;
  /** Output records beyond the input's count of that alert. */
  duplicates: number;
  /** Input alerts with fewer output records than input records. */
  missing: number;
  /** Output alerts that were never input. */
  strangers: number;
  misrouted: number;
  badInputs: number;
  deadLetters: number;
  /** Dead letters that are not a bad input, or a bad input's second copy. */
  wrongDeadLetters: number;
  /** Bad inputs with no dead letter. */
  missingDeadLetters: number;
}

const expectedOutput = (id: bigint): string =>
  id % 5n === 0n ? 'five' : id % 3n === 0n ? 'three' : 'rest';

/** Reads input, outputs and dead letters back and compares them. */
export async function verifyStage(
  transport: KafkaTransport,
  obs: Observer,
  topics: { input: string; outputs: Record<string, string>; dlq: string }
): Promise<Verdict> {
  const inputCount = Number(await endSum(obs, topics.input));
  const input = await readAll(transport, [topics.input], inputCount, { idleMs: 1500 });
  const wantAlerts = new Map<string, number>();
  const wantBad = new Map<string, number>();
  for (const r of input) {
    const key = r.value.toString('latin1');
    if (key.startsWith('not an alert #')) {
      wantBad.set(key, (wantBad.get(key) ?? 0) + 1);
    } else {
      const id = (FIRST_SMALL_ALERT_ID + BigInt(r.key)).toString();
      wantAlerts.set(id, (wantAlerts.get(id) ?? 0) + 1);
    }
  }
  const goodCount = [...wantAlerts.values()].reduce((a, b) => a + b, 0);
  const out = await readAll(transport, Object.values(topics.outputs), goodCount, { idleMs: 2500 });
  const byTopic = new Map(Object.entries(topics.outputs).map(([name, t]) => [t, name]));
  const seen = new Map<string, number>();
  let misrouted = 0;
  for (const r of out) {
    const body = JSON.parse(r.value.toString()) as { alertId: string; output: string };
    seen.set(body.alertId, (seen.get(body.alertId) ?? 0) + 1);
    const want = expectedOutput(BigInt(body.alertId));
    if (byTopic.get(r.topic) !== want || body.output !== want) {
      misrouted++;
    }
  }
  let duplicates = 0;
  let missing = 0;
  let strangers = 0;
  for (const [id, n] of seen) {
    const want = wantAlerts.get(id);
    if (want === undefined) {
      strangers += n;
    } else if (n > want) {
      duplicates += n - want;
    }
  }
  for (const [id, want] of wantAlerts) {
    if ((seen.get(id) ?? 0) < want) {
      missing++;
    }
  }
  const badCount = [...wantBad.values()].reduce((a, b) => a + b, 0);
  const letters =
    (await endSum(obs, topics.dlq)) === 0n
      ? []
      : await readAll(transport, [topics.dlq], badCount, { idleMs: 2500 });
  const gotBad = new Map<string, number>();
  for (const l of letters) {
    const v = l.value.toString('latin1');
    gotBad.set(v, (gotBad.get(v) ?? 0) + 1);
  }
  let wrongDeadLetters = 0;
  for (const [v, n] of gotBad) {
    wrongDeadLetters += Math.max(0, n - (wantBad.get(v) ?? 0));
  }
  let missingDeadLetters = 0;
  for (const [v, n] of wantBad) {
    missingDeadLetters += Math.max(0, n - (gotBad.get(v) ?? 0));
  }
  return {
    inputRecords: input.length,
    inputDuplicates: input.length - wantAlerts.size - wantBad.size,
    outputRecords: out.length,
    duplicates,
    missing,
    strangers,
    misrouted,
    badInputs: badCount,
    deadLetters: letters.length,
    wrongDeadLetters,
    missingDeadLetters
  };
}

/** One record read back, with where it was. */
export interface ReadRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** The record key as text ('' when none). */
  key: string;
  value: Buffer;
}

/**
 * Reads `topics` from the beginning, read_committed, until at least `min` records came and none
 * for `idleMs` (so duplicates beyond `min` are seen too). A record seen twice at the same offset
 * (a reader's own rejoin) is one record.
 */
export async function readAll(
  transport: KafkaTransport,
  topics: string[],
  min: number,
  options: { idleMs?: number; timeoutMs?: number } = {}
): Promise<ReadRecord[]> {
  const consumer = await transport.consumer({
    groupId: `netfault-reader-${Math.random().toString(36).slice(2)}`,
    readCommitted: true,
    maxWaitTimeMs: 100
  });
  const got: ReadRecord[] = [];
  const seen = new Set<string>();
  let lastAt = Date.now();
  try {
    await consumer.subscribe(topics, { fromBeginning: true });
    await consumer.run(async batch => {
      for (const r of batch.records) {
        const at = `${batch.topic}/${batch.partition}/${r.offset}`;
        if (!seen.has(at)) {
          seen.add(at);
          got.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: r.offset,
            key: r.key ? Buffer.from(r.key).toString() : '',
            value: Buffer.from(r.value as Uint8Array)
          });
        }
      }
      batch.resolveOffset(batch.records[batch.records.length - 1].offset);
      lastAt = Date.now();
    });
    lastAt = Date.now();
    const start = Date.now();
    while (Date.now() - start < (options.timeoutMs ?? 120_000)) {
      if (got.length >= min && Date.now() - lastAt > (options.idleMs ?? 2000)) {
        break;
      }
      await sleep(100);
    }
    return got;
  } finally {
    await consumer.close();
  }
}
