import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate, per client', () => {
    const r = new RateLimiter({ perSecond: 2, burst: 3 });
    const t0 = 1_000_000;
    expect([1, 2, 3, 4].map(() => r.take('a', t0))).toEqual([true, true, true, false]);
    expect(r.take('b', t0)).toBe(true); // another client has its own bucket
    expect(r.take('a', t0 + 400)).toBe(false); // 0.8 of a token back
    expect(r.take('a', t0 + 500)).toBe(true);
    expect(() => new RateLimiter({ perSecond: 1, burst: 1 }).check('c')).not.toThrow();
  });

  it('keeps a bounded table of clients', () => {
    const r = new RateLimiter({ maxClients: 100 });
    for (let i = 0; i < 10_000; i++) {
      r.take(`10.0.${i >> 8}.${i & 255}`, 0);
    }
    expect((r as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(
      100
    );
  });
});
