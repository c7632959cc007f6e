/**
 * Garbage collection in a process that consumes real-size records through librdkafka. The package
 * copies every record's value into a Buffer of its own (100–250 KB for a Rubin alert), memory V8
 * counts as external. By default V8 starts a full mark-compact of the whole heap each time
 * external memory grows 64 MB past the last one: every ~270 alerts, whatever the heap's size — a
 * quarter of a consume → produce pipe's CPU went to marking (perf, 3,000 alerts of 238 KB). With
 * V8's `--external-memory-accounted-in-global-limit` external memory counts toward the heap's
 * global limit instead: a third as many full collections; on bench/stage.ts (5,000 alerts of
 * 238 KB, load ~40, A/B in the same minutes) ~20 % less CPU per alert for both the raw pipe and the
 * stage, peak RSS +15 % on the pipe. The flag is process-wide and set once, when the first
 * confluent consumer is made; ALERTLAB_V8_EXTERNAL_IN_GLOBAL_LIMIT=0 keeps V8's default.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--external-memory-accounted-in-global-limit';
let applied = false;

/** Sets the flag (once per process) unless the environment opts out; true when it is set. */
export function accountExternalMemoryInHeapLimit(env: NodeJS.ProcessEnv = process.env): boolean {
  if (applied) {
    return true;
  }
  if (env.ALERTLAB_V8_EXTERNAL_IN_GLOBAL_LIMIT === '0') {
    return false;
  }
  setFlagsFromString(FLAG);
  applied = true;
  return true;
}
