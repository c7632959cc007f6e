import { describe, expect, it } from 'vitest';
import { RateLimiter, clientAddress, parseCidrs } from './rate-limit.js';

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

describe('client address behind reverse proxies', () => {
  const trusted = parseCidrs(['10.0.0.0/8', '::1', '192.168.1.5'], 'test');

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', trusted)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', '10.1.1.1', trusted)).toBe('203.0.113.9');
    expect(clientAddress('10.2.3.4', '1.2.3.4', undefined)).toBe('10.2.3.4');
  });

  it('takes the right-most untrusted hop from a trusted proxy', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.7', trusted)).toBe('198.51.100.7');
    // a client that writes its own header cannot choose its bucket: the proxy appends the peer
    expect(clientAddress('::ffff:10.0.0.2', '1.1.1.1, 198.51.100.7', trusted)).toBe('198.51.100.7');
    expect(clientAddress('::1', ['1.1.1.1, 198.51.100.7', '10.9.9.9'], trusted)).toBe(
      '198.51.100.7'
    );
    expect(clientAddress('192.168.1.5', '10.0.0.3, 10.0.0.4', trusted)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.2', 'garbage, 10.0.0.4', trusted)).toBe('10.0.0.4');
    expect(clientAddress('10.0.0.2', undefined, trusted)).toBe('10.0.0.2');
  });

  it('refuses a malformed CIDR naming the setting', () => {
    expect(() => parseCidrs(['10.0.0.0/33'], 'ALERTLAB_TRUSTED_PROXIES')).toThrow(
      /ALERTLAB_TRUSTED_PROXIES: "10.0.0.0\/33"/
    );
    expect(() => parseCidrs(['proxy.example'], 'x')).toThrow(/not an IP address/);
  });

  it('keys the bucket on the forwarded client when the peer is trusted', () => {
    const r = new RateLimiter({ perSecond: 1, burst: 1, trustedProxies: ['127.0.0.1'] });
    const req = (peer: string, xff?: string) =>
      ({
        socket: { remoteAddress: peer },
        headers: xff ? { 'x-forwarded-for': xff } : {}
      }) as never;
    expect(r.clientOf(req('127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
    expect(r.clientOf(req('127.0.0.2', '198.51.100.1'))).toBe('127.0.0.2');
    r.check(req('127.0.0.1', '198.51.100.1'));
    r.check(req('127.0.0.1', '198.51.100.2')); // another client behind the same proxy
    expect(() => r.check(req('127.0.0.1', '198.51.100.1'))).toThrow(/Too many requests/);
  });
});
