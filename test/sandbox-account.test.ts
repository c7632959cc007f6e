/**
 * The filter sandbox under a normal (non-root) account (issue 15 part 1): this test, as root,
 * creates a system account of its own (`alertlab-sbx-<pid>`, removed afterwards) and runs test/sandbox-account-probe.ts
 * as that account (`runuser`), where the sandbox is made inside a user namespace. The probe's
 * hostile TypeScript and Python filters must find the same walls as under root: no network,
 * the account's token, `$ALERTLAB_HOME` and home unreadable, no writes outside their scratch
 * folder, no capabilities, the syscall filter on, a bounded fork bomb held at the process cap
 * (RLIMIT_NPROC set inside the namespace), `kill(-1)`/`kill(0)` harmless to the host process,
 * nothing of the account left running afterwards. On the code before this change the workers
 * did not start at all (libmount's `mount --move` failed as root of a user namespace), and
 * `kill(0)` from a filter killed its host (same uid, same process group).
 *
 * With user namespaces unavailable (made for real by starting the probe under the seccomp
 * launcher, which refuses unshare — the kernel answers the same with user.max_user_namespaces=0,
 * a machine-wide setting this shared machine cannot flip), loading must be refused with a clear
 * error, never fall back to running unsandboxed.
 *
 * The runtime lives under /root here (0700): the account gets it through a mount namespace that
 * covers /root with an empty read-only tmpfs and binds back only Node and Python (the sandbox's
 * own mount script), as a machine installing them for every account would.
 */
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountScript } from '../sdk/src/filter/sandbox-mounts.js';
import { REPO_ROOT, SECCOMP_LAUNCHER, runtimePrefix } from '../sdk/src/filter/sandbox.js';

// an account of this run's own (removed in afterAll): the process check below then sees only what
// this run started, whatever else runs on the machine (another run, a leftover)
const ACCOUNT = `alertlab-sbx-${process.pid}`;
const ACCOUNT_HOME = `/var/lib/${ACCOUNT}`;
const python = join(REPO_ROOT, '.venv', 'bin', 'python');
const isRoot = process.getuid?.() === 0;
const tools = ['/usr/sbin/useradd', '/usr/sbin/runuser', SECCOMP_LAUNCHER];
const ready = process.platform === 'linux' && isRoot && tools.every(t => existsSync(t));
if (!ready && process.env.CI === 'true') {
  throw new Error(
    `CI runs as root and must run the normal-account sandbox test: root ${isRoot}, missing: ${tools.filter(t => !existsSync(t)).join(', ') || 'none'}`
  );
}
const skipWhy = ready ? '' : ' [skipped: needs root, useradd, runuser and the seccomp launcher]';

/** The account's uid, creating the account if need be (idempotent). */
function ensureAccount(): number {
  const id = (): ReturnType<typeof spawnSync> =>
    spawnSync('id', ['-u', ACCOUNT], { encoding: 'utf8' });
  if (id().status !== 0) {
    const add = spawnSync(
      '/usr/sbin/useradd',
      [
        '--system',
        '--user-group',
        '--create-home',
        '--home-dir',
        ACCOUNT_HOME,
        '--shell',
        '/usr/sbin/nologin',
        ACCOUNT
      ],
      { encoding: 'utf8' }
    );
    expect([0, 9], add.stderr).toContain(add.status);
  }
  const r = id();
  expect(r.status).toBe(0);
  return Number(String(r.stdout).trim());
}

/** Runs the probe as the account; `wrap` goes before Node (e.g. the seccomp launcher). */
function runProbe(uid: number, wrap: string[], args: string[]): Record<string, unknown> {
  expect(statSync(ACCOUNT_HOME).uid).toBe(uid);
  // the runtime, and the checkout should it live under root's home (it must be world-readable)
  const keep = [runtimePrefix(process.execPath), runtimePrefix(python), REPO_ROOT];
  const script = mountScript([homedir()], keep);
  const r = spawnSync(
    '/usr/bin/unshare',
    [
      '--mount',
      '--',
      '/bin/sh',
      '-c',
      script,
      'alertlab-account-test',
      '/usr/sbin/runuser',
      '-u',
      ACCOUNT,
      '--',
      '/usr/bin/env',
      '-i',
      'PATH=/usr/local/bin:/usr/bin:/bin',
      `HOME=${ACCOUNT_HOME}`,
      `ALERTLAB_HOME=${join(ACCOUNT_HOME, '.alertlab')}`,
      ...wrap,
      process.execPath,
      '--import',
      'tsx',
      join(REPO_ROOT, 'test', 'sandbox-account-probe.ts'),
      ...args
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 150_000 }
  );
  const json = /RESULT(\{.*\})/.exec(r.stdout)?.[1];
  expect(json, `status ${r.status}\n${r.stdout}\n${r.stderr.slice(-4000)}`).toBeDefined();
  return JSON.parse(json as string) as Record<string, unknown>;
}

