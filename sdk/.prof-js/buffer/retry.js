/**
 * `createRetry(options)(async (bail, attempt) => ...)`: exponential backoff with jitter for
 * retriable failures (broker not ready, leader moving, coordinator loading). Programmer errors
 * (TypeError, RangeError, config errors, anything marked `retriable: false`) are never retried.
 */
import { ConfigError } from '../errors.js';
class BailSignal {
    error;
    constructor(error) {
        this.error = error;
    }
}
/** True for errors that a retry cannot fix: bugs in the caller or bad input. */
export function isProgrammerError(error) {
    return (error instanceof TypeError ||
        error instanceof RangeError ||
        error instanceof SyntaxError ||
        error instanceof ReferenceError ||
        error instanceof ConfigError);
}
/** True when the error says a retry may help (`retriable: true`) and it is not a programmer error. */
export function isRetriableError(error) {
    if (isProgrammerError(error)) {
        return false;
    }
    if (typeof error === 'object' && error !== null && 'retriable' in error) {
        return error.retriable === true;
    }
    return false;
}
/** The wait before retry number `attempt` (0-based), with jitter. */
export function backoffMs(attempt, options = {}, random = Math.random) {
    const initial = options.initialRetryTimeMs ?? 300;
    const max = options.maxRetryTimeMs ?? 30_000;
    const factor = options.factor ?? 0.2;
    const multiplier = options.multiplier ?? 2;
    const base = Math.min(max, initial * multiplier ** attempt);
    const jitter = 1 - factor + random() * 2 * factor;
    return Math.min(max, Math.round(base * jitter));
}
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(signal.reason);
            return;
        }
        const onAbort = () => {
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
export function createRetry(options = {}) {
    const retries = options.retries ?? 5;
    return async (fn) => {
        const bail = error => {
            throw new BailSignal(error);
        };
        for (let attempt = 0;; attempt++) {
            try {
                return await fn(bail, attempt);
            }
            catch (error) {
                if (error instanceof BailSignal) {
                    throw error.error;
                }
                const retriable = !isProgrammerError(error) &&
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
