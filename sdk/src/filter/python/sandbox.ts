/**
 * The Python filter worker's sandbox: the process sandbox every filter worker runs in
 * (../sandbox.ts: its own uid, no network, a PID namespace, `$ALERTLAB_HOME`, the home directory
 * and the temporary folders hidden, bounded memory, processes and files, no capabilities).
 */
export {
  sandboxMode,
  sandboxed,
  workerEnv,
  type SandboxMode,
  type SandboxLimits
} from '../sandbox.js';

/** Default memory limit of a Python filter worker (MiB). */
export const DEFAULT_WORKER_MEMORY_MB = 2048;
