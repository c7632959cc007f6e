/**
 * V8 tuning for the engine process: it holds a small JS heap (~25 MB: code, Arrow and DuckDB
 * objects) beside tens of MB of ArrayBuffers (catalogs in memory, Arrow IPC payloads), and each
 * request brings and sends a few MB more.
 *
 * Measured on `alertlab.crossmatch` from Python (100,000 positions vs Hipparcos, 10″, ~80k pairs
 * back): with V8's defaults a full mark-compact ran on nearly every request (incremental marking
 * started by a task each time the engine went idle between requests: V8 counts the external
 * bytes against a global limit sized from the small JS heap, so it always looked close to full),
 * each collecting ~0.3 MB of a 24 MB heap for ~15–25 ms of main-thread marking: ~45 ms of engine
 * CPU per call for ~15 ms of matching, and calls varying 20–120 ms. Starting incremental
 * marking only once 80 % of the heap's growth budget since the last collection is used (and
 * starting it at once, without waiting for a task, past 95 %) left ~1 mark-compact per 5 requests (those V8 starts for
 * external-memory pressure, which stay): ~26 ms of engine CPU per call, median call 40 → 22 ms.
 */
import { setFlagsFromString } from 'node:v8';

/** V8 flags this applies: incremental marking by the share of the growth budget used. */
export const ENGINE_V8_FLAGS = [
  '--incremental-marking-soft-trigger=80',
  '--incremental-marking-hard-trigger=95'
] as const;

/**
 * Applies {@link ENGINE_V8_FLAGS} to this process. For a process that serves large Arrow
 * payloads (the engine); V8 reads these flags at each allocation-limit check, so setting them
 * after start-up takes effect.
 */
export function tuneGcForArrowPayloads(): void {
  setFlagsFromString(ENGINE_V8_FLAGS.join(' '));
}
