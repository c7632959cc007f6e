/**
 * Per-user scope beyond stages (issue 15, part 5), on a real controller and the shared Kafka:
 * 20 concurrent `alertlab controller user add` processes against a running controller lose no
 * user (the users file's lock) and every token works without a restart; /metrics shows a user
 * only their own stages' series, an admin and the `metrics` role every stage; GET /buffers/topics
 * hides other users' stage outputs and reader groups; the anonymous rate limit believes
 * X-Forwarded-For only from a trusted proxy.
 */
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferClient } from '../sdk/src/buffer/client.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { ControllerClient, ControllerRequestError } from '../sdk/src/control/client.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { resumeGroupId } from '../sdk/src/profiles/connect.js';
import { quietLogger, randomName, skipWithoutSamples } from './stage-helpers.js';
import {
  bootstrapServers,
  launchController,
  makeControllerDirs,
  produceRange
} from './controller-helpers.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'bin', 'alertlab');

/** GET `path` from a chosen local address, with an optional X-Forwarded-For; the status. */
function getFrom(url: string, path: string, localAddress: string, xff?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { localAddress, headers: xff ? { 'x-forwarded-for': xff } : {} },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skipWithoutSamples())(
  'users file lock, metrics and topics per user, proxies',
  () => {
    let transport: KafkaTransport;
    let buffer: BufferClient;
    let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
    let ctl: RunningController;
    let admin: ControllerClient;
    const tokens = new Map<string, string>();
    const input = randomName('scope-in');
    const groups: string[] = [];
    const created: string[] = [input];

    const addUser = async (name: string, ...flags: string[]): Promise<string> => {
      const { stdout } = await run(
        CLI,
        ['controller', 'user', 'add', name, '--state-dir', dirs.stateDir, ...flags],
        { env: { ...process.env, CI: process.env.CI ?? '' } }
      );
      return stdout.trim();
    };
    const client = (name: string) =>
      new ControllerClient({ url: ctl.url, token: tokens.get(name) as string });
    const statusOf = (p: Promise<unknown>): Promise<number> =>
      p.then(
        () => 200,
        (e: unknown) => (e instanceof ControllerRequestError ? e.status : -1)
      );

    beforeAll(async () => {
      transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
      buffer = await BufferClient.create({ bootstrapServers: bootstrapServers() });
      dirs = await makeControllerDirs();
      ctl = await launchController(dirs, {
        anonymous: { perSecond: 0.01, burst: 3, trustedProxies: ['127.0.0.1'] }
      });
      admin = new ControllerClient({ url: ctl.url, token: ctl.token });
      await admin.request('POST', '/buffers/topics', { topic: input, partitions: 1 });
      await produceRange(transport, input, 0, 30);
    });

    afterAll(async () => {
      await (await buffer?.admin())?.deleteGroups(groups).catch(() => undefined);
      await buffer?.deleteTopics(created).catch(() => undefined);
      await buffer?.close();
      await ctl?.close();
      await transport?.close();
      await dirs?.remove();
    });

    it('20 concurrent `user add` processes: 20 users, every token works at once', async () => {
      const names = Array.from({ length: 20 }, (_, i) => `u${String(i).padStart(2, '0')}`);
      const issued = await Promise.all(names.map(n => addUser(n)));
      names.forEach((n, i) => tokens.set(n, issued[i]));
      const { stdout } = await run(CLI, [
        'controller',
        'user',
        'list',
        '--json',
        '--state-dir',
        dirs.stateDir
      ]);
      expect((JSON.parse(stdout) as { name: string }[]).map(u => u.name).sort()).toEqual(names);
      const statuses = await Promise.all(
        names.map(n => statusOf(client(n).request('GET', '/stages')))
      );
      expect(statuses).toEqual(names.map(() => 200));
    }, 180_000);

    it('/metrics and /buffers/topics: a user sees their own stages and groups; admin and metrics all', async () => {
      tokens.set('alice', await addUser('alice'));
      tokens.set('bob', await addUser('bob'));
      tokens.set('prom', await addUser('prom', '--role', 'metrics'));
      const deploy = async (who: string): Promise<{ id: string; topic: string }> => {
        const id = randomName(`scope-${who}`);
        const manifest = {
          id,
          input: { topic: input, format: 'rubin' },
          filter: { language: 'sql', kind: 'yesno', source: 'coalesce(mag, 99) < 30' },
          batch: { maxRows: 50, maxWaitMs: 200 }
        };
        const r = await client(who).request<{ outputTopics: Record<string, string> }>(
          'POST',
          '/stages',
          { manifest }
        );
        await client(who).request('POST', `/stages/${id}/stop`);
        return { id, topic: Object.values(r.outputTopics)[0] };
      };
      const a = await deploy('alice');
      const b = await deploy('bob');

      const series = (text: string, id: string) => text.includes(`stage="${id}"`);
      const aliceMetrics = await client('alice').request<string>('GET', '/metrics');
      expect(series(aliceMetrics, a.id)).toBe(true);
      expect(series(aliceMetrics, b.id)).toBe(false);
      const bobMetrics = await client('bob').request<string>('GET', '/metrics');
      expect([series(bobMetrics, a.id), series(bobMetrics, b.id)]).toEqual([false, true]);
      for (const who of [admin, client('prom')]) {
        const all = await who.request<string>('GET', '/metrics');
        expect([series(all, a.id), series(all, b.id)]).toEqual([true, true]);
      }
      // the metrics role reads /metrics only
      expect(await statusOf(client('prom').request('GET', '/stages'))).toBe(403);
      expect(await statusOf(client('prom').request('GET', '/buffers/topics'))).toBe(403);

      // notebook reader groups of alice and bob on the input topic
      for (const user of ['alice', 'bob']) {
        const group = resumeGroupId({ user, stream: `local/${input}`, reader: 'scope.ipynb' });
        groups.push(group);
        const abort = new AbortController();
        for await (const batch of buffer.attach(input, {
          group,
          format: 'json',
          maxBatchRows: 2,
          signal: abort.signal
        })) {
          await batch.commit();
          abort.abort();
          break;
        }
      }
      type Topics = { topics: { topic: string; groups?: { groupId: string }[] }[] };
      const groupsSeen = async (who: ControllerClient): Promise<string[]> => {
        const r = await who.request<Topics>('GET', `/buffers/topics?match=${input}`);
        const t = r.topics.find(x => x.topic === input);
        expect(t, 'the shared input topic is listed').toBeDefined();
        return (t?.groups ?? []).map(g => g.groupId.split('.')[1]).sort();
      };
      expect(await groupsSeen(client('alice'))).toEqual(['alice']);
      expect(await groupsSeen(client('bob'))).toEqual(['bob']);
      expect(await groupsSeen(admin)).toEqual(['alice', 'bob']);
      // stage outputs (named after the stage): another user's are not listed
      const outputs = async (who: ControllerClient): Promise<boolean[]> => {
        const r = await who.request<Topics>('GET', '/buffers/topics?match=scope-');
        const names = r.topics.map(t => t.topic);
        return [names.includes(input), names.includes(a.topic), names.includes(b.topic)];
      };
      expect(await outputs(client('alice'))).toEqual([true, true, false]);
      expect(await outputs(client('bob'))).toEqual([true, false, true]);
      expect(await outputs(admin)).toEqual([true, true, true]);
      created.push(a.topic, b.topic);
    }, 180_000);

    it('X-Forwarded-For counts only from a trusted proxy (127.0.0.1 here)', async () => {
      // from 127.0.0.2 (not trusted): a new X-Forwarded-For on every call does not give a new bucket
      const spoofed = [];
      for (let i = 0; i < 5; i++) {
        spoofed.push(await getFrom(ctl.url, '/catalogs', '127.0.0.2', `198.51.100.${i}`));
      }
      expect(spoofed).toEqual([200, 200, 200, 429, 429]);
      // through the trusted proxy: one bucket per forwarded client
      const viaProxy = async (client: string): Promise<number[]> => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) {
          out.push(await getFrom(ctl.url, '/catalogs', '127.0.0.1', `203.0.113.77, ${client}`));
        }
        return out;
      };
      expect(await viaProxy('192.0.2.1')).toEqual([200, 200, 200, 429]);
      expect(await viaProxy('192.0.2.2')).toEqual([200, 200, 200, 429]);
      // the proxy's own requests (no header) are its own bucket
      expect(await getFrom(ctl.url, '/catalogs', '127.0.0.1')).toBe(200);
    });
  }
);