function processesOf(uid: number): number[] {
  return readdirSync('/proc')
    .filter(d => /^\d+$/.test(d))
    .filter(d => {
      try {
        return new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(
          readFileSync(`/proc/${d}/status`, 'utf8')
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Removes what the probe left in /tmp (its own folders; the sandbox's are gone already). */
function cleanTmp(uid: number): string[] {
  const escaped: string[] = [];
  for (const name of readdirSync('/tmp')) {
    const p = join('/tmp', name);
    if (name.startsWith('alertlab-account-escape-')) {
      escaped.push(p);
    }
    if (name.startsWith('alertlab-account-') && statSync(p).uid === uid) {
      rmSync(p, { recursive: true, force: true });
    }
  }
  return escaped;
}

describe.skipIf(!ready)(`the filter sandbox under a normal account${skipWhy}`, () => {
  afterAll(() => {
    spawnSync('/usr/sbin/userdel', ['--force', '--remove', ACCOUNT], { encoding: 'utf8' });
  });

  it('TS and Python filters: no network, token/home unreadable, scratch only, capped, seccomp on', async () => {
    const uid = ensureAccount();
    const out = runProbe(uid, [], []);
    expect(out.mode).toBe('userns');
    expect(out.hostUid).toBe(uid);
    const ts = out.tsProbe as Record<string, string | number>;
    expect(ts.uid).toBe(0); // root of its own user namespace = the account outside, no capabilities
    expect(ts.capEff).toBe('0000000000000000');
    expect(ts.nnp).toBe('1');
    expect(ts.seccomp).toBe('2');
    expect(ts.token).toMatch(/^ERR/);
    expect(ts.homeSecret).toMatch(/^ERR/);
    expect(ts.home).not.toMatch(/controller\.token/);
    expect(ts.write).toMatch(/^ERR/);
    expect(ts.homeWrite).toMatch(/^ERR/);
    expect(ts.scratch).toBe('written');
    expect(ts.net).toMatch(/^ERR/);
    expect(Number(ts.pids)).toBeLessThan(10); // its own /proc: no host process
    expect(ts.nproc).toBe('64');
    for (const bomb of [out.tsBomb, out.py_bomb] as Record<string, number>[]) {
      expect(bomb.started, JSON.stringify(bomb)).toBeLessThan(64);
      expect(bomb.refused, JSON.stringify(bomb)).toBeGreaterThan(100);
    }
    expect(out.hostAlive).toBe(true); // kill(-1) and kill(0) from the killer did not reach it
    const py = out.py_probe as Record<string, string | number>;
    expect(py.capEff).toBe('0000000000000000');
    expect(py.seccomp).toBe('2');
    for (const key of ['token', 'homeSecret', 'write', 'net']) {
      expect(`${key}: ${py[key]}`).toMatch(/: ERR/);
    }
    expect(py.unshare).not.toBe('ok');
    expect(out.py_bright).toEqual([0, 0, -1]); // a normal filter routes
    const t0 = Date.now();
    while (processesOf(uid).length > 0 && Date.now() - t0 < 5000) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(processesOf(uid)).toEqual([]); // bombs' sleeps and workers died with their sandboxes
    expect(cleanTmp(uid)).toEqual([]);
    expect(readdirSync(ACCOUNT_HOME).filter(n => n.startsWith('escape-'))).toEqual([]);
  }, 180_000);

  it('a kept folder the account owns (its own checkout) is read-only to the filter', () => {
    const uid = ensureAccount();
    const dir = mkdtempSync('/var/lib/alertlab-kept-');
    try {
      chownSync(dir, uid, uid);
      const out = runProbe(uid, [], ['--write-kept', dir]);
      expect(out.mode).toBe('userns');
      expect(readFileSync(join(dir, 'by-account'), 'utf8')).toBe('x'); // writable to the account
      expect(existsSync(join(dir, 'by-filter')), JSON.stringify(out)).toBe(false);
      expect(String(out.out)).not.toContain('WROTE');
      expect(String(out.out)).toMatch(/^RUN\[\/run:\s*\/var\/run:\s*\]$/m); // service sockets hidden
      expect(String(out.err), JSON.stringify(out)).toMatch(/by-filter: Read-only file system/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('where user namespaces cannot be made, TS and Python filters are refused, not run bare', () => {
    const uid = ensureAccount();
    const out = runProbe(uid, [SECCOMP_LAUNCHER], ['--expect-refusal']);
    cleanTmp(uid);
    expect(out.mode).toBe('none');
    for (const [lang, got] of [
      ['TypeScript', out.ts],
      ['Python', out.py]
    ] as const) {
      const e = got as Record<string, string>;
      expect(e.name, JSON.stringify(got)).toBe('ConfigError');
      expect(e.code).toBe('no-sandbox');
      expect(e.message).toContain(`Refusing to run the ${lang} filter`);
      expect(e.message).toMatch(/user namespaces are not available to this account/);
    }
  }, 120_000);
});
