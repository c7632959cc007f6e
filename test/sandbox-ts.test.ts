/**
 * Hostile TypeScript filters (issue 15, part 1) run by the real filter runtime in its sandboxed
 * process: they cannot read the controller's token or `$ALERTLAB_HOME`, are not root, reach no
 * network, write nowhere outside their folder, cannot kill their host, are capped in processes
 * and memory, and an import-time loop is stopped — each a clean error for that batch (or load),
 * the host process unharmed. On the code before this change every probe succeeded (the filter ran
 * as a thread of the controller, as root) and `process.kill(process.pid)` killed the controller.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertlabHome } from '../sdk/src/catalog/paths.js';
import { loadTypeScriptFilter } from '../sdk/src/filter/factories.js';
import { sandboxMode } from '../sdk/src/filter/sandbox.js';
import type { WorkerTypeScriptFilter } from '../sdk/src/filter/ts-worker.js';

const supported = process.platform === 'linux' && sandboxMode() !== 'none';
if (!supported && process.env.CI === 'true') {
  throw new Error('CI must run the sandbox tests: util-linux prlimit/unshare/setpriv are needed');
}

function batchOf(n: number): RecordBatch {
  const mag = vectorFromArray(
    Array.from({ length: n }, (_, i) => 15 + i),
    new Float64()
  );
  return new Table({ mag }).batches[0];
}

/** pids of processes running as `uid` (from /proc). */
function processesOf(uid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) {
      continue;
    }
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status)) {
        out.push(Number(d));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The message a failing batch gives (or 'routed'). */
async function outcome(f: WorkerTypeScriptFilter, rows = 3): Promise<string> {
  return f.evaluate(batchOf(rows)).then(
    () => 'routed',
    (e: unknown) => String((e as Error).message)
  );
}

function reportOf(message: string): Record<string, string | number> {
  const json = /REPORT(\{.*\})/s.exec(message)?.[1];
  expect(json, message).toBeDefined();
  return JSON.parse(json as string) as Record<string, string | number>;
}

const HEADER = "import { defineFilter } from '@alertlab/sdk';\n";

const probe = (files: Record<string, string>): string => `${HEADER}
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
const FILES = ${JSON.stringify(files)};
const attempt = f => { try { return String(f()).slice(0, 300); } catch (e) { return 'ERR ' + (e.code ?? e.message); } };
const net = await new Promise(resolve => {
  const s = connect(Number(FILES.port), '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve('connected'); });
  s.once('error', e => resolve('ERR ' + e.code));
  setTimeout(() => resolve('ERR timeout'), 3000);
});
const report = {
  uid: process.getuid(),
  token: attempt(() => readFileSync(FILES.token, 'utf8')),
  secret: attempt(() => readFileSync(FILES.secret, 'utf8')),
  home: attempt(() => readdirSync(FILES.home).join(',')),
  id: attempt(() => execFileSync('id', { encoding: 'utf8' })),
  write: attempt(() => { writeFileSync(FILES.outside, 'escaped'); return 'written'; }),
  writeRepo: attempt(() => { writeFileSync(FILES.repoFile, 'escaped'); return 'written'; }),
  net,
  env: Object.keys(process.env).join(',')
};
export default defineFilter({ kind: 'yesno', fn: () => { throw new Error('REPORT' + JSON.stringify(report)); } });
`;

const KILLER = `${HEADER}
export default defineFilter({ kind: 'yesno', fn: batch => {
  process.kill(process.pid, 'SIGKILL');
  try { process.kill(process.ppid, 'SIGKILL'); } catch {}
  try { process.kill(-1, 'SIGKILL'); } catch {}
  return Array.from({ length: batch.numRows }, () => true);
} });
`;

const EXITER = `${HEADER}
export default defineFilter({ kind: 'yesno', fn: batch => {
  if (batch.numRows === 3) { process.exit(3); }
  return Array.from({ length: batch.numRows }, () => true);
} });
`;

const BOMB = `${HEADER}
import { spawnSync } from 'node:child_process';
export default defineFilter({ kind: 'yesno', fn: () => {
  spawnSync('/bin/sh', ['-c', 'f() { f | f & }; f'], { stdio: 'ignore' });
  let started = 0, refused = 0;
  for (let i = 0; i < 200; i++) {
    // the shell exits 2 ("Cannot fork") when it cannot start its sleep
    const r = spawnSync('/bin/sh', ['-c', 'sleep 60 &'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) { refused += 1; } else { started += 1; }
  }
  throw new Error('REPORT' + JSON.stringify({ started, refused }));
} });
`;

const HOG_BUFFER = `${HEADER}
export default defineFilter({ kind: 'yesno', fn: batch => {
  const block = new Uint8Array(8 * 2 ** 30);
  block.fill(1);
  return Array.from({ length: batch.numRows }, () => block[0] === 1);
} });
`;

const HOG_HEAP = `${HEADER}
export default defineFilter({ kind: 'yesno', fn: () => {
  const keep = [];
  for (;;) { keep.push(new Array(1e6).fill(Math.random())); }
} });
`;

const BURNER = `${HEADER}
export default defineFilter({ kind: 'yesno', fn: batch => {
  const t0 = process.cpuUsage();
  for (;;) {
    const u = process.cpuUsage(t0);
    if (u.user + u.system > 600_000) { break; }
  }
  return Array.from({ length: batch.numRows }, () => true);
} });
`;

const IMPORT_LOOP = `${HEADER}
for (;;) {}
export default defineFilter({ kind: 'yesno', fn: batch => Array.from({ length: batch.numRows }, () => true) });
`;

describe.skipIf(!supported)('TypeScript filters in their sandbox (real processes)', () => {
  let dir: string;
  const write = async (name: string, source: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, source);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-hostile-ts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('cannot read the token or $ALERTLAB_HOME, is not root, has no network, writes nowhere else', async () => {
    const token = join(dir, 'controller.token');
    await writeFile(token, 'controller-secret-token\n', { mode: 0o600 });
    const secret = join(dir, 'world-readable.txt');
    await writeFile(secret, 'readable by anyone on the host\n');
    await chmod(secret, 0o644);
    await chmod(dir, 0o755);
    const outside = join(tmpdir(), `alertlab-escape-${process.pid}-${Date.now()}`);
    const repoFile = join(import.meta.dirname, `escape-${process.pid}.txt`);
    const home = alertlabHome();
    expect(readdirSync(home).length).toBeGreaterThan(0); // the host sees entries there
    process.env.ALERTLAB_TEST_TOKEN = 'controller-secret';
    const f = await loadTypeScriptFilter(
      await write(
        'probe.ts',
        probe({ token, secret, home, outside, repoFile, port: String(19092) })
      )
    );
    delete process.env.ALERTLAB_TEST_TOKEN;
    try {
      const r = reportOf(await outcome(f));
      expect(sandboxMode() === 'root' ? r.uid : 0).not.toBe(0);
      expect(r.token).toMatch(/^ERR/);
      expect(r.secret).toMatch(/^ERR/); // its folder is under a hidden temp folder
      expect(r.home).not.toMatch(/kafka|controller/);
      expect(r.net).toMatch(/^ERR/);
      expect(r.write).toMatch(/^ERR/);
      expect(existsSync(outside)).toBe(false);
      expect(existsSync(repoFile)).toBe(false);
      expect(String(r.env)).not.toMatch(/ALERTLAB_TEST_TOKEN/);
      if (sandboxMode() === 'root') {
        expect(r.id).not.toMatch(/uid=0\(/);
        expect(r.writeRepo).toMatch(/^ERR/);
      }
    } finally {
      await f.close();
    }
  });

  it('cannot kill its host: kill(pid/ppid/-1) stays inside its PID namespace; exit fails one batch', async () => {
    const killer = await loadTypeScriptFilter(await write('killer.ts', KILLER));
    try {
      const result = await outcome(killer);
      // as PID 1 of its namespace it ignores its own SIGKILL; either way the batch ends cleanly
      expect(result === 'routed' || /process/.test(result)).toBe(true);
    } finally {
      await killer.close();
    }
    const exiter = await loadTypeScriptFilter(await write('exiter.ts', EXITER));
    try {
      expect(await outcome(exiter, 3)).toMatch(/"exiter".*exited with code 3/s);
      expect(await outcome(exiter, 2)).toBe('routed'); // a fresh process for the next batch
      expect(exiter.restarts).toBe(1);
    } finally {
      await exiter.close();
    }
    expect(process.kill(process.pid, 0)).toBe(true);
  });

  it('a fork bomb is refused past the process cap and dies with its process', async () => {
    const f = await loadTypeScriptFilter(await write('bomb.ts', BOMB), { timeoutMs: 20_000 });
    const uid = f.workerUid;
    let most = 0;
    let watching = true;
    const watch = (async () => {
      while (watching && uid !== undefined) {
        most = Math.max(most, processesOf(uid).length);
        await new Promise(r => setTimeout(r, 50));
      }
    })();
    try {
      const r = reportOf(await outcome(f));
      expect(r.refused).toBeGreaterThan(100);
      expect(r.started).toBeLessThan(64);
    } finally {
      watching = false;
      await watch;
      await f.close();
    }
    if (sandboxMode() === 'root' && uid !== undefined) {
      expect(most).toBeLessThanOrEqual(64); // RLIMIT_NPROC: processes of its uid
      const t0 = Date.now();
      while (processesOf(uid).length > 0 && Date.now() - t0 < 5000) {
        await new Promise(r => setTimeout(r, 100));
      }
      expect(processesOf(uid)).toEqual([]);
    }
  });

  it('8 GB buffers and an endless heap fail their batch under the memory limit', async () => {
    const rssBefore = process.memoryUsage().rss;
    const buffer = await loadTypeScriptFilter(await write('hog-buffer.ts', HOG_BUFFER), {
      memoryLimitMb: 512
    });
    try {
      expect(await outcome(buffer)).toMatch(/allocation failed|Invalid typed array length/);
    } finally {
      await buffer.close();
    }
    const heap = await loadTypeScriptFilter(await write('hog-heap.ts', HOG_HEAP), {
      memoryLimitMb: 512,
      timeoutMs: 30_000
    });
    try {
      const t0 = Date.now();
      expect(await outcome(heap)).toMatch(/"hog-heap": its process (exited|was killed)/);
      expect(Date.now() - t0).toBeLessThan(30_000);
    } finally {
      await heap.close();
    }
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 2 ** 20);
  });

  it('a process past half its CPU seconds is replaced between batches, before RLIMIT_CPU hits', async () => {
    const f = await loadTypeScriptFilter(await write('burner.ts', BURNER), {
      cpuSeconds: 2,
      timeoutMs: 20_000
    });
    try {
      for (let i = 0; i < 3; i++) {
        expect(await outcome(f)).toBe('routed'); // 0.6 s of CPU each: with its start, the 3rd would pass 2 s
      }
      expect(f.restarts).toBeGreaterThanOrEqual(1);
    } finally {
      await f.close();
    }
  });

  it('a loop at import time is stopped at the start time limit', async () => {
    const t0 = Date.now();
    const err = await loadTypeScriptFilter(await write('import-loop.ts', IMPORT_LOOP), {
      startTimeoutMs: 4000
    }).then(
      () => null,
      (e: unknown) => e as Error
    );
    expect(err?.message).toMatch(/did not load within 4000 ms/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
