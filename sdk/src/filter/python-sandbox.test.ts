/**
 * The Python filter worker's sandbox (issue 15, part 1, partly): a hostile filter run by the real
 * worker cannot reach the network (here: the local Kafka port), sees no secrets in its
 * environment, has no capabilities, leaves no process behind (a detached `sleep`), and cannot
 * take more memory than its limit (the batch fails, the host carries on).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilterWorkerError } from '../errors.js';
import { repoRoot } from './python/connection-file.js';
import { sandboxMode } from './python/sandbox.js';
import { withPythonFilterHost } from './python-host.js';

const python = join(repoRoot(), '.venv', 'bin', 'python');
const SLEEP_MARK = '987.654321';

const HOSTILE = `
import json, os, socket, subprocess
import pyarrow as pa
import alertlab

@alertlab.filter(kind="yesno", columns=["mag"])
def probe(batch):
    try:  # the syscall filter refuses the socket itself; without it, no route in the netns
        s = socket.socket()
        s.settimeout(2)
        net = s.connect_ex(("127.0.0.1", 19092))
    except OSError as e:
        net = str(e)
    status = open("/proc/self/status").read()
    cap = status.split("CapEff:")[1].split()[0]
    subprocess.Popen(["sleep", "${SLEEP_MARK}"], start_new_session=True)
    report = {
        "net": net,
        "cap": cap,
        "env": sorted(os.environ),
        "home": os.environ.get("HOME"),
        "pids": [d for d in os.listdir("/proc") if d.isdigit()],
    }
    raise RuntimeError("REPORT" + json.dumps(report))

@alertlab.filter(kind="yesno", columns=["mag"])
def hog(batch):
    block = bytearray(3 * 1024 ** 3)
    return pa.array([len(block) > 0] * batch.num_rows)
`;

function batchOf(n: number): RecordBatch {
  return new Table({
    mag: vectorFromArray(
      Array.from({ length: n }, (_, i) => 15 + i),
      new Float64()
    )
  }).batches[0];
}

/** Host pids whose command line is our marked sleep. */
function markedSleeps(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) {
      continue;
    }
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.startsWith('sleep\u0000') && cmd.includes(SLEEP_MARK)) {
        out.push(Number(d));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const supported = process.platform === 'linux' && sandboxMode() !== 'none';
if (!supported && process.env.CI === 'true') {
  throw new Error(
    'CI must run the Python sandbox tests: util-linux prlimit/unshare/setpriv and namespaces are needed'
  );
}

describe.skipIf(!supported)('Python filter sandbox (real worker, util-linux namespaces)', () => {
  let dir: string;
  let module: string;

  beforeAll(async () => {
    if (!existsSync(python)) {
      throw new Error(`No Python venv at ${python}: run bash scripts/setup.sh`);
    }
    dir = await mkdtemp(join(tmpdir(), 'alertlab-hostile-'));
    module = join(dir, 'hostile.py');
    await writeFile(module, HOSTILE);
  });

  afterAll(async () => {
    for (const pid of markedSleeps()) {
      process.kill(pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('no network, no secrets, no capabilities, and nothing left behind', async () => {
    process.env.ALERTLAB_TEST_TOKEN = 'controller-secret';
    process.env.AWS_SECRET_ACCESS_KEY = 'cloud-secret';
    let message = '';
    try {
      await withPythonFilterHost(
        { filter: `${module}:probe`, python, batchTimeoutMs: 60_000 },
        async h => {
          message = await h.evaluate(batchOf(3)).then(
            () => 'routed',
            (e: unknown) => String((e as Error).message)
          );
          // it did start one (looked for a while: a loaded machine may be slow to show it)
          const t0 = Date.now();
          while (markedSleeps().length === 0 && Date.now() - t0 < 3000) {
            await new Promise(r => setTimeout(r, 100));
          }
          expect(markedSleeps().length, `the probe said: ${message}`).toBe(1);
        }
      );
    } finally {
      delete process.env.ALERTLAB_TEST_TOKEN;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    const json = /REPORT(\{.*\})/.exec(message)?.[1];
    expect(json, message).toBeDefined();
    const got = JSON.parse(json as string) as {
      net: number | string;
      cap: string;
      env: string[];
      home: string;
      pids: string[];
    };
    expect(got.net).not.toBe(0); // today: 0, connected to Kafka
    expect(got.cap).toBe('0000000000000000');
    expect(got.env).not.toContain('ALERTLAB_TEST_TOKEN');
    expect(got.env).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(got.home).toMatch(/alertlab-filter-.*scratch$/);
    // its /proc is its PID namespace's: only the sandbox's own few processes, none of the host's
    expect(got.pids.length).toBeGreaterThan(0);
    expect(got.pids.length, `pids seen: ${got.pids.join(',')}`).toBeLessThan(10);
    expect(got.pids).not.toContain(String(process.pid));
    // the detached sleep died with the worker
    const t0 = Date.now();
    while (markedSleeps().length > 0 && Date.now() - t0 < 3000) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(markedSleeps()).toEqual([]);
  });

  it('a filter past its memory limit fails its batch with a MemoryError', async () => {
    await withPythonFilterHost(
      { filter: `${module}:hog`, python, memoryLimitMb: 1024 },
      async h => {
        const err = await h.evaluate(batchOf(2)).then(
          () => null,
          (e: unknown) => e
        );
        expect(err).toBeInstanceOf(FilterWorkerError);
        expect(String((err as Error).message)).toMatch(/MemoryError/);
      }
    );
  });
});
