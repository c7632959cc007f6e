/**
 * The Python filter worker is no longer root (issue 15, part 1): it runs as a uid of its own,
 * cannot read a root-only file, `$ALERTLAB_HOME` or the temp folders, cannot write outside its
 * folder, and a fork bomb is held to its process cap and dies with the worker. Real worker, real
 * Python; each would have succeeded on the code before (the worker ran as uid 0).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertlabHome } from '../sdk/src/catalog/paths.js';
import { repoRoot } from '../sdk/src/filter/python/connection-file.js';
import { withPythonFilterHost } from '../sdk/src/filter/python-host.js';
import { SANDBOX_UID_BASE, sandboxMode } from '../sdk/src/filter/sandbox.js';

const python = join(repoRoot(), '.venv', 'bin', 'python');
const root = process.platform === 'linux' && sandboxMode() === 'root';
if (!root && process.env.CI === 'true') {
  throw new Error('CI runs as root and must run the Python uid sandbox tests (util-linux tools)');
}

const HOSTILE = (files: Record<string, string>) => `
import json, os, subprocess, time
import pyarrow as pa
import alertlab

FILES = json.loads(${JSON.stringify(JSON.stringify(files))})

def attempt(f):
    try:
        return str(f())[:300]
    except Exception as e:
        return "ERR " + type(e).__name__

def write():
    with open(FILES["outside"], "w") as f:
        f.write("escaped")
    return "written"

@alertlab.filter(kind="yesno", columns=["mag"])
def probe(batch):
    report = {
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": os.getgroups(),
        "secret": attempt(lambda: open(FILES["secret"]).read()),
        "home": attempt(lambda: ",".join(os.listdir(FILES["home"]))),
        "write": attempt(write),
        "id": attempt(lambda: subprocess.run(["id"], capture_output=True, text=True).stdout),
    }
    raise RuntimeError("REPORT" + json.dumps(report))

@alertlab.filter(kind="yesno", columns=["mag"])
def bomb(batch):
    started = refused = 0
    for _ in range(200):
        try:
            pid = os.fork()
        except OSError:
            refused += 1
            continue
        if pid == 0:
            while True:  # the child keeps forking, never returns to the worker
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.05)
        started += 1
    raise RuntimeError("REPORT" + json.dumps({"started": started, "refused": refused}))
`;

function batchOf(n: number): RecordBatch {
  const mag = vectorFromArray(
    Array.from({ length: n }, (_, i) => 15 + i),
    new Float64()
  );
  return new Table({ mag }).batches[0];
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

function reportOf(message: string): Record<string, unknown> {
  const json = /REPORT(\{.*?\})/s.exec(message)?.[1];
  expect(json, message).toBeDefined();
  return JSON.parse(json as string) as Record<string, unknown>;
}

describe.skipIf(!root)('Python filter worker with a uid of its own (root mode)', () => {
  let dir: string;
  let module: string;
  const outside = join(tmpdir(), `alertlab-py-escape-${process.pid}`);

  beforeAll(async () => {
    if (!existsSync(python)) {
      throw new Error(`No Python venv at ${python}: run bash scripts/setup.sh`);
    }
    dir = await mkdtemp(join(tmpdir(), 'alertlab-hostile-py-'));
    const secret = join(dir, 'controller.token');
    await writeFile(secret, 'controller-secret\n', { mode: 0o600 });
    module = join(dir, 'hostile.py');
    await writeFile(module, HOSTILE({ secret, home: alertlabHome(), outside }));
    await chmod(dir, 0o700);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { force: true });
  });

  it('is not root and reads no token, no $ALERTLAB_HOME; writes nowhere outside its folder', async () => {
    await withPythonFilterHost({ filter: `${module}:probe`, python }, async h => {
      const message = await h.evaluate(batchOf(2)).then(
        () => 'routed',
        (e: unknown) => String((e as Error).message)
      );
      const r = reportOf(message);
      expect(r.uid).toBe(h.workerUid);
      expect(Number(r.uid)).toBeGreaterThanOrEqual(SANDBOX_UID_BASE);
      expect(r.gid).toBe(r.uid);
      expect(r.groups).toEqual([]);
      expect(r.secret).toMatch(/^ERR/);
      expect(r.home).not.toMatch(/kafka|controller/);
      expect(r.write).toMatch(/^ERR/);
      expect(r.id).toMatch(new RegExp(`uid=${String(r.uid)}`));
    });
    expect(existsSync(outside)).toBe(false);
  });

  it('a fork bomb is held to the process cap and dies with the worker', async () => {
    let uid: number | undefined;
    let most = 0;
    await withPythonFilterHost(
      { filter: `${module}:bomb`, python, batchTimeoutMs: 20_000 },
      async h => {
        uid = h.workerUid as number;
        let watching = true;
        const watch = (async () => {
          while (watching) {
            most = Math.max(most, processesOf(uid as number).length);
            await new Promise(r => setTimeout(r, 50));
          }
        })();
        const message = await h.evaluate(batchOf(2)).then(
          () => 'routed',
          (e: unknown) => String((e as Error).message)
        );
        watching = false;
        await watch;
        const r = reportOf(message);
        expect(Number(r.refused)).toBeGreaterThan(100);
        expect(Number(r.started)).toBeLessThan(64);
      }
    );
    expect(most).toBeLessThanOrEqual(64);
    const t0 = Date.now();
    while (processesOf(uid as number).length > 0 && Date.now() - t0 < 5000) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(processesOf(uid as number)).toEqual([]);
  });
});
