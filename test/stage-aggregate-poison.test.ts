/**
 * Event time that bad data cannot poison, on the real broker (issue 15, part 4): an aggregate
 * stage fed one alert with mjd = 1e12 and one a month in the future keeps running, dead-letters
 * both as `future-event-time`, and every later in-order alert still lands in a window, across a
 * restart. The controller gates aggregate manifests with the stage's own logic (no dummy filter
 * needed or accepted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../sdk/src/alerts/rejects.js';
import type { ControllerClient } from '../sdk/src/control/client.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import type { GateEvidence } from '../sdk/src/control/types.js';
import { ControllerRequestError } from '../sdk/src/errors.js';
import { clientOf, launchController, makeControllerDirs } from './controller-helpers.js';
import {
  createTopic,
  headerText,
  produceValues,
  randomName,
  readTopic,
  runStageUntil,
  useSuiteKafka
} from './stage-helpers.js';

const DAY = 86_400;
const N = 240;
const POISON = 60; // mjd = 1e12
const FUTURE = 100; // a month ahead of the clock
const nowMjd = (): number => Date.now() / 86_400_000 + 40_587;

interface Alert {
  id: bigint;
  mjd: number;
  flux: number;
}

function makeAlerts(): Alert[] {
  const start = Math.floor(nowMjd()) - 2;
  return Array.from({ length: N }, (_, i) => ({
    id: (1n << 61n) + BigInt(i),
    mjd: i === POISON ? 1e12 : i === FUTURE ? nowMjd() + 30 : start + (i * 60) / DAY,
    flux: i + 0.5
  }));
}

const encode = (a: Alert): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({
      diaSource: {
        diaSourceId: a.id.toString(),
        ra: 10,
        dec: -5,
        midpointMjdTai: a.mjd,
        band: 'r',
        psfFlux: a.flux,
        psfFluxErr: 1
      }
    })
  );

const idOf = (r: { value: Uint8Array | null }): string =>
  (
    JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as {
      diaSource: { diaSourceId: string };
    }
  ).diaSource.diaSourceId;

const aggregateManifest = (id: string, input: string) => ({
  id,
  kind: 'aggregate',
  input: { topic: input, format: 'json' },
  aggregate: {
    topic: `${id}-windows`,
    windowSeconds: 600,
    hopSeconds: 600,
    groupBy: 'band',
    value: 'psfFlux'
  },
  deadLetterTopic: `${id}-dlq`,
  batch: { maxRows: 50, maxWaitMs: 100 }
});

describe('aggregate stage under poisoned event times', () => {
  const kafka = useSuiteKafka();

  it('keeps running, dead-letters the future alerts, and no later alert is late', async () => {
    const id = randomName('stage-poison');
    const input = `${id}-in`;
    const transport = kafka.transport;
    await createTopic(transport, input, 1);
    const alerts = makeAlerts();
    const manifest = aggregateManifest(id, input);
    const half = N / 2;
    await produceValues(transport, input, alerts.slice(0, half).map(encode));
    const first = await runStageUntil(manifest, half, 60_000);
    await produceValues(transport, input, alerts.slice(half).map(encode));
    const second = await runStageUntil(manifest, N - half, 60_000); // restart from the commit
    expect(first.extra.lateRecords + second.extra.lateRecords).toBe(0);
    expect(first.extra.futureRecords + second.extra.futureRecords).toBe(2);
    const dlq = await readTopic(transport, `${id}-dlq`, { min: 2, idleMs: 800 });
    expect(dlq.map(r => headerText(r, DEAD_LETTER_HEADERS.code))).toEqual([
      'future-event-time',
      'future-event-time'
    ]);
    expect(dlq.map(idOf).sort()).toEqual([alerts[POISON].id, alerts[FUTURE].id].map(String));
    // tumbling 10-minute windows over one alert a minute: every closed window holds the good
    // alerts of its 10 minutes (the last, still open, window is not emitted)
    const emitted = first.extra.windowsEmitted + second.extra.windowsEmitted;
    const records = await readTopic(transport, `${id}-windows`, { min: emitted, idleMs: 800 });
    const counts = records.map(
      r => (JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as { count: number }).count
    );
    const good = alerts.filter((_, i) => i !== POISON && i !== FUTURE);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(good.length - 10);
    expect(records.length).toBe(emitted);
    expect(emitted).toBeGreaterThanOrEqual(Math.floor(N / 10) - 1);
  });
});

describe('the gate of aggregate manifests', () => {
  const kafka = useSuiteKafka();
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let ctl: RunningController;
  let client: ControllerClient;
  let input: string;

  beforeAll(async () => {
    dirs = await makeControllerDirs();
    ctl = await launchController(dirs);
    client = clientOf(ctl);
    input = randomName('gate-agg-in');
    await createTopic(kafka.transport, input, 1);
    await produceValues(kafka.transport, input, makeAlerts().map(encode));
  });

  afterAll(async () => {
    await ctl?.close();
    await dirs?.remove();
  });

  const status = async (p: Promise<unknown>): Promise<[number, string]> => {
    try {
      await p;
      return [200, ''];
    } catch (err) {
      const e = err as ControllerRequestError;
      return [
        e.status,
        String((e.body as { details?: { reason?: string } }).details?.reason ?? e.message)
      ];
    }
  };

  it('runs the windows over the sample and reports what they did', async () => {
    const id = randomName('gate-agg');
    const reply = await client.request<{ evidence: GateEvidence }>('POST', '/stages/backtest', {
      manifest: aggregateManifest(id, input)
    });
    const ev = reply.evidence;
    expect(ev.sampledAlerts).toBe(N);
    expect(ev.stream?.future).toBe(2);
    expect(ev.stream?.accepted).toBe(N - 2);
    expect(ev.stream?.windowsEmitted).toBeGreaterThan(10);
  });

  it('refuses a value column the input does not have (422, reason columns)', async () => {
    const m = aggregateManifest(randomName('gate-agg'), input);
    m.aggregate.value = 'noSuchColumn';
    expect(await status(client.request('POST', '/stages/backtest', { manifest: m }))).toEqual([
      422,
      'columns'
    ]);
  });

  it('refuses a dummy filter on an aggregate stage and a 1 ms hop over 366 days (400)', async () => {
    const id = randomName('gate-agg');
    const withFilter = {
      ...aggregateManifest(id, input),
      filter: { language: 'sql', kind: 'yesno', source: 'true' }
    };
    const [code] = await status(client.request('POST', '/stages', { manifest: withFilter }));
    expect(code).toBe(400);
    const m = aggregateManifest(id, input);
    Object.assign(m.aggregate, { windowSeconds: 366 * DAY, hopSeconds: 0.001 });
    const [code2, why] = await status(client.request('POST', '/stages', { manifest: m }));
    expect(code2).toBe(400);
    expect(why).toMatch(/at most 1000/);
  });

  it('deploys a valid aggregate manifest through the gate, with its evidence', async () => {
    const id = randomName('gate-agg');
    const reply = await client.request<{ evidence: GateEvidence }>('POST', '/stages', {
      manifest: aggregateManifest(id, input)
    });
    expect(reply.evidence.stream?.accepted).toBe(N - 2);
    await client.request('DELETE', `/stages/${id}`);
  });
});
