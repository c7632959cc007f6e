/**
 * The filter-host side of test/sandbox-account.test.ts, run by that test as an unprivileged
 * account (`runuser -u alertlab-sbx-<pid>`): loads hostile TypeScript and Python filters with the
 * real runtime (`loadTypeScriptFilter`, `PythonFilterHost`), collects what each could do from
 * inside its sandbox, and prints one `RESULT{...}` line. With `--expect-refusal` (started under
 * the seccomp launcher, where no namespace can be made) it only records how loading failed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { alertlabHome } from '../sdk/src/catalog/paths.js';
import { loadTypeScriptFilter } from '../sdk/src/filter/factories.js';
import { PythonFilterHost } from '../sdk/src/filter/python-host.js';
import { REPO_ROOT, sandboxMode, sandboxed } from '../sdk/src/filter/sandbox.js';

const python = join(REPO_ROOT, '.venv', 'bin', 'python');
const batch = new Table({ mag: vectorFromArray([15, 16, 17], new Float64()) }).batches[0];
// --write-kept DIR: a folder the account owns, kept for the worker (as a checkout of its own
// would be): the account writes it, the sandboxed worker must not (read-only bind, fail closed)
const kept = process.argv.indexOf('--write-kept');
if (kept > 0) {
  const target = process.argv[kept + 1];
  writeFileSync(join(target, 'by-account'), 'x');
  const w = sandboxed(
    sandboxMode(),
    '/bin/sh',
    [
      '-c',
      // /run and /var/run (service sockets: docker.sock, dbus) are empty to it
      'echo "RUN[$(ls -A /run /var/run)]"; echo x > "$0/by-filter" && echo WROTE',
      target
    ],
    { memoryMb: 512 },
    { keep: [target], writable: [] }
  );
  const r = spawnSync(w.command, w.args, { encoding: 'utf8', timeout: 30_000 });
  const result = { mode: sandboxMode(), status: r.status, out: r.stdout, err: r.stderr };
  console.log('RESULT' + JSON.stringify(result));
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'alertlab-account-'));
const home = alertlabHome();
mkdirSync(home, { recursive: true, mode: 0o700 });
const token = join(home, 'controller.token');
writeFileSync(token, 'account-controller-token\n', { mode: 0o600 });
const homeSecret = join(process.env.HOME ?? '/nonexistent', 'notes.txt');
writeFileSync(homeSecret, 'private notes\n', { mode: 0o600 });
const files = {
  token,
  home,
  homeSecret,
  outside: join(tmpdir(), `alertlab-account-escape-${process.pid}`),
  homeWrite: join(process.env.HOME ?? '/nonexistent', `escape-${process.pid}`)
};
chmodSync(dir, 0o700);

const outcome = async (f: {
  evaluate(b: typeof batch): Promise<unknown>;
}): Promise<Record<string, unknown>> => {
  const message = await f.evaluate(batch).then(
    () => 'routed',
    (e: unknown) => String((e as Error).message)
  );
  const at = message.indexOf('REPORT{');
  for (
    let end = message.indexOf('}', at);
    at >= 0 && end > 0;
    end = message.indexOf('}', end + 1)
  ) {
    try {
      return JSON.parse(message.slice(at + 6, end + 1)) as Record<string, unknown>;
    } catch {
      // not the end of the report yet
    }
  }
  return { message: message.slice(0, 2000) };
};

const TS_PROBE = `import { defineFilter } from '@alertlab/sdk';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
const FILES = ${JSON.stringify(files)};
const attempt = f => { try { return String(f()).slice(0, 200); } catch (e) { return 'ERR ' + (e.code ?? e.message); } };
const net = await new Promise(resolve => {
  const s = connect(19092, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve('connected'); });
  s.once('error', e => resolve('ERR ' + e.code));
  setTimeout(() => resolve('ERR timeout'), 3000);
});
const status = readFileSync('/proc/self/status', 'utf8');
const field = name => new RegExp('^' + name + ':\\\\s+(\\\\S+)', 'm').exec(status)?.[1];
const report = {
  uid: process.getuid(),
  token: attempt(() => readFileSync(FILES.token, 'utf8')),
  homeSecret: attempt(() => readFileSync(FILES.homeSecret, 'utf8')),
  home: attempt(() => readdirSync(FILES.home).join(',')),
  write: attempt(() => { writeFileSync(FILES.outside, 'x'); return 'written'; }),
  homeWrite: attempt(() => { writeFileSync(FILES.homeWrite, 'x'); return 'written'; }),
  scratch: attempt(() => { writeFileSync(process.env.HOME + '/mine', 'x'); return 'written'; }),
  net,
  seccomp: field('Seccomp'),
  capEff: field('CapEff'),
  nnp: field('NoNewPrivs'),
  pids: readdirSync('/proc').filter(d => /^\\d+$/.test(d)).length,
  nproc: /Max processes\\s+(\\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]
};
export default defineFilter({ kind: 'yesno', fn: () => { throw new Error('REPORT' + JSON.stringify(report)); } });
`;

const TS_BOMB = `import { defineFilter } from '@alertlab/sdk';
import { spawnSync } from 'node:child_process';
export default defineFilter({ kind: 'yesno', fn: () => {
  let started = 0, refused = 0;
  for (let i = 0; i < 200; i++) {
    const r = spawnSync('/bin/sh', ['-c', 'sleep 60 &'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) { refused += 1; } else { started += 1; }
  }
  throw new Error('REPORT' + JSON.stringify({ started, refused }));
} });
`;

const TS_KILLER = `import { defineFilter } from '@alertlab/sdk';
export default defineFilter({ kind: 'yesno', fn: batch => {
  try { process.kill(-1, 'SIGKILL'); } catch {}
  try { process.kill(process.ppid, 'SIGKILL'); } catch {}
  return Array.from({ length: batch.numRows }, () => true);
} });
`;

const PY = `
import json, os, socket, time
import pyarrow as pa
import alertlab

FILES = json.loads(${JSON.stringify(JSON.stringify(files))})

def attempt(f):
    try:
        return str(f())[:200]
    except Exception as e:
        return "ERR " + type(e).__name__

def write(path):
    with open(path, "w") as f:
        f.write("x")
    return "written"

def status(name):
    return open("/proc/self/status").read().split(name + ":")[1].split()[0]

@alertlab.filter(kind="yesno", columns=["mag"])
def probe(batch):
    report = {
        "uid": os.getuid(),
        "token": attempt(lambda: open(FILES["token"]).read()),
        "homeSecret": attempt(lambda: open(FILES["homeSecret"]).read()),
        "home": attempt(lambda: ",".join(os.listdir(FILES["home"]))),
        "write": attempt(lambda: write(FILES["outside"] + "-py")),
        "net": attempt(lambda: socket.create_connection(("127.0.0.1", 19092), timeout=3)),
        "unshare": attempt(lambda: os.system("unshare --user true 2>/dev/null") or "ok"),
        "seccomp": status("Seccomp"),
        "capEff": status("CapEff"),
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
            time.sleep(60)
            os._exit(0)
        started += 1
    raise RuntimeError("REPORT" + json.dumps({"started": started, "refused": refused}))

@alertlab.filter(kind="yesno", columns=["mag"])
def bright(batch):
    return pa.array([m < 16.5 for m in batch.column("mag").to_pylist()])
`;

const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const out: Record<string, unknown> = { mode: sandboxMode(), hostUid: process.getuid?.() };
const refusal = process.argv.includes('--expect-refusal');
const fail = (e: unknown): Record<string, unknown> => {
  const err = e as Error & { context?: Record<string, unknown> };
  return { name: err.name, message: err.message, code: err.context?.code };
};

const tsProbe = write('probe.ts', TS_PROBE);
const pyModule = write('hostile.py', PY);
if (refusal) {
  out.ts = await loadTypeScriptFilter(tsProbe).then(async f => {
    await f.close();
    return 'loaded';
  }, fail);
  out.py = await PythonFilterHost.create({ filter: `${pyModule}:bright`, python }).then(async h => {
    await h.close();
    return 'started';
  }, fail);
} else {
  for (const [name, source] of [
    ['tsProbe', tsProbe],
    ['tsBomb', write('bomb.ts', TS_BOMB)],
    ['tsKiller', write('killer.ts', TS_KILLER)]
  ] as const) {
    console.error(`[probe] ${name}`);
    const f = await loadTypeScriptFilter(source, { timeoutMs: 30_000 });
    try {
      out[name] = await outcome(f);
    } finally {
      await f.close();
    }
  }
  for (const name of ['probe', 'bomb', 'bright']) {
    console.error(`[probe] py_${name}`);
    const h = await PythonFilterHost.create({
      filter: `${pyModule}:${name}`,
      python,
      batchTimeoutMs: 30_000
    });
    try {
      out[`py_${name}`] =
        name === 'bright' ? [...(await h.evaluate(batch)).index] : await outcome(h);
    } finally {
      await h.close();
    }
  }
  out.hostAlive = true; // the killer did not reach this process
}
console.log('RESULT' + JSON.stringify(out));
