/**
 * The process sandbox user code (TypeScript and Python filters) runs in, built from util-linux,
 * which every Debian machine has, and a small seccomp launcher built at setup:
 *
 * - `prlimit`: memory (RLIMIT_DATA: heap and anonymous maps), CPU seconds, processes/threads
 *   (RLIMIT_NPROC), open files, no core dumps;
 * - `unshare`: a network namespace with no interface up (no network), a PID namespace that dies
 *   with the worker (nothing it starts outlives it; it sees no host process), IPC and mount
 *   namespaces;
 * - a short `sh` script in that mount namespace (sandbox-mounts.ts) hides `$ALERTLAB_HOME`
 *   (tokens, Kafka data, stage state), the controller user's home and the world-writable folders
 *   behind empty tmpfs mounts, binding back read-only only the runtime the worker needs (Node,
 *   Python, the repository) when it lives under them;
 * - `setpriv`: as root, a uid and gid of its own (random, unnamed, one per worker: no file of the
 *   host is its, no other worker's files are readable to it), no supplementary groups; always no
 *   capabilities and no-new-privs;
 * - `alertlab-seccomp` (sdk/native/alertlab-seccomp.c): a syscall filter (EPERM for ptrace,
 *   mounts, namespaces, keyrings, bpf, io_uring, sockets other than AF_UNIX, ...), then the worker.
 *
 * As root the namespaces are made directly; under a normal account inside a user namespace
 * (root of it mapped to the account; no uid change; the process cap set inside it, where it
 * counts only the worker's tasks). Where neither works, user code is refused (requireSandbox).
 * The worker's environment keeps what its runtime needs and `ALERTLAB_*` settings without
 * secrets; HOME, TMPDIR and the working directory are a private scratch folder.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { STAGING, hiddenDirs, mountScript } from './sandbox-mounts.js';

export { hiddenDirs, isHidden, mountScript, runtimePrefix } from './sandbox-mounts.js';

/** The repository root (its sdk, node_modules and .venv): the code every worker runs. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The seccomp launcher scripts/build-seccomp.sh builds (sdk/native/alertlab-seccomp.c). */
export const SECCOMP_LAUNCHER = join(REPO_ROOT, 'sdk', 'native', 'build', 'alertlab-seccomp');

/** How the namespaces can be made here: directly (root), in a user namespace, or not at all. */
export type SandboxMode = 'root' | 'userns' | 'none';

/** Default cap on a sandboxed worker's processes and threads together (RLIMIT_NPROC). */
export const DEFAULT_SANDBOX_PROCESSES = 64;
/** Default open files of a sandboxed worker. */
export const DEFAULT_SANDBOX_FILES = 1024;

/** First uid handed to sandboxed workers (a range no distribution gives to users or services). */
export const SANDBOX_UID_BASE = 3_000_000_000;
const SANDBOX_UID_SPAN = 2 ** 24;

const PRLIMIT = '/usr/bin/prlimit';
const UNSHARE = '/usr/bin/unshare';
const SETPRIV = '/usr/bin/setpriv';
const SETSID = '/usr/bin/setsid';
const SH = '/bin/sh';
/** The namespaces every worker gets (and the detection tries). */
const NAMESPACES = ['--mount', '--net', '--pid', '--ipc', '--fork', '--mount-proc', '--kill-child'];
let detected: { mode: SandboxMode; reason?: string } | undefined;

