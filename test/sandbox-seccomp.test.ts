/**
 * The filter sandbox's syscall filter (issue 15 part 1, sdk/native/alertlab-seccomp.c): every
 * syscall it refuses fails with EPERM (clone3 with ENOSYS) from the sandbox, from a Python filter
 * and from a TypeScript filter, each batch reporting it; normal filters still route. The same
 * probe run in the same sandbox without the launcher shows most of those calls would have gone
 * through or failed otherwise (unshare, clone into a user namespace, personality, AF_INET
 * sockets, process_vm_readv succeed) — so the EPERMs are the filter's doing. Also the cost of
 * the launcher at start (CPU per start, stable under load, beside the wall time and the load),
 * and a syscall through the x32 ABI killing the process rather than slipping past the filter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTypeScriptFilter } from '../sdk/src/filter/factories.js';
import { withPythonFilterHost } from '../sdk/src/filter/python-host.js';
import { makeSandboxDir, placeCode } from '../sdk/src/filter/sandbox-dir.js';
import {
  REPO_ROOT,
  SECCOMP_LAUNCHER,
  runtimePrefix,
  sandboxMode,
  sandboxed,
  workerEnv
} from '../sdk/src/filter/sandbox.js';

const PROBE = join(import.meta.dirname, 'sandbox-syscalls.py');
const python = join(REPO_ROOT, '.venv', 'bin', 'python');
const ready = sandboxMode() !== 'none' && existsSync(SECCOMP_LAUNCHER) && process.arch === 'x64';
if (!ready && process.env.CI === 'true') {
  throw new Error(
    `CI must run the seccomp tests: sandbox ${sandboxMode()}, launcher ${SECCOMP_LAUNCHER} ${existsSync(SECCOMP_LAUNCHER) ? 'built' : 'missing (bash scripts/build-seccomp.sh)'}, arch ${process.arch} (the probe has x86_64 numbers)`
  );
}
const skipWhy = ready
  ? ''
  : ' [skipped: needs namespaces, the built launcher (scripts/build-seccomp.sh) and x86_64]';

/** Every call the launcher refuses, as the probe names them. */
const REFUSED = [
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'unshare',
  'setns',
  'keyctl',
  'add_key',
  'request_key',
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'reboot',
  'swapon',
  'swapoff',
  'acct',
  'open_by_handle_at',
  'name_to_handle_at',
  'personality',
  'io_uring_setup',
  'socket_inet',
  'socket_inet6',
  'socket_netlink',
  'socket_packet',
  'socketpair_inet',
  'clone_newuser',
  'ioctl_tiocsti',
  'iopl'
];
/** Calls that, unfiltered, this kernel answers otherwise than EPERM (measured). */
const WITNESSES = [
  'ptrace',
  'process_vm_readv',
  'unshare',
  'setns',
  'mount',
  'chroot',
  'add_key',
  'userfaultfd',
  'personality',
  'io_uring_setup',
  'socket_inet',
  'socket_netlink',
  'clone_newuser',
  'ioctl_tiocsti'
];

function expectRefused(got: Record<string, string>): void {
  expect(got.arch).toBe('x86_64');
  for (const name of REFUSED) {
    expect(`${name}: ${got[name]}`).toBe(`${name}: EPERM`);
  }
  expect(got.clone3).toBe('ENOSYS'); // libc falls back to clone, whose flags the filter sees
  expect(got.fork).toBe('ok');
  expect(got.seccomp).toBe('2');
  expect(got.nnp).toBe('1');
}

