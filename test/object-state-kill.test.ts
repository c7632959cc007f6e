/**
 * Object state exactly once across kill -9: a stage with `objects` routes each alert by the
 * object's alert count as its own state says (`obj_nAlerts`, which includes the alert), while its
 * worker (`alertlab stage run`, a child process) is killed with SIGKILL; a fresh worker rebuilds the
 * state from the changelog each time. Every alert must come out once with the count it has in
 * the object's sequence, and the changelog must hold each object's full count: an alert counted
 * twice (or lost) after a crash would show in both.
 */
import { describe, expect, it } from 'vitest';
import {
  committedTotal,
  produceValues,
  randomName,
  readTopic,
  sleep,
  startStageProcess,
  useSuiteKafka,
  waitFor,
  withTempDir,
  type StageProcess
} from './stage-helpers.js';
import { countsOf, kOf, plannedAlert, readChangelog } from './object-state-helpers.js';

const OBJECTS = Number(process.env.OBJECT_STATE_KILL_OBJECTS ?? 3000);
const PER_OBJECT = 8;
const KILLS = 3;
const PARTITIONS = 4;

function recordsInOf(p: StageProcess): number {
  const stats = p.lines.filter(l => l.type === 'stats');
  return Number(stats[stats.length - 1]?.recordsIn ?? 0);
}

describe('object state exactly once across kill -9', () => {
  const kafka = useSuiteKafka({ admin: true });

  it(`${KILLS} kills while ${OBJECTS} objects x ${PER_OBJECT} alerts pass`, async () => {
    const { transport, admin } = kafka;
    const id = randomName('objstate-kill');
    const input = `${id}-in`;
    const [even, odd] = [`${id}-even`, `${id}-odd`];
    const changelog = `${id}-objects`;
    await admin.createTopics([{ topic: input, partitions: PARTITIONS }]);
    // waves in time order: wave w holds alert k = w + 1 of every object, so each object's alerts
    // arrive in order on its partition (keyed by object id) and every kill falls mid-sequence
    const waves = Array.from({ length: PER_OBJECT }, (_, w) =>
      Array.from({ length: OBJECTS }, (_, o) => plannedAlert(o, w + 1))
    );
    const total = OBJECTS * PER_OBJECT;
    let produced = 0;
    let next = 0;
    const produceWaves = async (count: number): Promise<void> => {
      for (let i = 0; i < count && next < waves.length; i++, next++) {
        const wave = waves[next];
        await produceValues(
          transport,
          input,
          wave.map(a => a.value),
          { chunk: 2000, key: i2 => wave[i2].objectId }
        );
        produced += wave.length;
      }
    };
    await produceWaves(2);
    const manifest = {
      id,
      input: { topic: input, format: 'json' },
      filter: {
        language: 'sql',
        kind: 'leftright',
        outputs: ['even', 'odd'],
        source: 'obj_nAlerts % 2 = 0'
      },
      outputs: { even, odd },
      payload: 'thin',
      thinColumns: ['alertId', 'objectId', 'obj_nAlerts', 'obj_ndet_g', 'obj_ndet_r'],
      deadLetterTopic: `${id}-dlq`,
      batch: { maxRows: 1000, maxWaitMs: 200 },
      consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
      objects: true
    };
    await withTempDir(async dir => {
      let worker = await startStageProcess(manifest, dir);
      try {
        for (let k = 1; k <= KILLS; k++) {
          const before = await committedTotal(admin, id, input);
          await produceWaves(2);
          await waitFor(
            async () =>
              (await committedTotal(admin, id, input)) > before && recordsInOf(worker) > 0,
            120_000
          );
          await sleep(100 * k);
          await worker.kill9();
          console.log(
            `kill ${k}: committed ${await committedTotal(admin, id, input)} of ${produced} produced (${total} in all)`
          );
          worker = await startStageProcess(manifest, dir);
        }
        await produceWaves(waves.length);
        await waitFor(
          async () => (await committedTotal(admin, id, input)) === BigInt(total),
          150_000
        );
      } finally {
        const code = await worker.stop();
        if (code !== 0) {
          console.log(worker.stderr.join('').slice(-3000));
        }
      }
    });
    const out = await readTopic(transport, [even, odd], {
      min: total,
      idleMs: 2000,
      timeoutMs: 120_000
    });
    const seen = new Map<string, number>();
    let wrongCount = 0;
    let misrouted = 0;
    for (const r of out) {
      const body = JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as Record<
        string,
        unknown
      >;
      const candid = BigInt(String(body.alertId));
      const key = candid.toString();
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const k = kOf(candid);
      const [g, rr] = [Math.ceil(k / 2), Math.floor(k / 2)];
      if (body.obj_nAlerts !== k || body.obj_ndet_g !== g || body.obj_ndet_r !== rr) {
        wrongCount++;
      }
      if ((r.topic === even) !== (k % 2 === 0)) {
        misrouted++;
      }
    }
    const duplicates = [...seen.values()].filter(n => n > 1).length;
    expect({ duplicates, missing: total - seen.size, wrongCount, misrouted }).toEqual({
      duplicates: 0,
      missing: 0,
      wrongCount: 0,
      misrouted: 0
    });
    // the changelog holds each object's whole count once
    const stores = await readChangelog(transport, changelog, OBJECTS);
    let objects = 0;
    const bad: string[] = [];
    for (let o = 0; o < OBJECTS; o++) {
      const objectId = plannedAlert(o, 1).objectId;
      const found = [...stores.values()].map(s => countsOf(s, objectId)).filter(c => c);
      objects += found.length;
      if (found.length !== 1 || found[0]?.join() !== `${PER_OBJECT},4,4`) {
        bad.push(`${objectId}: ${JSON.stringify(found)}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(objects).toBe(OBJECTS);
    await admin.deleteTopics([input, even, odd, `${id}-dlq`, changelog]);
  }, 400_000);
});