function tryUnshare(extra: readonly string[]): string | undefined {
  const r = spawnSync(UNSHARE, [...extra, ...NAMESPACES, '--', '/bin/true'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || `status ${r.status}`).trim();
}

/** Detects (once) whether this machine can sandbox workers, and how. */
export function sandboxMode(): SandboxMode {
  if (detected !== undefined) {
    return detected.mode;
  }
  const tools = [PRLIMIT, UNSHARE, SETPRIV, SETSID, SH, '/usr/bin/mount', STAGING];
  const missing = tools.filter(t => !existsSync(t));
  if (process.platform !== 'linux' || missing.length > 0) {
    const reason =
      process.platform !== 'linux'
        ? `it needs Linux namespaces (this is ${process.platform})`
        : `${missing.join(', ')} missing (Debian: apt-get install util-linux mount)`;
    detected = { mode: 'none', reason };
    return 'none';
  }
  if (process.getuid?.() === 0 && tryUnshare([]) === undefined) {
    detected = { mode: 'root' };
    return 'root';
  }
  const failed = tryUnshare(['--user', '--map-root-user']);
  detected =
    failed === undefined
      ? { mode: 'userns' }
      : {
          mode: 'none',
          reason: `user namespaces are not available to this account (unshare --user: ${failed.slice(0, 200)}); enable them (sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1 where the kernel has it) or run the controller as root`
        };
  return detected.mode;
}

/**
 * The sandbox mode user code runs in. A filter is never run unsandboxed unless the caller asked
 * for that (`wanted` false): where no sandbox can be made this refuses with a ConfigError that
 * says why and what to do.
 */
export function requireSandbox(language: string, wanted: boolean): SandboxMode {
  if (!wanted) {
    return 'none';
  }
  const mode = sandboxMode();
  if (mode === 'none') {
    const reason = detected?.reason ?? 'unknown';
    throw new ConfigError(
      `Refusing to run the ${language} filter: this machine cannot make the filter sandbox (${reason}). User code never runs unsandboxed; for trusted code in a notebook pass sandbox: false.`,
      { context: { language, code: 'no-sandbox', reason } }
    );
  }
  return mode;
}

/** The documented opt-out: `ALERTLAB_SANDBOX_SECCOMP=off` runs sandboxed workers without the syscall filter. */
export const SECCOMP_OPT_OUT = 'ALERTLAB_SANDBOX_SECCOMP';

let warnedSeccomp = false;
/**
 * The seccomp launcher. When it is not built, filters are refused (ConfigError 'no-seccomp')
 * unless `ALERTLAB_SANDBOX_SECCOMP=off` says to run them without a syscall filter (said once).
 */
export function seccompLauncher(path: string = SECCOMP_LAUNCHER): string | undefined {
  if (existsSync(path)) {
    return path;
  }
  if (process.env[SECCOMP_OPT_OUT] !== 'off') {
    throw new ConfigError(
      `Refusing to run the filter: its syscall filter ${path} is not built. Run bash scripts/build-seccomp.sh (needs gcc and libseccomp-dev), or set ${SECCOMP_OPT_OUT}=off to run filters without a syscall filter.`,
      { context: { code: 'no-seccomp', launcher: path } }
    );
  }
  if (!warnedSeccomp) {
    warnedSeccomp = true;
    process.emitWarning(
      `Filter workers run without their syscall filter (${SECCOMP_OPT_OUT}=off): ${path} is not built.`,
      { code: 'ALERTLAB_NO_SECCOMP' }
    );
  }
  return undefined;
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
  /** RLIMIT_NPROC (root mode: before unshare; user-namespace mode: inside it). @default 64 */
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
  /** Run the worker under the seccomp launcher (refused when not built, see seccompLauncher). @default true */
  seccomp?: boolean;
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
    ...(limits.cpuSeconds !== undefined ? [`--cpu=${Math.ceil(limits.cpuSeconds)}`] : [])
  ];
  // RLIMIT_NPROC counts the tasks of one uid in one user namespace (and, up the chain, against
  // the limit its creator had). As root the worker has a uid of its own, so the cap is set before
  // unshare; in a user namespace it is set inside it, where it counts only the worker's tasks (set
  // before, it would become the namespace's ceiling on all of the account's processes).
  const nproc = `--nproc=${limits.processes ?? DEFAULT_SANDBOX_PROCESSES}`;
  const launcher = setup.seccomp === false ? undefined : seccompLauncher();
  const hidden = hiddenDirs(setup.hide);
  // the launcher's folder is kept read-only too: a filter must not replace it for the next worker
  const keep = launcher !== undefined ? [...setup.keep, dirname(launcher)] : setup.keep;
  const script = mountScript(hidden, keep, setup.writable);
  const ids =
    mode === 'root' && setup.uid !== undefined
      ? [`--reuid=${setup.uid}`, `--regid=${setup.uid}`, '--clear-groups']
      : [];
  return {
    command: PRLIMIT,
    args: [
      ...rlimits,
      ...(mode === 'root' ? [nproc] : []),
      '--',
      UNSHARE,
      ...(mode === 'userns' ? ['--user', '--map-root-user'] : []),
      // --mount-proc: a /proc of the new PID namespace; the host's would list every process, its
      // command line and (under a normal account) the controller's environment and root
      ...NAMESPACES,
      '--',
      SH,
      '-c',
      script,
      'alertlab-sandbox',
      // a session and process group of its own: kill(0, …) must not reach the host's group (under
      // a normal account the worker has the host's uid, so the kernel would allow it); no
      // controlling terminal either
      SETSID,
      ...(mode === 'userns' ? [PRLIMIT, nproc, '--'] : []),
      SETPRIV,
      ...ids,
      // a uid change clears the parent-death signal unshare set: the worker must die with it
      '--pdeathsig=SIGKILL',
      '--no-new-privs',
      '--bounding-set=-all',
      '--inh-caps=-all',
      '--',
      // last: the syscall filter, inherited over the exec and by every child
      ...(launcher !== undefined ? [launcher] : []),
      command,
      ...args
    ]
  };
}
