/**
 * Per-user access to a real controller (issue 15, part 5): tokens issued by
 * `alertlab controller user add`, stored hashed; 401 before routing (no 404/405 to a caller
 * without a valid token, no server path in the reply); a user sees and changes only their own
 * stages (403 otherwise), an admin everything; the audit log records who deployed, scaled,
 * stopped, rolled back or deleted what, and the refused attempts; a revoked token is refused at
 * the next request.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { ControllerClient, ControllerRequestError } from '../sdk/src/control/client.js';
import type { AuditEntry } from '../sdk/src/control/audit.js';
import { createTransport } from '../sdk/src/buffer/transport.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { quietLogger, randomName, skipWithoutSamples } from './stage-helpers.js';
import {
  bootstrapServers,
  launchController,
  makeControllerDirs,
  produceRange
} from './controller-helpers.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'bin', 'alertlab');

describe.skipIf(skipWithoutSamples())('controller users, stage owners and the audit log', () => {
  let transport: KafkaTransport;
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let ctl: RunningController;
  let admin: ControllerClient;
  let alice: ControllerClient;
  let bob: ControllerClient;
  let input: string;
  const stage = randomName('owned');

  const addUser = async (name: string, ...flags: string[]): Promise<string> => {
    const { stdout } = await run(
      CLI,
      ['controller', 'user', 'add', name, '--state-dir', dirs.stateDir, ...flags],
      { env: { ...process.env, CI: process.env.CI ?? '' } }
    );
    return stdout.trim();
  };
  const statusOf = (p: Promise<unknown>): Promise<number> =>
    p.then(
      () => 200,
      (e: unknown) => (e instanceof ControllerRequestError ? e.status : -1)
    );

  beforeAll(async () => {
    transport = createTransport({ bootstrapServers: bootstrapServers(), logger: quietLogger });
    dirs = await makeControllerDirs();
    ctl = await launchController(dirs);
    admin = new ControllerClient({ url: ctl.url, token: ctl.token });
    // tokens issued by the CLI while the controller runs
    alice = new ControllerClient({ url: ctl.url, token: await addUser('alice') });
    bob = new ControllerClient({ url: ctl.url, token: await addUser('bob') });
    input = randomName('owned-in');
    await admin.request('POST', '/buffers/topics', { topic: input, partitions: 1 });
    await produceRange(transport, input, 0, 30);
  });

  afterAll(async () => {
    await ctl?.close();
    await transport?.close();
    await dirs?.remove();
  });

  it('tokens are stored hashed; a missing or wrong token is a 401 before any routing', async () => {
    const file = await readFile(join(dirs.stateDir, 'users.json'), 'utf8');
    expect(file).toMatch(/"tokenSha256": "[0-9a-f]{64}"/);
    expect(file).not.toMatch(/alab_/);
    for (const [method, path] of [
      ['GET', '/stages'],
      ['GET', '/no/such/route'],
      ['PATCH', '/stages'],
      ['GET', '/audit']
    ]) {
      for (const auth of [undefined, 'Bearer wrong-token', 'Basic abc']) {
        const res = await fetch(`${ctl.url}${path}`, {
          method,
          headers: auth ? { authorization: auth } : {}
        });
        expect(res.status, `${method} ${path} with ${auth}`).toBe(401);
        const body = await res.text();
        expect(body).not.toContain(dirs.root);
        expect(body).not.toContain('/');
      }
    }
    expect((await fetch(`${ctl.url}/health`)).status).toBe(200);
  });

  it('a user sees and changes only their own stages; an admin all; the audit says who did what', async () => {
    const manifest = {
      id: stage,
      input: { topic: input, format: 'rubin' },
      filter: { language: 'sql', kind: 'yesno', source: 'coalesce(mag, 99) < 30' },
      batch: { maxRows: 50, maxWaitMs: 200 }
    };
    const created = await alice.request<{ version: number }>('POST', '/stages', { manifest });
    expect(created.version).toBe(1);

    const ids = async (c: ControllerClient): Promise<string[]> =>
      (await c.request<{ stages: { id: string }[] }>('GET', '/stages')).stages.map(s => s.id);
    expect(await ids(alice)).toContain(stage);
    expect(await ids(bob)).not.toContain(stage);
    expect(await ids(admin)).toContain(stage);

    expect(await statusOf(bob.request('GET', `/stages/${stage}`))).toBe(403);
    expect(await statusOf(bob.request('POST', `/stages/${stage}/scale`, { replicas: 2 }))).toBe(
      403
    );
    expect(await statusOf(bob.request('POST', `/stages/${stage}/stop`))).toBe(403);
    expect(await statusOf(bob.request('POST', `/stages/${stage}/rollback`, {}))).toBe(403);
    expect(await statusOf(bob.request('DELETE', `/stages/${stage}`))).toBe(403);
    expect(
      await statusOf(bob.request('POST', `/stages/${stage}/objects`, { sql: 'SELECT 1' }))
    ).toBe(403);
    expect(await statusOf(bob.request('POST', '/stages', { manifest }))).toBe(403);

    expect(await statusOf(alice.request('GET', `/stages/${stage}`))).toBe(200);
    expect(await statusOf(alice.request('POST', `/stages/${stage}/stop`))).toBe(200);
    expect(await statusOf(admin.request('POST', `/stages/${stage}/scale`, { replicas: 1 }))).toBe(
      200
    );
    expect(await statusOf(admin.request('DELETE', `/stages/${stage}`))).toBe(200);

    const all = (await admin.request<{ entries: AuditEntry[] }>('GET', '/audit')).entries;
    const said = all.map(e => `${e.user} ${e.action} ${e.stage} ${e.outcome}`);
    expect(said).toEqual([
      `alice deploy ${stage} ok`,
      `bob scale ${stage} denied`,
      `bob stop ${stage} denied`,
      `bob rollback ${stage} denied`,
      `bob delete ${stage} denied`,
      `bob deploy ${stage} denied`,
      `alice stop ${stage} ok`,
      `admin scale ${stage} ok`,
      `admin delete ${stage} ok`
    ]);
    expect(all[0].detail).toMatchObject({ version: 1 });
    const own = (await bob.request<{ entries: AuditEntry[] }>('GET', '/audit')).entries;
    expect(new Set(own.map(e => e.user))).toEqual(new Set(['bob']));
  });

  it('a revoked token is refused at the next request', async () => {
    expect(await statusOf(bob.request('GET', '/stages'))).toBe(200);
    await run(CLI, ['controller', 'user', 'revoke', 'bob', '--state-dir', dirs.stateDir]);
    expect(await statusOf(bob.request('GET', '/stages'))).toBe(401);
    expect(await statusOf(alice.request('GET', '/stages'))).toBe(200);
    const { stdout } = await run(CLI, [
      'controller',
      'user',
      'list',
      '--json',
      '--state-dir',
      dirs.stateDir
    ]);
    const listed = JSON.parse(stdout) as { name: string; revokedAt?: string }[];
    expect(listed.find(u => u.name === 'bob')?.revokedAt).toBeDefined();
    expect(listed.find(u => u.name === 'alice')?.revokedAt).toBeUndefined();
  });
});
