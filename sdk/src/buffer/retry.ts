/**
 * `createRetry(options)(async (bail, attempt) => ...)`: exponential backoff with jitter for
 * retriable failures (broker not ready, leader moving, coordinator loading). Programmer errors
 * (TypeError, RangeError, config errors, anything marked `retriable: false`) are never retried.
 */
import { ConfigError } from '../errors.js';

export interface RetryOptions {
  /** Retries after the first attempt. @default 5 */
  retries?: number;
  /** Wait before the first retry, in ms (before jitter). @default 300 */
  initialRetryTimeMs?: number;
  /** Upper bound on one wait, in ms. @default 30000 */
  maxRetryTimeMs?: number;
  /** Jitter: each wait is multiplied by a random factor in [1 - factor, 1 + factor]. @default 0.2 */
  factor?: number;
  /** Growth of the wait per attempt. @default 2 */
  multiplier?: number;
  /** Stops waiting and rejects with the abort reason. @default undefined */
  signal?: AbortSignal;
  /**
   * Decides "may a retry help?" instead of the `retriable` flag. Programmer errors are never
   * retried whatever it says. @default isRetriableError
   */
  isRetriable?: (error: unknown) => boolean;
  /** Called before each wait. @default undefined */
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

/** Stops retrying and rejects with `error`. */
export type Bail = (error: unknown) => never;

export type Retrier = <T>(fn: (bail: Bail, attempt: number) => Promise<T>) => Promise<T>;

class BailSignal {
  constructor(readonly error: unknown) {}
}

/** True for errors that a retry cannot fix: bugs in the caller or bad input. */
export function isProgrammerError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError ||
    error instanceof ConfigError
  );
}

/** True when the error says a retry may help (`retriable: true`) and it is not a programmer error. */
export function isRetriableError(error: unknown): boolean {
  if (isProgrammerError(error)) {
    return false;
  }
  if (typeof error === 'object' && error !== null && 'retriable' in error) {
    return (error as { retriable: unknown }).retriable === true;
  }
  return false;
}

/** The wait before retry number `attempt` (0-based), with jitter. */
export function backoffMs(
  attempt: number,
  options: RetryOptions = {},
  random = Math.random
): number {
  const initial = options.initialRetryTimeMs ?? 300;
  const max = options.maxRetryTimeMs ?? 30_000;
  const factor = options.factor ?? 0.2;
  const multiplier = options.multiplier ?? 2;
  const base = Math.min(max, initial * multiplier ** attempt);
  const jitter = 1 - factor + random() * 2 * factor;
  return Math.min(max, Math.round(base * jitter));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createRetry(options: RetryOptions = {}): Retrier {
  const retries = options.retries ?? 5;
  return async <T>(fn: (bail: Bail, attempt: number) => Promise<T>): Promise<T> => {
    const bail: Bail = error => {
      throw new BailSignal(error);
    };
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(bail, attempt);
      } catch (error) {
        if (error instanceof BailSignal) {
          throw error.error;
        }
        const retriable =
          !isProgrammerError(error) &&
          (options.isRetriable === undefined
            ? isRetriableError(error)
            : options.isRetriable(error));
        if (!retriable || attempt >= retries) {
          throw error;
        }
        const waitMs = backoffMs(attempt, options);
        options.onRetry?.(error, attempt, waitMs);
        await sleep(waitMs, options.signal);
      }
    }
  };
}
