/**
 * The process sandbox user code (TypeScript and Python filters) runs in, built from util-linux,
 * which every Debian machine has:
 *
 * - `prlimit`: memory (RLIMIT_DATA: heap and anonymous maps), CPU seconds, processes/threads
 *   (RLIMIT_NPROC, as root only: it counts per real uid), open files, no core dumps;
 * - `unshare`: a network namespace with no interface up (no network), a PID namespace that dies
 *   with the worker (nothing it starts outlives it; it sees no host process), a mount namespace;
 * - a short `sh` script in that mount namespace hides `$ALERTLAB_HOME` (tokens, Kafka data, stage
 *   state) and the controller user's home behind empty tmpfs mounts, binding back read-only only
 *   the runtime the worker needs (Node, Python, the repository) when it lives under them;
 * - `setpriv`: as root, a uid and gid of its own (random, unnamed, one per worker: no file of the
 *   host is its, no other worker's files are readable to it), no supplementary groups; always no
 *   capabilities and no-new-privs.
 *
 * As root the namespaces are made directly; under a normal account inside a user namespace when
 * the kernel allows one (then without the uid change and the process cap). The worker's
 * environment keeps what its runtime needs and `ALERTLAB_*` settings without secrets; HOME,
 * TMPDIR and the working directory are a private scratch folder.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertlabHome } from '../catalog/paths.js';

/** The repository root (its sdk, node_modules and .venv): the code every worker runs. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** How the namespaces can be made here: directly (root), in a user namespace, or not at all. */
export type SandboxMode = 'root' | 'userns' | 'none';

/** Default cap on a sandboxed worker's processes and threads together (RLIMIT_NPROC, as root). */
export const DEFAULT_SANDBOX_PROCESSES = 64;
/** Default open files of a sandboxed worker. */
export const DEFAULT_SANDBOX_FILES = 1024;

/** First uid handed to sandboxed workers (a range no distribution gives to users or services). */
export const SANDBOX_UID_BASE = 3_000_000_000;
const SANDBOX_UID_SPAN = 2 ** 24;

const PRLIMIT = '/usr/bin/prlimit';
const UNSHARE = '/usr/bin/unshare';
const SETPRIV = '/usr/bin/setpriv';
const SH = '/bin/sh';
/** Where the mount script parks runtime folders: a fresh tmpfs over /dev/shm (hiding it too). */
const STAGING = '/dev/shm';
let detected: SandboxMode | undefined;

/** Detects (once) whether this machine can sandbox workers, and how. */
export function sandboxMode(): SandboxMode {
  if (detected !== undefined) {
    return detected;
  }
  const tools = [PRLIMIT, UNSHARE, SETPRIV, SH, '/usr/bin/mount', STAGING];
  if (process.platform !== 'linux' || !tools.every(t => existsSync(t))) {
    return (detected = 'none');
  }
  const args = ['--mount', '--net', '--pid', '--fork', '--kill-child', '--', '/bin/true'];
  if (process.getuid?.() === 0 && spawnSync(UNSHARE, args).status === 0) {
    return (detected = 'root');
  }
  const user = ['--user', '--map-root-user', ...args];
  return (detected = spawnSync(UNSHARE, user).status === 0 ? 'userns' : 'none');
}

/** A fresh uid for one worker (root mode). */
export function sandboxUid(): number {
  return SANDBOX_UID_BASE + randomInt(SANDBOX_UID_SPAN);
}

const SECRET = /TOKEN|KEY|SECRET|PASSW|CREDENTIAL|AUTH/i;
const KEEP_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'PYTHONPATH', 'VIRTUAL_ENV'];

/** The worker's environment: what runtimes need, ALERTLAB_* settings but no secrets, `extra`. */
export function workerEnv(
  scratchDir: string,
  extra: Record<string, string> = {}
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if ((KEEP_ENV.includes(k) || k.startsWith('ALERTLAB_')) && !SECRET.test(k)) {
      env[k] = v;
    }
  }
  return { ...env, HOME: scratchDir, TMPDIR: scratchDir, ...extra };
}

/** What a sandboxed worker may use. */
export interface SandboxLimits {
  /** RLIMIT_DATA in MiB. */
  memoryMb: number;
  /** RLIMIT_CPU in seconds. @default no limit */
  cpuSeconds?: number;
  /** RLIMIT_NPROC (root mode). @default 64 */
  processes?: number;
  /** RLIMIT_NOFILE. @default 256 */
  openFiles?: number;
}

