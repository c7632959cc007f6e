/**
 * Exactly once across crashes: a stage worker (`alertlab stage run`, a child process) is killed
 * with SIGKILL five times while small Rubin alerts (re-encoded from the real samples with new ids)
 * pass; a fresh worker takes over each time. The read_committed output must hold every expected
 * alert exactly once. Alert count: STAGE_KILL_ALERTS (default 100,000).
 */
import { describe, expect, it } from 'vitest';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import {
  SAMPLES_MISSING_MESSAGE,
  SAMPLES_PRESENT,
  skipWithoutSamples,
  committedTotal,
  produceValues,
  randomName,
  readTopic,
  sleep,
  startStageProcess,
  waitFor,
  useSuiteKafka,
  withTempDir,
  type StageProcess
} from './stage-helpers.js';

if (!SAMPLES_PRESENT) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

const ALERTS = Number(process.env.STAGE_KILL_ALERTS ?? 100_000);
const KILLS = 5;
const PARTITIONS = 4;

function recordsInOf(p: StageProcess): number {
  const stats = p.lines.filter(l => l.type === 'stats');
  return Number(stats[stats.length - 1]?.recordsIn ?? 0);
}

describe.skipIf(skipWithoutSamples())('stage exactly once across kill -9', () => {
  const kafka = useSuiteKafka({ admin: true });

  it(`${KILLS} kills while ${ALERTS} alerts pass: read_committed output holds each exactly once`, async () => {
    const { transport, admin } = kafka;
    const id = randomName('stage-kill');
    const input = `${id}-in`;
    const left = `${id}-even`;
    const right = `${id}-odd`;
    await admin.createTopics([{ topic: input, partitions: PARTITIONS }]);
    const small = smallRubinAlerts(0);
    const values = Array.from({ length: ALERTS }, (_, i) => small.make(i));
    // the alerts arrive in waves, one before the first worker and one before each kill: a worker
    // fast enough to drain the topic between two kills still has work when it is killed
    const wave = Math.ceil(ALERTS / (KILLS + 1));
    let produced = 0;
    const produceWave = async (): Promise<void> => {
      const end = Math.min(ALERTS, produced + wave);
      const start = produced;
      await produceValues(transport, input, values.slice(start, end), {
        chunk: 5000,
        key: i => String(start + i)
      });
      produced = end;
    };
    await produceWave();
    const manifest = {
      id,
      input: { topic: input, format: 'rubin' },
      filter: {
        language: 'sql',
        kind: 'leftright',
        outputs: ['even', 'odd'],
        source: 'alertId % 2 = 0'
      },
      outputs: { even: left, odd: right },
      payload: 'thin',
      thinColumns: ['alertId'],
      deadLetterTopic: `${id}-dlq`,
      batch: { maxRows: 2000, maxWaitMs: 200 },
      consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }
    };
    await withTempDir(async dir => {
      let worker = await startStageProcess(manifest, dir);
      try {
        for (let k = 1; k <= KILLS; k++) {
          // more alerts arrive; let the current worker commit some work, then kill it mid-stream
          const before = await committedTotal(admin, id, input);
          await produceWave();
          await waitFor(
            async () =>
              (await committedTotal(admin, id, input)) > before && recordsInOf(worker) > 0,
            120_000
          );
          await sleep(50 * k);
          await worker.kill9();
          console.log(
            `kill ${k}: committed ${await committedTotal(admin, id, input)} of ${produced} produced so far (${ALERTS} in all)`
          );
          worker = await startStageProcess(manifest, dir);
        }
        await waitFor(
          async () => (await committedTotal(admin, id, input)) === BigInt(ALERTS),
          150_000
        );
      } finally {
        const code = await worker.stop();
        if (code !== 0) {
          console.log(worker.stderr.join('').slice(-2000));
        }
      }
    });
    const committed = await readTopic(transport, [left, right], {
      min: ALERTS,
      idleMs: 2000,
      timeoutMs: 120_000
    });
    const seen = new Map<string, number>();
    let misrouted = 0;
    for (const r of committed) {
      const body = JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as {
        alertId: string;
        output: string;
      };
      seen.set(body.alertId, (seen.get(body.alertId) ?? 0) + 1);
      const even = BigInt(body.alertId) % 2n === 0n;
      if ((r.topic === left) !== even || body.output !== (even ? 'even' : 'odd')) {
        misrouted++;
      }
    }
    const duplicates = [...seen.values()].filter(n => n > 1).length;
    const missing = values.length - seen.size;
    const uncommitted = await readTopic(transport, [left, right], {
      min: ALERTS,
      idleMs: 1500,
      readCommitted: false
    });
    console.log(
      `read_committed: ${committed.length} records; read_uncommitted: ${uncommitted.length} (aborted work from the kills)`
    );
    expect({ duplicates, missing, misrouted, records: committed.length }).toEqual({
      duplicates: 0,
      missing: 0,
      misrouted: 0,
      records: ALERTS
    });
    for (let i = 0; i < ALERTS; i += 997) {
      expect(seen.get(small.idOf(i).toString())).toBe(1);
    }
    await admin.deleteTopics([input, left, right, `${id}-dlq`]);
  }, 300_000);
});
