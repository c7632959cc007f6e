/**
 * The sandbox a Python filter worker runs in, from parts every Debian machine has (util-linux):
 * `prlimit` bounds its memory (RLIMIT_DATA: heap and anonymous maps), open files and core dumps;
 * `unshare` gives it a network namespace with no interface up (no network) and a PID namespace
 * that dies with it (a process it leaves behind, detached or not, is killed with the worker);
 * `setpriv` drops every capability for good (`--no-new-privs`, empty bounding set); its
 * environment is reduced to what Python needs (no tokens, keys or passwords), with HOME and
 * TMPDIR in a private scratch directory. As root the namespaces are made directly; otherwise in
 * a user namespace when the kernel allows one. The worker talks to its host over a Unix socket,
 * which a network namespace does not cut.
 *
 * Not covered yet (issue 15 part 1): a read-only view of only the files the filter needs (the
 * worker still sees the host's files with the controller's uid), and a cap on the number of
 * processes (RLIMIT_NPROC does not bind root; a cgroup would).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Default memory limit of a Python filter worker (MiB). */
export const DEFAULT_WORKER_MEMORY_MB = 2048;

/** How the namespaces can be made here: directly (root), in a user namespace, or not at all. */
export type SandboxMode = 'root' | 'userns' | 'none';

const TOOLS = ['/usr/bin/prlimit', '/usr/bin/unshare', '/usr/bin/setpriv'];
let detected: SandboxMode | undefined;

/** Detects (once) whether this machine can sandbox workers, and how. */
export function sandboxMode(): SandboxMode {
  if (detected !== undefined) {
    return detected;
  }
  if (process.platform !== 'linux' || !TOOLS.every(t => existsSync(t))) {
    return (detected = 'none');
  }
  const args = ['--net', '--pid', '--fork', '--kill-child', '--', '/bin/true'];
  if (process.getuid?.() === 0 && spawnSync(TOOLS[1], args).status === 0) {
    return (detected = 'root');
  }
  const user = ['--user', '--map-root-user', ...args];
  return (detected = spawnSync(TOOLS[1], user).status === 0 ? 'userns' : 'none');
}

const SECRET = /TOKEN|KEY|SECRET|PASSW|CREDENTIAL|AUTH/i;
const KEEP = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'PYTHONPATH', 'VIRTUAL_ENV'];

/** The worker's environment: what Python needs, ALERTLAB_* settings but no secrets, `extra`. */
export function workerEnv(
  scratchDir: string,
  extra: Record<string, string> = {}
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if ((KEEP.includes(k) || k.startsWith('ALERTLAB_')) && !SECRET.test(k)) {
      env[k] = v;
    }
  }
  return { ...env, HOME: scratchDir, TMPDIR: scratchDir, ...extra };
}

/** `command args…` wrapped in the sandbox (unchanged when `mode` is 'none'). */
export function sandboxed(
  mode: SandboxMode,
  command: string,
  args: readonly string[],
  memoryLimitMb: number
): { command: string; args: string[] } {
  if (mode === 'none') {
    return { command, args: [...args] };
  }
  const bytes = Math.floor(memoryLimitMb * 2 ** 20);
  return {
    command: TOOLS[0],
    args: [
      `--data=${bytes}`,
      '--core=0',
      '--nofile=1024',
      '--',
      TOOLS[1],
      ...(mode === 'userns' ? ['--user', '--map-root-user'] : []),
      '--net',
      '--pid',
      '--fork',
      '--kill-child',
      '--',
      TOOLS[2],
      '--no-new-privs',
      '--bounding-set=-all',
      '--inh-caps=-all',
      '--',
      command,
      ...args
    ]
  };
}