/** Where the sandbox is set up. */
export interface SandboxSetup {
  /** Folders the worker must see, read-only (its runtime: Node or Python, the repository). */
  keep: readonly string[];
  /** Folders the worker must see and may write (its private folder). */
  writable: readonly string[];
  /** uid/gid to run as (root mode). */
  uid?: number;
  /** Directories to hide besides `$ALERTLAB_HOME` and the home directory. @default [] */
  hide?: readonly string[];
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Folders hidden from workers (real paths): `$ALERTLAB_HOME`, the home directory, the
 * world-writable temporary folders, `extra`.
 */
export function hiddenDirs(extra: readonly string[] = []): string[] {
  const out = new Set<string>();
  for (const p of [alertlabHome(), homedir(), tmpdir(), '/tmp', '/var/tmp', ...extra]) {
    const r = real(p);
    if (r !== undefined && r !== '/') {
      out.add(r);
    }
  }
  return [...out];
}

/** Whether `path` lies under a directory the sandbox hides. */
export function isHidden(path: string, extra: readonly string[] = []): boolean {
  const r = real(path) ?? path;
  return hiddenDirs(extra).some(h => under(r, h));
}

/** The runtime directory of an executable: `<prefix>` of `<prefix>/bin/<name>` (real path). */
export function runtimePrefix(executable: string): string {
  const r = real(executable) ?? executable;
  return dirname(dirname(r));
}

function q(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The mount script run as root in the new mount namespace: mounts a fresh tmpfs on /dev/shm and
 * binds there each kept folder that lies under a hidden one; then, shallowest first, covers each
 * hidden folder with an empty root-owned tmpfs and moves the kept ones back in place, read-only
 * (where the kernel allows) unless listed in `writable`.
 */
export function mountScript(
  hidden: readonly string[],
  keep: readonly string[],
  writable: readonly string[] = []
): string {
  const rw = new Set(writable.map(k => real(k) ?? k));
  const keeps = [...new Set([...keep, ...writable].map(k => real(k) ?? k))].filter(k =>
    hidden.some(h => under(k, h) && k !== h)
  );
  const lines = [
    'set -e',
    `mount -t tmpfs -o mode=0755,size=64k,nosuid,nodev alertlab-staging ${STAGING}`
  ];
  keeps.forEach((k, i) => {
    const at = q(join(STAGING, String(i)));
    lines.push(`mkdir ${at}`, `mount --bind ${q(k)} ${at}`);
  });
  const ops = [
    ...hidden.map(path => ({ path, keep: -1 })),
    ...keeps.map((path, i) => ({ path, keep: i }))
  ].sort((a, b) => a.path.split(sep).length - b.path.split(sep).length);
  for (const op of ops) {
    if (op.keep < 0) {
      // a folder inside one already hidden (and not bound back) is gone: nothing to cover
      lines.push(
        `if [ -d ${q(op.path)} ]; then mount -t tmpfs -o mode=0755,size=64k,nosuid,nodev alertlab-hidden ${q(op.path)}; fi`
      );
    } else {
      lines.push(
        `mkdir -p ${q(op.path)}`,
        `mount --move ${q(join(STAGING, String(op.keep)))} ${q(op.path)}`
      );
      if (!rw.has(op.path)) {
        lines.push(`mount -o remount,bind,ro ${q(op.path)} 2>/dev/null || true`);
      }
    }
  }
  lines.push('exec "$@"');
  return lines.join('\n');
}

/** `command args…` wrapped in the sandbox (unchanged when `mode` is 'none'). */
export function sandboxed(
  mode: SandboxMode,
  command: string,
  args: readonly string[],
  limits: SandboxLimits,
  setup: SandboxSetup
): { command: string; args: string[] } {
  if (mode === 'none') {
    return { command, args: [...args] };
  }
  const rlimits = [
    `--data=${Math.floor(limits.memoryMb * 2 ** 20)}`,
    '--core=0',
    `--nofile=${limits.openFiles ?? DEFAULT_SANDBOX_FILES}`,
    ...(limits.cpuSeconds !== undefined ? [`--cpu=${Math.ceil(limits.cpuSeconds)}`] : []),
    // RLIMIT_NPROC counts every process of the real uid: only with a uid of the worker's own
    ...(mode === 'root' ? [`--nproc=${limits.processes ?? DEFAULT_SANDBOX_PROCESSES}`] : [])
  ];
  const hidden = hiddenDirs(setup.hide);
  const script = mountScript(hidden, setup.keep, setup.writable);
  const ids =
    mode === 'root' && setup.uid !== undefined
      ? [`--reuid=${setup.uid}`, `--regid=${setup.uid}`, '--clear-groups']
      : [];
  return {
    command: PRLIMIT,
    args: [
      ...rlimits,
      '--',
      UNSHARE,
      ...(mode === 'userns' ? ['--user', '--map-root-user'] : []),
      '--mount',
      '--net',
      '--pid',
      '--fork',
      // a /proc of the new PID namespace: the host's would list every process, its command line
      // and (under a normal account) the controller's environment and root
      '--mount-proc',
      '--kill-child',
      '--',
      SH,
      '-c',
      script,
      'alertlab-sandbox',
      SETPRIV,
      ...ids,
      // a uid change clears the parent-death signal unshare set: the worker must die with it
      '--pdeathsig=SIGKILL',
      '--no-new-privs',
      '--bounding-set=-all',
      '--inh-caps=-all',
      '--',
      command,
      ...args
    ]
  };
}
