/**
 * A machine where the Python worker sandbox cannot be made (no util-linux tools or namespaces):
 * the worker still runs, but the host says so once (a process warning) and the worker still gets
 * the reduced environment (no secrets, HOME in the scratch folder). Real worker, real Python.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from './python/connection-file.js';

vi.mock('./python/sandbox.js', async importOriginal => ({
  ...(await importOriginal<typeof import('./python/sandbox.js')>()),
  sandboxMode: () => 'none'
}));

const { withPythonFilterHost } = await import('./python-host.js');
const python = join(repoRoot(), '.venv', 'bin', 'python');

const PROBE = `
import json, os
import pyarrow as pa
import alertlab

@alertlab.filter(kind="yesno", columns=["mag"])
def probe(batch):
    with open(os.environ["PROBE_REPORT"], "w") as f:
        json.dump({"env": sorted(os.environ), "home": os.environ.get("HOME")}, f)
    return pa.array([True] * batch.num_rows)
`;

describe('Python filter worker where no sandbox can be made', () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(python)) {
      throw new Error(`No Python venv at ${python}: run bash scripts/setup.sh`);
    }
    dir = await mkdtemp(join(tmpdir(), 'alertlab-unsandboxed-'));
    await writeFile(join(dir, 'probe.py'), PROBE);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('warns once and still keeps secrets out of the worker', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => void warnings.push(String(w.code));
    process.on('warning', onWarning);
    const report = join(dir, 'report.json');
    process.env.ALERTLAB_TEST_TOKEN = 'controller-secret';
    process.env.AWS_SECRET_ACCESS_KEY = 'cloud-secret';
    try {
      for (let i = 0; i < 2; i++) {
        await withPythonFilterHost(
          { filter: `${join(dir, 'probe.py')}:probe`, python, env: { PROBE_REPORT: report } },
          async h => {
            const mag = vectorFromArray([15, 16], new Float64());
            const r = await h.evaluate(new Table({ mag }).batches[0]);
            expect([...r.index]).toEqual([0, 0]);
          }
        );
      }
      await new Promise(resolve => setImmediate(resolve)); // warnings are emitted on next tick
    } finally {
      process.off('warning', onWarning);
      delete process.env.ALERTLAB_TEST_TOKEN;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    expect(warnings.filter(c => c === 'ALERTLAB_UNSANDBOXED')).toHaveLength(1);
    const got = JSON.parse(await readFile(report, 'utf8')) as { env: string[]; home: string };
    expect(got.env).not.toContain('ALERTLAB_TEST_TOKEN');
    expect(got.env).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(got.home.endsWith('scratch')).toBe(true);
  }, 120_000);
});
