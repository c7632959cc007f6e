import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { backoffMs, createRetry, isRetriableError } from './retry.js';
const retriable = (message) => Object.assign(new Error(message), { retriable: true });
describe('createRetry', () => {
    it('retries retriable errors until success, passing the attempt number', async () => {
        const attempts = [];
        const retry = createRetry({ retries: 5, initialRetryTimeMs: 1 });
        const result = await retry(async (_bail, attempt) => {
            attempts.push(attempt);
            if (attempt < 2) {
                throw retriable('broker not ready');
            }
            return 'ok';
        });
        expect(result).toBe('ok');
        expect(attempts).toEqual([0, 1, 2]);
    });
    it('gives up after `retries` retries with the last error', async () => {
        let calls = 0;
        const retry = createRetry({ retries: 2, initialRetryTimeMs: 1 });
        await expect(retry(async () => {
            calls++;
            throw retriable(`fail ${calls}`);
        })).rejects.toThrow('fail 3');
        expect(calls).toBe(3);
    });
    it('never retries programmer errors, even when a custom test says yes', async () => {
        for (const error of [new TypeError('x is undefined'), new ConfigError('bad config')]) {
            let calls = 0;
            const retry = createRetry({ retries: 5, initialRetryTimeMs: 1, isRetriable: () => true });
            await expect(retry(async () => {
                calls++;
                throw error;
            })).rejects.toBe(error);
            expect(calls).toBe(1);
        }
    });
    it('does not retry errors without retriable: true, and bail stops at once', async () => {
        let calls = 0;
        const retry = createRetry({ retries: 5, initialRetryTimeMs: 1 });
        await expect(retry(async () => {
            calls++;
            throw new Error('plain');
        })).rejects.toThrow('plain');
        const bailed = new Error('stop');
        await expect(retry(async (bail) => {
            calls++;
            bail(bailed);
        })).rejects.toBe(bailed);
        expect(calls).toBe(2);
    });
    it('stops waiting when the signal aborts', async () => {
        const controller = new AbortController();
        const retry = createRetry({
            retries: 5,
            initialRetryTimeMs: 10_000,
            signal: controller.signal
        });
        const run = retry(async () => {
            throw retriable('x');
        });
        setTimeout(() => controller.abort(new Error('aborted')), 20);
        await expect(run).rejects.toThrow('aborted');
    });
});
describe('backoffMs', () => {
    it('grows by the multiplier, stays within the jitter band and the cap', () => {
        const opts = { initialRetryTimeMs: 100, multiplier: 2, factor: 0.2, maxRetryTimeMs: 1000 };
        expect(backoffMs(0, opts, () => 0)).toBe(80);
        expect(backoffMs(0, opts, () => 1)).toBe(120);
        expect(backoffMs(2, opts, () => 0.5)).toBe(400);
        expect(backoffMs(10, opts, () => 1)).toBe(1000);
    });
});
describe('isRetriableError', () => {
    it('reads the retriable flag', () => {
        expect(isRetriableError(retriable('x'))).toBe(true);
        expect(isRetriableError(Object.assign(new Error('x'), { retriable: false }))).toBe(false);
        expect(isRetriableError('string')).toBe(false);
    });
});