/** Runs `command args` in the sandbox (with or without the launcher); stdout and CPU ms. */
async function inSandbox(
  command: string,
  args: (code: string) => string[],
  seccomp: boolean
): Promise<{ status: number | null; stdout: string; stderr: string; wallMs: number }> {
  const mode = sandboxMode();
  const dir = await makeSandboxDir('alertlab-seccomp-', mode);
  try {
    const code = await placeCode(dir, PROBE, mode);
    const run = sandboxed(
      mode,
      command,
      args(code.path),
      { memoryMb: 1024 + 768 },
      {
        keep: [REPO_ROOT, runtimePrefix(command)],
        writable: [dir.root],
        uid: dir.uid,
        seccomp
      }
    );
    const t0 = performance.now();
    const r = spawnSync(run.command, run.args, {
      cwd: dir.scratch,
      env: workerEnv(dir.scratch),
      encoding: 'utf8',
      timeout: 60_000
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, wallMs: performance.now() - t0 };
  } finally {
    await dir.remove();
  }
}

/** CPU time (ms) of this process's waited-for children so far (/proc/self/stat, 10 ms ticks). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, fields 16 and 17
}

function batchOf(n: number): RecordBatch {
  const mag = vectorFromArray(
    Array.from({ length: n }, (_, i) => 15 + i),
    new Float64()
  );
  return new Table({ mag }).batches[0];
}

function reportOf(message: string): Record<string, string> {
  const json = /REPORT(\{.*?\})/s.exec(message)?.[1];
  expect(json, message).toBeDefined();
  return JSON.parse(json as string) as Record<string, string>;
}

describe.skipIf(!ready)(`seccomp in the filter sandbox${skipWhy}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-seccomp-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('each refused syscall is EPERM in the sandbox; without the launcher most would not be', async () => {
    const on = await inSandbox(python, code => [code], true);
    expect(on.status, on.stderr).toBe(0);
    expectRefused(JSON.parse(on.stdout) as Record<string, string>);
    const off = await inSandbox(python, code => [code], false);
    expect(off.status, off.stderr).toBe(0);
    const control = JSON.parse(off.stdout) as Record<string, string>;
    expect(control.seccomp).toBe('0');
    for (const name of WITNESSES) {
      expect(`${name}: ${control[name]}`).not.toBe(`${name}: EPERM`);
    }
    expect(control.unshare).toBe('ok'); // a nested user namespace: caps inside it
    expect(control.socket_inet).toBe('ok');
  });

  it('a syscall through another ABI (x32) kills the process instead of slipping past the filter', async () => {
    // getpid with the x32 bit: an unfiltered kernel answers ENOSYS or the pid; the filter kills
    const x32 = 'import ctypes; print(ctypes.CDLL(None).syscall(0x40000000 | 39))';
    const off = await inSandbox(python, () => ['-c', x32], false);
    expect(off.status, off.stderr).toBe(0);
    const on = await inSandbox(python, () => ['-c', x32], true);
    expect(on.status).not.toBe(0);
    expect(on.stdout).toBe('');
  });

  it('a Python filter gets EPERM for each and its batch reports it; a normal filter routes', async () => {
    const module = join(dir, 'syscalls_filter.py');
    await writeFile(
      module,
      `${readFileSync(PROBE, 'utf8').replace(/\nif __name__ == "__main__":[\s\S]*$/, '\n')}
import pyarrow.compute as pc
import alertlab

@alertlab.filter(kind="yesno", columns=["mag"])
def hostile(batch):
    raise RuntimeError("REPORT" + json.dumps(probe_syscalls()))

@alertlab.filter(kind="yesno", columns=["mag"])
def bright(batch):
    return pc.less(batch.column("mag"), 16.5)
`
    );
    await withPythonFilterHost({ filter: `${module}:hostile`, python }, async h => {
      const message = await h.evaluate(batchOf(3)).then(
        () => 'routed',
        (e: unknown) => String((e as Error).message)
      );
      expect(message).toMatch(/raised RuntimeError/);
      expectRefused(reportOf(message));
    });
    await withPythonFilterHost({ filter: `${module}:bright`, python }, async h => {
      const r = await h.evaluate(batchOf(3));
      expect([...r.index]).toEqual([0, 0, -1]); // yes, yes, no (dropped)
    });
  });

  it('a TypeScript filter gets EPERM for sockets, namespaces and personality; a normal filter routes', async () => {
    const probe = join(dir, 'ts-syscalls.ts');
    await writeFile(
      probe,
      `import { defineFilter } from '@alertlab/sdk';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
const tcp = await new Promise(resolve => {
  const s = connect(19092, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve('connected'); });
  s.once('error', e => resolve(e.code));
});
const udp = await new Promise(resolve => {
  const s = createSocket('udp4');
  s.once('error', e => resolve(e.code));
  s.bind(0, () => { s.close(); resolve('bound'); });
});
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? 'ok' : String(r.stderr).trim().split('\\n').pop();
};
const status = readFileSync('/proc/self/status', 'utf8');
const report = {
  tcp, udp,
  unshare: run('/usr/bin/unshare', ['--user', '/bin/true']),
  setarch: run('/usr/bin/setarch', ['-R', '/bin/true']),
  seccomp: /^Seccomp:\\s+(\\d)/m.exec(status)?.[1]
};
export default defineFilter({ kind: 'yesno', fn: () => { throw new Error('REPORT' + JSON.stringify(report)); } });
`
    );
    const f = await loadTypeScriptFilter(probe);
    try {
      const message = await f.evaluate(batchOf(3)).then(
        () => 'routed',
        (e: unknown) => String((e as Error).message)
      );
      const r = reportOf(message);
      expect(r.tcp).toBe('EPERM'); // without the filter: ENETUNREACH (no interface in its netns)
      expect(r.udp).toBe('EPERM');
      expect(r.unshare).toMatch(/Operation not permitted/);
      expect(r.setarch).toMatch(/Operation not permitted/);
      expect(r.seccomp).toBe('2');
    } finally {
      await f.close();
    }
    const normal = join(dir, 'bright.ts');
    await writeFile(
      normal,
      `import { defineFilter } from '@alertlab/sdk';
export default defineFilter({ kind: 'yesno', columns: ['mag'], fn: batch => {
  const mag = batch.getChild('mag');
  return Array.from({ length: batch.numRows }, (_, i) => mag.get(i) < 16.5);
} });
`
    );
    const g = await loadTypeScriptFilter(normal);
    try {
      const r = await g.evaluate(batchOf(3));
      expect([...r.index]).toEqual([0, 0, -1]);
    } finally {
      await g.close();
    }
  });

  it('costs little at start: CPU per sandboxed start with and without the launcher', async () => {
    const node = process.execPath;
    const rows: string[] = [];
    for (const [name, command, args] of [
      ['python', python, () => ['-c', 'pass']],
      ['node', node, () => ['-e', '0']]
    ] as const) {
      const cpu: Record<string, number> = {};
      const wall: Record<string, number[]> = { on: [], off: [] };
      for (const seccomp of [false, true]) {
        const key = seccomp ? 'on' : 'off';
        const before = childrenCpuMs();
        for (let i = 0; i < 5; i++) {
          const r = await inSandbox(command, args, seccomp);
          expect(r.status, r.stderr).toBe(0);
          wall[key].push(r.wallMs);
        }
        cpu[key] = (childrenCpuMs() - before) / 5;
      }
      const med = (v: number[]): number => [...v].sort((a, b) => a - b)[2];
      rows.push(
        `${name}: CPU/start ${cpu.off.toFixed(0)} ms -> ${cpu.on.toFixed(0)} ms with seccomp; wall median ${med(wall.off).toFixed(0)} -> ${med(wall.on).toFixed(0)} ms`
      );
    }
    // the launcher alone, precisely: 100 execs of /bin/true with and without it
    const perExec = (cmd: string[]): number => {
      const before = childrenCpuMs();
      for (let i = 0; i < 100; i++) {
        expect(spawnSync(cmd[0], cmd.slice(1)).status).toBe(0);
      }
      return (childrenCpuMs() - before) / 100;
    };
    const bare = perExec(['/bin/true']);
    const launched = perExec([SECCOMP_LAUNCHER, '/bin/true']);
    console.log(
      `[seccomp start cost] launcher: ${(launched - bare).toFixed(2)} ms CPU per exec (${bare.toFixed(2)} -> ${launched.toFixed(2)}, 100 execs); sandboxed starts: ${rows.join('; ')} (5 starts each; 10 ms ticks) load ${loadavg()[0].toFixed(1)}`
    );
    // a static binary building a ~100-instruction BPF program: a few ms of CPU at most; the
    // sandboxed starts only have to work (their CPU differs by more than that under load)
    expect(launched - bare).toBeLessThan(10);
  });
});
