/**
 * Hostile filters sent to a real controller (issue 15, part 1): TypeScript and Python filters
 * posted to `/stages/backtest` run in sandboxed processes — they read neither the controller's
 * token file nor `$ALERTLAB_HOME`, are not root, reach no network; a filter that kills "its"
 * process leaves the controller serving /health; a deployed TypeScript stage whose filter exits
 * on later alerts dead-letters those batches with the reason and keeps running.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../sdk/src/alerts/rejects.js';
import { alertlabHome } from '../sdk/src/catalog/paths.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import type { ControllerClient } from '../sdk/src/control/client.js';
import { ControllerRequestError } from '../sdk/src/control/client.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { sandboxMode } from '../sdk/src/filter/sandbox.js';
import { headerText, quietLogger, randomName, skipWithoutSamples } from './stage-helpers.js';
import {
  bootstrapServers,
  clientOf,
  launchController,
  makeControllerDirs,
  produceRange,
  readTopic,
  waitUntil
} from './controller-helpers.js';

const supported = process.platform === 'linux' && sandboxMode() !== 'none';
if (!supported && process.env.CI === 'true') {
  throw new Error('CI must run the sandbox tests: util-linux prlimit/unshare/setpriv are needed');
}

const TS_PROBE = (token: string, home: string): string => `
import { defineFilter } from '@alertlab/sdk';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
const attempt = f => { try { return String(f()).slice(0, 300); } catch (e) { return 'ERR ' + (e.code ?? e.message); } };
const net = await new Promise(resolve => {
  const s = connect(19092, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve('connected'); });
  s.once('error', e => resolve('ERR ' + e.code));
  setTimeout(() => resolve('ERR timeout'), 3000);
});
const report = {
  uid: process.getuid(),
  token: attempt(() => readFileSync(${JSON.stringify(token)}, 'utf8')),
  home: attempt(() => readdirSync(${JSON.stringify(home)}).join(',')),
  id: attempt(() => execFileSync('id', { encoding: 'utf8' })),
  net
};
export default defineFilter({ kind: 'yesno', fn: () => { throw new Error('REPORT' + JSON.stringify(report)); } });
`;

const PY_PROBE = (token: string, home: string): string => `
import json, os, socket
import alertlab

def attempt(f):
    try:
        return str(f())[:300]
    except Exception as e:
        return "ERR " + type(e).__name__

def connect():
    s = socket.socket()
    s.settimeout(2)
    return s.connect_ex(("127.0.0.1", 19092))

@alertlab.filter(kind="yesno")
def probe(batch):
    report = {
        "uid": os.getuid(),
        "token": attempt(lambda: open(${JSON.stringify(token)}).read()),
        "home": attempt(lambda: ",".join(os.listdir(${JSON.stringify(home)}))),
        "net": attempt(connect),
    }
    raise RuntimeError("REPORT" + json.dumps(report))
`;

const TS_KILLER = `
import { defineFilter } from '@alertlab/sdk';
export default defineFilter({ kind: 'yesno', fn: batch => {
  process.kill(process.pid, 'SIGKILL');
  try { process.kill(-1, 'SIGKILL'); } catch {}
  process.exit(9);
} });
`;

// passes the gate (the first alerts), exits its process on alerts 100 and later
const TS_LATE_EXIT = `
import { defineFilter } from '@alertlab/sdk';
const LATE = (1n << 62n) + 100n;
export default defineFilter({ kind: 'yesno', mode: 'alert', fn: alert => {
  if (BigInt(alert.alertId) >= LATE) { process.exit(3); }
  return true;
} });
`;

function reportOf(err: unknown): Record<string, string | number> {
  expect(err).toBeInstanceOf(ControllerRequestError);
  const message = (err as Error).message;
  const json = /REPORT(\{.*?\})/s.exec(message.replaceAll('\\"', '"'))?.[1];
  expect(json, message).toBeDefined();
  return JSON.parse(json as string) as Record<string, string | number>;
}

describe.skipIf(!supported || skipWithoutSamples())(
  'hostile filters sent to the controller',
  () => {
    let transport: KafkaTransport;
    let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
    let ctl: RunningController;
    let client: ControllerClient;
    let input: string;
    const manifest = (filter: Record<string, unknown>): Record<string, unknown> => ({
      id: randomName('hostile'),
      input: { topic: input, format: 'rubin' },
      filter,
      batch: { maxRows: 50, maxWaitMs: 200 },
      consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }
    });
    const backtest = (filter: Record<string, unknown>): Promise<unknown> =>
      client
        .request('POST', '/stages/backtest', {
          manifest: manifest(filter),
          gate: { budgetMs: 60_000 }
        })
        .then(
          r => r,
          (e: unknown) => e
        );
    const healthy = async (): Promise<void> => {
      const h = await client.request<{ status: string }>('GET', '/health');
      expect(h.status).toBe('ok');
    };

    beforeAll(async () => {
      transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
      dirs = await makeControllerDirs();
      ctl = await launchController(dirs);
      client = clientOf(ctl);
      input = randomName('hostile-in');
      await client.request('POST', '/buffers/topics', { topic: input, partitions: 1 });
      await produceRange(transport, input, 0, 40);
    });

    afterAll(async () => {
      await ctl?.close();
      await transport?.close();
      await dirs?.remove();
    });

    it('TypeScript and Python filters see no token, no $ALERTLAB_HOME, no network, and are not root', async () => {
      const home = alertlabHome();
      expect(readdirSync(home).length).toBeGreaterThan(0);
      const ts = reportOf(
        await backtest({
          language: 'typescript',
          kind: 'yesno',
          source: TS_PROBE(ctl.tokenFile, home)
        })
      );
      const py = reportOf(
        await backtest({
          language: 'python',
          kind: 'yesno',
          entry: 'probe',
          source: PY_PROBE(ctl.tokenFile, home)
        })
      );
      for (const r of [ts, py]) {
        expect(r.token).toMatch(/^ERR/);
        expect(r.home).not.toMatch(/kafka|controller/);
        expect(r.net).not.toBe('0');
        expect(r.net).not.toBe('connected');
        if (sandboxMode() === 'root') {
          expect(r.uid).not.toBe(0);
        }
      }
      if (sandboxMode() === 'root') {
        expect(ts.id).not.toMatch(/uid=0\(/);
      }
      await healthy();
    });

    it('a filter killing its process (and everything it sees) leaves the controller serving', async () => {
      const err = await backtest({ language: 'typescript', kind: 'yesno', source: TS_KILLER });
      expect(err).toBeInstanceOf(ControllerRequestError);
      expect((err as ControllerRequestError).status).toBe(422);
      expect((err as Error).message).toMatch(/exited with code 9/);
      await healthy();
      expect(process.kill(process.pid, 0)).toBe(true);
    });

    it('a deployed stage whose filter exits on later alerts dead-letters them and keeps running', async () => {
      const m = manifest({ language: 'typescript', kind: 'yesno', source: TS_LATE_EXIT });
      const deployed = await client.request<{ id: string; outputTopics: Record<string, string> }>(
        'POST',
        '/stages',
        { manifest: m, replicas: 1 }
      );
      await produceRange(transport, input, 100, 110);
      const dlq = await readTopic(transport, deployed.outputTopics['dead-letter'], {
        min: 10,
        idleMs: 1000,
        timeoutMs: 120_000
      });
      expect(dlq.length).toBeGreaterThanOrEqual(10);
      const reasons = dlq.map(r => headerText(r, DEAD_LETTER_HEADERS.reason));
      expect(reasons.some(r => /exited with code 3/.test(r))).toBe(true);
      await healthy();
      await waitUntil(
        async () =>
          (await client.request<{ liveWorkers: number }>('GET', `/stages/${deployed.id}`))
            .liveWorkers === 1,
        30_000,
        'the stage worker to be running'
      );
      await client.request('DELETE', `/stages/${deployed.id}`);
    });
  }
);
