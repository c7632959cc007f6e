/**
 * REST under attack (issue 15, part 6), CI-sized: schemathesis over the controller's whole OpenAPI
 * document with a fixed seed, once with a valid (admin) token and once with an invalid one, against
 * a real controller (real Kafka, a copy of the real catalog store when there is one). Asserts every
 * operation was exercised, no response failed schemathesis' checks (no 5xx, every status and body
 * as documented) and the controller itself logged no 5xx. scripts/schemathesis.sh is the long run.
 */
import { execFile } from 'node:child_process';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../sdk/src/control/controller-server.js';
import type { RequestLog } from '../sdk/src/control/server.js';
import { skipWithoutData } from '../sdk/src/alerts/testing/samples.js';
import { launchController, makeControllerDirs } from './controller-helpers.js';

const ROOT = join(import.meta.dirname, '..');
const SCHEMATHESIS = join(ROOT, '.venv', 'bin', 'schemathesis');
const STORE = join(ROOT, '.alertlab', 'catalogs.duckdb');
const SEED = '15';
const CHECKS =
  'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';

interface Run {
  code: number;
  output: string;
  tests: number;
  failures: number;
  errors: number;
}

/** Runs schemathesis for `seconds` with `token`; reads the JUnit report it writes. */
async function fuzz(doc: string, url: string, token: string, seconds: number, dir: string) {
  const args = [
    'run',
    doc,
    '--url',
    url,
    '-H',
    `Authorization: Bearer ${token}`,
    '--checks',
    CHECKS,
    '--max-time',
    String(seconds),
    '--seed',
    SEED,
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--suppress-health-check',
    'all',
    '--report',
    'junit',
    '--report-dir',
    dir
  ];
  const { code, output } = await new Promise<{ code: number; output: string }>(resolve => {
    execFile(
      SCHEMATHESIS,
      args,
      {
        timeout: (seconds + 60) * 1000,
        maxBuffer: 64 << 20,
        env: { ...process.env, NO_COLOR: '1' }
      },
      (err, stdout, stderr) => {
        const status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code: status, output: `${stdout}${stderr}` });
      }
    );
  });
  const report = (await readdir(dir)).find(f => f.startsWith('junit'));
  const xml = report ? await readFile(join(dir, report), 'utf8') : '';
  const attr = (name: string): number =>
    Number(new RegExp(`<testsuites[^>]* ${name}="(\\d+)"`).exec(xml)?.[1] ?? NaN);
  const run: Run = {
    code,
    output,
    tests: attr('tests'),
    failures: attr('failures'),
    errors: attr('errors')
  };
  return run;
}

/** Operations in the document (method + path). */
function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): number {
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch']);
  return Object.values(doc.paths).reduce(
    (n, item) => n + Object.keys(item).filter(m => methods.has(m)).length,
    0
  );
}

const missing = existsSync(SCHEMATHESIS)
  ? undefined
  : `schemathesis is not installed at ${SCHEMATHESIS} (scripts/setup.sh installs requirements.txt)`;

describe.skipIf(skipWithoutData(missing))('REST fuzzing with schemathesis (fixed seed)', () => {
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let ctl: RunningController;
  let docPath: string;
  let operations: number;
  const serverErrors: RequestLog[] = [];

  beforeAll(async () => {
    dirs = await makeControllerDirs();
    if (existsSync(STORE)) {
      await copyFile(STORE, dirs.storePath);
    }
    ctl = await launchController(dirs, {
      onLog: entry => {
        if (entry.status >= 500) {
          serverErrors.push(entry);
        }
      }
    });
    const res = await fetch(`${ctl.url}/openapi.json`, {
      headers: { authorization: `Bearer ${ctl.token}` }
    });
    const text = await res.text();
    operations = operationsOf(JSON.parse(text) as Parameters<typeof operationsOf>[0]);
    docPath = join(dirs.root, 'openapi.json');
    await writeFile(docPath, text);
  }, 60_000);

  afterAll(async () => {
    await ctl?.close();
    await dirs?.remove();
  });

  it('answers 400, not 500, to the bodies earlier runs found', async () => {
    const send = async (method: string, path: string, body: string, type = 'application/json') => {
      const res = await fetch(`${ctl.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ctl.token}`, 'content-type': type },
        body
      });
      return `${res.status} ${await res.text()}`;
    };
    // a JSON body that is not an object; JSON that does not parse
    expect(await send('PUT', '/watchmaps/fuzz-a', 'null')).toMatch(/^400 .*object/);
    expect(await send('POST', '/watchlists/fuzz-b', '\u0000{"x"')).toMatch(/^400 /);
    // more replicas than brokers (the broker refuses it)
    const topic = JSON.stringify({ topic: `fuzz-${Date.now()}`, replicationFactor: 10 });
    expect(await send('POST', '/buffers/topics', topic)).toMatch(/^400 .*broker/);
    // a non-string entry
    const cell = JSON.stringify({ source: 'x', input: 't', language: 'python', entry: [[]] });
    expect(await send('POST', '/stages/promote', cell)).toMatch(/^400 .*entry.* must be a string/);
    expect(serverErrors).toEqual([]);
  });

  it.each([
    ['a valid token', 'valid', 30],
    ['an invalid token', 'invalid', 20]
  ] as const)(
    'with %s: every operation tested, 0 failed checks, 0 server errors',
    async (_label, who, seconds) => {
      const token = who === 'valid' ? ctl.token : 'not-a-valid-token';
      const run = await fuzz(docPath, ctl.url, token, seconds, join(dirs.root, who));
      const at = run.output.indexOf('FAILURES');
      const summary = run.output.slice(at < 0 ? -3000 : at, (at < 0 ? 0 : at) + 6000);
      // one JUnit case per operation: the whole document was exercised
      expect(run.tests, summary).toBeGreaterThanOrEqual(operations);
      expect(run.failures, summary).toBe(0);
      expect(serverErrors, JSON.stringify(serverErrors.slice(0, 5))).toEqual([]);
      expect(run.output).toMatch(/\d+ generated/);
    },
    120_000
  );
});
