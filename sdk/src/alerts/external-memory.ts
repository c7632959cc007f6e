/**
 * Garbage collection in processes that hold real-size alerts: memory V8 counts as external. The
 * confluent client copies every fetched value into a Buffer of its own (100–250 KB for a Rubin
 * alert), and a decoded batch's lightcurve is fresh ArrayBuffers (~36 MB per 1,000 realistic
 * alerts). By default V8 starts a full mark-compact of the whole heap each time external memory
 * grows 64 MB past the last one (every ~270 fetched alerts, every other decoded batch), whatever
 * the heap's size: a quarter of a consume → produce pipe's CPU went to marking (perf, 3,000
 * alerts of 238 KB). With V8's `--external-memory-accounted-in-global-limit` external memory
 * counts toward the heap's global limit instead: a third as many full collections. A/B in the
 * same minutes, bench/stage.ts, 5,000 realistic alerts, 2 rounds, load 17–19, CPU per alert:
 * raw pipe 611/625 → 525/491 µs, stage 1,395/1,476 → 882/941 µs (peak RSS +15 % on the pipe);
 * decode of distinct realistic alerts 139–146 → 107–118 µs (load ~100). But it is OFF by default
 * (opt in with ALERTLAB_V8_EXTERNAL_IN_GLOBAL_LIMIT=1): on small alerts it made a stage much slower
 * — test/stage-exactly-once.test.ts (100,000 small alerts, 5 kill -9) took 116 s with it against
 * 51 s without, same minutes, load ~2 — and the soak's workers held more uncollected garbage.
 * The flag is process-wide, set once, by the first confluent consumer or alert decoder's columns
 * made when the environment opts in.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--external-memory-accounted-in-global-limit';
let applied = false;

/** Sets the flag (once per process) when the environment opts in; true when it is set. */
export function accountExternalMemoryInHeapLimit(env: NodeJS.ProcessEnv = process.env): boolean {
  if (applied) {
    return true;
  }
  if (env.ALERTLAB_V8_EXTERNAL_IN_GLOBAL_LIMIT !== '1') {
    return false;
  }
  setFlagsFromString(FLAG);
  applied = true;
  return true;
}
