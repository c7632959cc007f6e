/**
 * Idle exit for an engine that `alertlab.connect()` started: the engine stops itself once its last
 * client is gone. "Gone" means no message from any client (request, stream acknowledgement, ping)
 * for `idleMs` and no open stream (a stream not yet ended counts as a client, however slowly it
 * is read).
 */
import type { BridgeEngine } from './engine.js';

/** Open (not yet ended) streams of the engine. */
export function openStreams(engine: BridgeEngine): number {
  let n = 0;
  for (const s of engine.streams.values()) {
    if (!s.ended) {
      n++;
    }
  }
  return n;
}

/**
 * Calls `onIdle` once when `lastActivityMs()` is older than `idleMs` and the engine has no open
 * stream. Checks a few times per `idleMs` (at least every second). `stop()` ends the watch.
 */
export function watchIdle(
  engine: BridgeEngine,
  idleMs: number,
  lastActivityMs: () => number,
  onIdle: () => void
): { stop(): void } {
  let lastBusyMs = Date.now();
  const timer = setInterval(
    () => {
      const now = Date.now();
      if (openStreams(engine) > 0) {
        lastBusyMs = now;
        return;
      }
      if (now - Math.max(lastActivityMs(), lastBusyMs) >= idleMs) {
        clearInterval(timer);
        onIdle();
      }
    },
    Math.max(50, Math.min(1000, idleMs / 4))
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
