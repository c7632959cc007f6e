/**
 * Where no sandbox can be made, user code is refused, never run unsandboxed (issue 15 part 1).
 * The condition is made for real: a Node process started under the seccomp launcher cannot
 * create namespaces (unshare is EPERM there, as on a machine with user namespaces disabled), so
 * both a TypeScript and a Python filter must fail to load with a ConfigError that says why and
 * what to do; a Python filter whose caller opted out (`sandbox: false`) still runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { REPO_ROOT, SECCOMP_LAUNCHER, SECCOMP_OPT_OUT, seccompLauncher } from './sandbox.js';

const python = join(REPO_ROOT, '.venv', 'bin', 'python');
const ready = process.platform === 'linux' && existsSync(SECCOMP_LAUNCHER);
if (!ready && process.env.CI === 'true') {
  throw new Error(
    `CI must run this test: ${SECCOMP_LAUNCHER} missing (bash scripts/build-seccomp.sh)`
  );
}

const url = (p: string): string => pathToFileURL(join(import.meta.dirname, p)).href;

const SCRIPT = (dir: string): string => `
import { Float64, Table, vectorFromArray } from 'apache-arrow';
const { loadTypeScriptFilter } = await import(${JSON.stringify(url('factories.ts'))});
const { PythonFilterHost } = await import(${JSON.stringify(url('python-host.ts'))});
const { sandboxMode } = await import(${JSON.stringify(url('sandbox.ts'))});
const out = { mode: sandboxMode() };
const fail = e => ({ name: e.name, message: e.message, code: e.context?.code });
out.ts = await loadTypeScriptFilter(${JSON.stringify(join(dir, 'yes.ts'))}).then(f => (f.close(), 'loaded'), fail);
out.py = await PythonFilterHost.create({ filter: ${JSON.stringify(join(dir, 'yes.py:yes'))}, python: ${JSON.stringify(python)} }).then(h => (h.close(), 'started'), fail);
const h = await PythonFilterHost.create({ filter: ${JSON.stringify(join(dir, 'yes.py:yes'))}, python: ${JSON.stringify(python)}, sandbox: false });
const r = await h.evaluate(new Table({ mag: vectorFromArray([15, 16], new Float64()) }).batches[0]);
out.optOut = [...r.index];
await h.close();
console.log('RESULT' + JSON.stringify(out));
`;

describe.skipIf(!ready)('no sandbox possible: user code refused', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-refused-'));
    await writeFile(
      join(dir, 'yes.ts'),
      "import { defineFilter } from '@alertlab/sdk';\nexport default defineFilter({ kind: 'yesno', fn: b => Array.from({ length: b.numRows }, () => true) });\n"
    );
    await writeFile(
      join(dir, 'yes.py'),
      'import pyarrow as pa\nimport alertlab\n\n@alertlab.filter(kind="yesno", columns=["mag"])\ndef yes(batch):\n    return pa.array([True] * batch.num_rows)\n'
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('TypeScript and Python filters fail to load with the reason; an explicit opt-out runs', () => {
    const r = spawnSync(
      SECCOMP_LAUNCHER,
      // --eval: 'apache-arrow' resolves from the working directory, the repository
      [process.execPath, '--import', 'tsx', '--input-type=module', '--eval', SCRIPT(dir)],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 90_000 }
    );
    const json = /RESULT(\{.*\})/.exec(r.stdout)?.[1];
    expect(json, `${r.stdout}\n${r.stderr}`).toBeDefined();
    const out = JSON.parse(json as string) as Record<string, unknown>;
    expect(out.mode).toBe('none');
    for (const [lang, got] of [
      ['TypeScript', out.ts],
      ['Python', out.py]
    ] as const) {
      const e = got as { name: string; message: string; code: string };
      expect(e.name).toBe('ConfigError');
      expect(e.code).toBe('no-sandbox');
      expect(e.message).toContain(`Refusing to run the ${lang} filter`);
      expect(e.message).toMatch(/user namespaces are not available.*Operation not permitted/);
      expect(e.message).toMatch(/max_user_namespaces|run the controller as root/);
    }
    expect(out.optOut).toEqual([0, 0]);
  }, 120_000);
});

describe('seccomp launcher not built', () => {
  it('refuses (no-seccomp, names the build script and the opt-out) unless ALERTLAB_SANDBOX_SECCOMP=off', () => {
    const missing = join(tmpdir(), `alertlab-no-launcher-${process.pid}`);
    const before = process.env[SECCOMP_OPT_OUT];
    try {
      delete process.env[SECCOMP_OPT_OUT];
      let err: unknown;
      try {
        seccompLauncher(missing);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.context.code).toBe('no-seccomp');
      expect(e.message).toContain('bash scripts/build-seccomp.sh');
      expect(e.message).toContain(`${SECCOMP_OPT_OUT}=off`);
      process.env[SECCOMP_OPT_OUT] = 'off';
      expect(seccompLauncher(missing)).toBeUndefined();
    } finally {
      if (before === undefined) {
        delete process.env[SECCOMP_OPT_OUT];
      } else {
        process.env[SECCOMP_OPT_OUT] = before;
      }
    }
  });
});
