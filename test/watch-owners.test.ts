/**
 * Watchlists and watchmaps have owners (issue 15), on a real controller: 401 without a token;
 * private by default, `?shared=true` lets every user read and use one; only the owner or an admin
 * replaces or deletes (403); a user's stage may name only its own or shared watches (403 for
 * another's, for "*" and for another store path) and its notification destinations must be
 * allowed addresses (400 naming ALERTLAB_NOTIFY_ALLOW); every change and refusal is audited; the
 * Python API works with a user's own token.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../sdk/src/control/audit.js';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import { launchController, makeControllerDirs, type ControllerDirs } from './controller-helpers.js';

const ROOT = join(import.meta.dirname, '..');
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const pythonReady = existsSync(PYTHON);
if (!pythonReady && process.env.CI === 'true') {
  throw new Error('.venv is missing under CI=true: run bash scripts/setup.sh');
}

const CSV = 'name,ra,dec,radius\nsn-a,10.0,-5.0,3\nsn-b,20.0,5.0,4\n';
const CONE = JSON.stringify({ cone: { ra: 20, dec: 30, radiusDeg: 0.5 }, depth: 10 });

describe('watch owners, stage references and notification destinations', () => {
  let dirs: ControllerDirs & { remove(): Promise<void> };
  let ctl: RunningController;
  const token: Record<string, string> = {};
  const savedAllow = process.env.ALERTLAB_NOTIFY_ALLOW;

  const call = async (
    who: string | undefined,
    method: string,
    path: string,
    body?: string,
    type = 'application/json'
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${ctl.url}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${token[who]}` } : {}),
        ...(body !== undefined ? { 'content-type': type } : {})
      },
      body
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const status = async (...args: Parameters<typeof call>): Promise<number> =>
    (await call(...args)).status;
  const names = async (who: string, kind: 'watchlists' | 'watchmaps'): Promise<string[]> =>
    ((await call(who, 'GET', `/${kind}`)).json[kind] as { name: string }[]).map(w => w.name);

  beforeAll(async () => {
    dirs = await makeControllerDirs();
    process.env.ALERTLAB_WATCHLISTS = join(dirs.root, 'watchlists.duckdb');
    process.env.ALERTLAB_WATCHMAPS = join(dirs.root, 'watchmaps');
    delete process.env.ALERTLAB_NOTIFY_ALLOW;
    ctl = await launchController(dirs);
    token.admin = ctl.token;
    token.alice = await ctl.users.add('alice');
    token.bob = await ctl.users.add('bob');
  });
  afterAll(async () => {
    await ctl?.close();
    delete process.env.ALERTLAB_WATCHLISTS;
    delete process.env.ALERTLAB_WATCHMAPS;
    if (savedAllow === undefined) {
      delete process.env.ALERTLAB_NOTIFY_ALLOW;
    } else {
      process.env.ALERTLAB_NOTIFY_ALLOW = savedAllow;
    }
    await dirs?.remove();
  });

  it('401 without a token; private by default; shared read-only for others; admins all', async () => {
    for (const [m, p] of [
      ['GET', '/watchlists'],
      ['POST', '/watchlists/x'],
      ['DELETE', '/watchmaps/x']
    ]) {
      expect(await status(undefined, m, p), `${m} ${p}`).toBe(401);
    }
    const mine = await call('alice', 'POST', '/watchlists/al-private', CSV, 'text/csv');
    expect(mine.status).toBe(201);
    expect(mine.json).toMatchObject({ name: 'al-private', owner: 'alice', shared: false });
    const shared = await call('alice', 'PUT', '/watchmaps/am-shared?shared=true', CONE);
    expect(shared.json).toMatchObject({ owner: 'alice', shared: true });
    expect(await status('bob', 'PUT', '/watchlists/bl?shared=maybe', CSV, 'text/csv')).toBe(400);
    expect(await status('bob', 'PUT', '/watchlists/bl', CSV, 'text/csv')).toBe(200);

    expect(await names('bob', 'watchlists')).toEqual(['bl']);
    expect(await names('bob', 'watchmaps')).toEqual(['am-shared']);
    expect(await names('alice', 'watchlists')).toEqual(['al-private']);
    expect(await names('admin', 'watchlists')).toEqual(['al-private', 'bl']);
    const adminView = (await call('admin', 'GET', '/watchlists')).json.watchlists;
    expect(adminView).toMatchObject([{ owner: 'alice' }, { owner: 'bob', shared: false }]);

    expect(await status('bob', 'PUT', '/watchlists/al-private', CSV, 'text/csv')).toBe(403);
    expect(await status('bob', 'POST', '/watchlists/al-private', CSV, 'text/csv')).toBe(403);
    expect(await status('bob', 'DELETE', '/watchlists/al-private')).toBe(403);
    expect(await status('bob', 'PUT', '/watchmaps/am-shared', CONE)).toBe(403);
    expect(await status('bob', 'DELETE', '/watchmaps/am-shared')).toBe(403);
    expect(await status('bob', 'DELETE', '/watchmaps/none-such')).toBe(404);
    expect(await status('alice', 'PUT', '/watchlists/al-private', CSV, 'text/csv')).toBe(200);
    // a replace keeps the owner and the sharing
    expect((await call('alice', 'PUT', '/watchmaps/am-shared', CONE)).json).toMatchObject({
      owner: 'alice',
      shared: true
    });
    expect(await status('admin', 'DELETE', '/watchlists/bl')).toBe(200);
    expect(await names('bob', 'watchlists')).toEqual([]);
  });

  it("a user's stage names only its own or shared watches; destinations must be allowed", async () => {
    const deploy = (who: string, extra: Record<string, unknown>) =>
      call(
        who,
        'POST',
        '/stages',
        JSON.stringify({
          manifest: {
            id: `wo-${who}-stage`,
            input: { topic: 'wo-no-such-topic-5e1c', format: 'json' },
            filter: { language: 'sql', kind: 'yesno', source: 'true' },
            ...extra
          }
        })
      );
    const use = (watch: Record<string, unknown>) => ({ watch });
    // past the checks, a deploy stops at the missing input topic (422)
    expect((await deploy('bob', use({ watchlists: ['al-private'] }))).status).toBe(403);
    const backtest = await call(
      'bob',
      'POST',
      '/stages/backtest',
      JSON.stringify({
        manifest: {
          input: { topic: 'wo-no-such-topic-5e1c', format: 'json' },
          filter: { language: 'sql', kind: 'yesno', source: "in_watchlist('al-private')" },
          watch: { watchlists: ['al-private'] }
        }
      })
    );
    expect(backtest.status).toBe(403);
    expect((await deploy('bob', use({ watchmaps: ['am-shared'] }))).status).toBe(422);
    expect((await deploy('bob', use({ watchmaps: '*' }))).status).toBe(403);
    const other = use({ watchmaps: ['am-shared'], watchmapDir: dirs.root });
    expect((await deploy('bob', other)).status).toBe(403);
    expect((await deploy('alice', use({ watchlists: ['al-private'] }))).status).toBe(422);
    expect((await deploy('admin', use({ watchlists: '*', watchmaps: '*' }))).status).toBe(422);

    const hook = (url: string) => ({
      notifications: [{ name: 'h', output: 'pass', kind: 'webhook', url }]
    });
    for (const url of [
      'http://127.0.0.1:19092/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:8750/stages',
      `${ctl.url}/stages`,
      'http://10.0.0.5/hook'
    ]) {
      const r = await deploy('alice', hook(url));
      expect(r.status, url).toBe(400);
      expect(String(r.json.error), url).toMatch(/ALERTLAB_NOTIFY_ALLOW/);
    }
    const relay = await deploy('alice', {
      notifications: [
        { name: 'm', output: 'pass', kind: 'email', host: 'localhost', from: 'a@b', to: ['c@d'] }
      ]
    });
    expect(relay.status).toBe(400);
    process.env.ALERTLAB_NOTIFY_ALLOW = '127.0.0.1/32';
    expect((await deploy('alice', hook('http://127.0.0.1:9/'))).status).toBe(422);
    expect((await deploy('alice', hook('http://10.0.0.5/hook'))).status).toBe(400);
    delete process.env.ALERTLAB_NOTIFY_ALLOW;
  });

  it('the audit log records watch changes and refusals', async () => {
    const entries = (await call('admin', 'GET', '/audit')).json.entries as AuditEntry[];
    const said = entries
      .filter(e => e.target)
      .map(e => `${e.user} ${e.action} ${e.target} ${e.outcome}`);
    expect(said).toEqual([
      'alice watchlist-create watchlist/al-private ok',
      'alice watchmap-put watchmap/am-shared ok',
      'bob watchlist-put watchlist/bl failed', // ?shared=maybe: 400
      'bob watchlist-put watchlist/bl ok',
      'bob watchlist-put watchlist/al-private denied',
      'bob watchlist-create watchlist/al-private denied',
      'bob watchlist-delete watchlist/al-private denied',
      'bob watchmap-put watchmap/am-shared denied',
      'bob watchmap-delete watchmap/am-shared denied',
      'alice watchlist-put watchlist/al-private ok',
      'alice watchmap-put watchmap/am-shared ok',
      'admin watchlist-delete watchlist/bl ok'
    ]);
    const bobs = (await call('bob', 'GET', '/audit')).json.entries as AuditEntry[];
    expect(new Set(bobs.map(e => e.user))).toEqual(new Set(['bob']));
  });

  it.skipIf(!pythonReady)('the Python API with a user token (needs .venv)', async () => {
    const tokenFile = join(dirs.root, 'bob.token');
    await writeFile(tokenFile, `${token.bob}\n`, { mode: 0o600 });
    const script = String.raw`
import json, sys
from alertlab import watch
from alertlab.controller import ControllerError
kw = dict(url=sys.argv[1], token_file=sys.argv[2])
out = {}
info = watch.watchlist_upload("bob-pub", {"name": ["x"], "ra": [1.0], "dec": [2.0]}, shared=True, **kw)
out["mine"] = [info.owner, info.shared]
out["maps"] = [[m.name, m.owner, m.shared] for m in watch.watchmaps(**kw)]
out["lists"] = sorted(l.name for l in watch.watchlists(**kw))
try:
    watch.watchlist_remove("al-private", **kw)
except ControllerError as e:
    out["denied"] = e.status
print(json.dumps(out))
`;
    const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, ctl.url, tokenFile], {
      env: { ...process.env, PYTHONPATH: join(ROOT, 'kernel-bridge', 'python') },
      encoding: 'utf8'
    });
    const out = JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
    expect(out).toEqual({
      mine: ['bob', true],
      maps: [['am-shared', 'alice', true]],
      lists: ['bob-pub'],
      denied: 403
    });
    expect(await names('alice', 'watchlists')).toEqual(['al-private', 'bob-pub']);
  });
});
