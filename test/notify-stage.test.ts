/**
 * A stage's `notifications`: its output goes to a webhook (local receiver) from a template that
 * reads the object's state; while the webhook is down the stage routes and commits every alert
 * all the same (delivery runs in its own consumer group), and once it is back every alert
 * arrives, within the rate limit (the rest in digests).
 */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { StageRunner } from '../sdk/src/stage/runner.js';
import { plannedAlert } from './object-state-helpers.js';
import {
  bootstrapServers,
  committedTotal,
  produceValues,
  quietLogger,
  randomName,
  useSuiteKafka,
  waitFor
} from './stage-helpers.js';

const OBJECTS = 30;

// the receivers are on loopback: allowed by the operator's setting (notify/destination-policy.ts)
process.env.ALERTLAB_NOTIFY_ALLOW = '127.0.0.1/32';

describe('stage notifications', () => {
  const kafka = useSuiteKafka({ admin: true });

  it('a failing webhook never holds the stage; deliveries arrive once it is back', async () => {
    const { transport, admin } = kafka;
    const id = randomName('notify-stage');
    const input = `${id}-in`;
    await admin.createTopics([{ topic: input, partitions: 2 }]);
    let up = false;
    let refused = 0;
    const bodies: Array<{ text: string; alertIds?: string[] }> = [];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        if (!up) {
          refused++;
          res.writeHead(503).end();
          return;
        }
        bodies.push(JSON.parse(Buffer.concat(parts).toString()) as { text: string });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const a = server.address();
    const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
    for (let k = 1; k <= 2; k++) {
      const wave = Array.from({ length: OBJECTS }, (_, o) => plannedAlert(o, k));
      await produceValues(
        transport,
        input,
        wave.map(w => w.value),
        { key: i => wave[i].objectId }
      );
    }
    const runner = await StageRunner.create(
      {
        id,
        input: { topic: input, format: 'json' },
        filter: { language: 'sql', kind: 'yesno', source: 'obj_nAlerts = 2' },
        outputs: { pass: `${id}-pass` },
        payload: 'thin',
        thinColumns: ['alertId', 'objectId', 'obj_nAlerts', 'mag'],
        deadLetterTopic: `${id}-dlq`,
        batch: { maxRows: 100, maxWaitMs: 100 },
        objects: true,
        notifications: [
          {
            name: 'slack',
            output: 'pass',
            kind: 'webhook',
            url,
            perMinute: 5,
            retryInitialMs: 100,
            retryMaxMs: 400,
            template: { text: '{{objectId}} seen {{obj_nAlerts}} times, alert {{alertId}}' }
          }
        ]
      },
      { bootstrapServers: bootstrapServers(), logger: quietLogger }
    );
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    try {
      // the webhook refuses: the stage still takes every alert
      await waitFor(
        async () => (await committedTotal(admin, id, input)) === BigInt(2 * OBJECTS),
        90_000
      );
      await waitFor(() => refused >= 2, 30_000);
      expect(bodies).toHaveLength(0);
      up = true;
      // 30 alerts at 5 messages a minute: 4 single messages, then a digest of the other 26
      await waitFor(() => {
        const ids = bodies.flatMap(b => b.alertIds ?? [/alert (\d+)/.exec(b.text)?.[1]]);
        return new Set(ids).size === OBJECTS;
      }, 60_000);
    } finally {
      stop.abort();
      await running;
      await runner.close();
      await new Promise<void>(resolve => server.close(() => resolve()));
    }
    expect(bodies.length).toBeLessThanOrEqual(5);
    expect(bodies.some(b => (b.alertIds?.length ?? 0) > 1)).toBe(true);
    const singles = bodies.filter(b => b.alertIds === undefined);
    expect(singles.every(b => / seen 2 times, alert \d+$/.test(b.text))).toBe(true);
    const wanted = Array.from({ length: OBJECTS }, (_, o) => plannedAlert(o, 2).candid.toString());
    const got = bodies.flatMap(b => b.alertIds ?? [/alert (\d+)/.exec(b.text)?.[1] ?? '']);
    expect(got.sort()).toEqual(wanted.sort());
    await admin.deleteTopics([input, `${id}-pass`, `${id}-dlq`, `${id}-objects`]);
  }, 180_000);
});
