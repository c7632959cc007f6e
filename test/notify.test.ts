/**
 * Notifications from an output topic on the real broker: a webhook (local HTTP receiver) that
 * fails at first, email to a local SMTP server that refuses once, and another topic; a rate limit
 * with a digest; duplicates of an alert delivered once; a notifier stopped before delivering
 * leaves its offsets uncommitted, and the next one delivers (at least once).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRecords } from '../sdk/src/buffer/produce.js';
import { Notifier } from '../sdk/src/notify/notifier.js';
import { startSmtpSink, type SmtpSink } from '../sdk/src/notify/testing/smtp-sink.js';
import { randomName, readTopic, useSuiteKafka, waitFor } from './stage-helpers.js';

interface Hook {
  server: Server;
  url: string;
  bodies: Array<Record<string, unknown>>;
  /** Answer 500 to this many requests first. */
  failNext: number;
  failures: number;
}

async function startHook(): Promise<Hook> {
  const hook = { bodies: [], failNext: 0, failures: 0 } as unknown as Hook;
  hook.server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      if (hook.failNext > 0) {
        hook.failNext--;
        hook.failures++;
        res.writeHead(500).end('down');
        return;
      }
      hook.bodies.push(JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>(resolve => hook.server.listen(0, '127.0.0.1', resolve));
  const a = hook.server.address();
  hook.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`;
  return hook;
}

const alert = (i: number) => ({
  alertId: String((1n << 60n) + BigInt(i)),
  objectId: `ZTF26notify${i}`,
  mag: 18 + i / 10
});

// the receivers are on loopback: allowed by the operator's setting (notify/destination-policy.ts)
process.env.ALERTLAB_NOTIFY_ALLOW = '127.0.0.1/32';

describe('notifications', () => {
  const kafka = useSuiteKafka({ admin: true });
  let hook: Hook;
  let smtp: SmtpSink;
  beforeAll(async () => {
    hook = await startHook();
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await new Promise<void>(resolve => hook?.server.close(() => resolve()));
    await smtp?.close();
  });

  it('webhook, email and topic with rate limit, digest, retries and de-duplication', async () => {
    const { transport, admin } = kafka;
    const id = randomName('notify');
    const topic = `${id}-out`;
    const forward = `${id}-forward`;
    await admin.createTopics([
      { topic, partitions: 2 },
      { topic: forward, partitions: 1 }
    ]);
    const producer = await transport.producer({ idempotent: true });
    const send = async (ids: number[]) =>
      sendRecords(
        producer,
        ids.map(i => ({
          topic,
          key: alert(i).objectId,
          value: Buffer.from(JSON.stringify(alert(i)))
        })),
        900_000
      );
    await send([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 7]); // 3 and 7 twice
    hook.failNext = 2;
    smtp.refuseNext(1);
    const notifier = await Notifier.start(transport, {
      id,
      topic,
      destinations: [
        {
          kind: 'webhook',
          name: 'slack',
          url: hook.url,
          perMinute: 3,
          retryInitialMs: 100,
          template: { text: 'new transient {{objectId}} at mag {{mag}} (alert {{alertId}})' }
        },
        {
          kind: 'email',
          name: 'mail',
          host: '127.0.0.1',
          port: smtp.port,
          from: 'alertlab@example.org',
          to: ['astronomer@example.org'],
          perMinute: 100,
          retryInitialMs: 100
        },
        { kind: 'topic', name: 'fwd', topic: forward, perMinute: 1000 }
      ]
    });
    try {
      await waitFor(() => {
        const s = notifier.stats();
        return s.every(d => d.delivered === 10);
      }, 60_000);
      const [slack, mail, fwd] = notifier.stats();
      // webhook: 3 messages in the minute, the third a digest of the 8 alerts still waiting
      expect(slack).toMatchObject({ messages: 3, digests: 1, delivered: 10, failures: 2 });
      expect(hook.failures).toBe(2);
      expect(hook.bodies).toHaveLength(3);
      expect(String(hook.bodies[0].text)).toMatch(/^new transient ZTF26notify\d at mag 1[89]/);
      const ids = [
        ...hook.bodies.slice(0, 2).map(b => /alert (\d+)/.exec(String(b.text))?.[1]),
        ...(hook.bodies[2].alertIds as string[])
      ];
      expect(new Set(ids).size).toBe(10);
      expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => alert(i).alertId).sort());
      // email: one message per alert, the refused one retried
      expect(mail).toMatchObject({ messages: 10, delivered: 10, failures: 1 });
      expect(smtp.messages).toHaveLength(10);
      expect(smtp.messages[0].to).toEqual(['astronomer@example.org']);
      expect(smtp.messages.every(m => /Subject: alertlab /.test(m.data))).toBe(true);
      expect(fwd.delivered).toBe(10);
      const forwarded = await readTopic(transport, forward, { min: 10, idleMs: 1000 });
      expect(forwarded).toHaveLength(10);
      expect(slack.duplicates + mail.duplicates + fwd.duplicates).toBe(6);
    } finally {
      await notifier.close();
    }

    // at least once: a notifier stopped while its webhook fails commits nothing it did not
    // deliver; the next one (same groups) delivers it
    hook.failNext = 1_000_000;
    await send([20, 21]);
    const down = await Notifier.start(transport, {
      id,
      topic,
      destinations: [{ kind: 'webhook', name: 'slack', url: hook.url, retryInitialMs: 50 }]
    });
    await waitFor(() => down.stats()[0].failures >= 2, 30_000);
    await down.close();
    hook.failNext = 0;
    const before = hook.bodies.length;
    const up = await Notifier.start(transport, {
      id,
      topic,
      destinations: [{ kind: 'webhook', name: 'slack', url: hook.url }]
    });
    try {
      await waitFor(() => up.stats()[0].delivered === 2, 60_000);
      const texts = hook.bodies.slice(before).map(b => String(b.text));
      expect(texts.some(t => t.includes(alert(20).alertId))).toBe(true);
      expect(texts.some(t => t.includes(alert(21).alertId))).toBe(true);
    } finally {
      await up.close();
    }
    await producer.close();
    await admin.deleteTopics([topic, forward]);
  }, 180_000);
});
