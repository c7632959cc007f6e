import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  NOTIFY_ALLOW_ENV,
  allowList,
  checkDestination,
  checkNotificationTargets,
  refusal
} from './destination-policy.js';
import { postWebhook } from './webhook-post.js';

describe('notification destination policy', () => {
  it('refuses loopback, link-local, private, multicast and mapped forms; allows public', () => {
    const refused: Record<string, RegExp> = {
      '127.0.0.1': /loopback/,
      '127.9.9.9': /loopback/,
      '::1': /loopback/,
      '0.0.0.0': /unspecified/,
      '169.254.169.254': /link-local/,
      '10.1.2.3': /private/,
      '172.31.255.1': /private/,
      '192.168.0.1': /private/,
      '100.64.0.1': /CGNAT/,
      'fd12::1': /private/,
      'fe80::1': /link-local/,
      '224.0.0.251': /multicast/,
      'ff02::1': /multicast/,
      '255.255.255.255': /broadcast/,
      '::ffff:127.0.0.1': /loopback/,
      '::ffff:a9fe:a9fe': /link-local/,
      '64:ff9b::a9fe:a9fe': /NAT64/,
      '::7f00:1': /loopback.*IPv4-compatible/,
      '::127.0.0.1': /loopback/,
      '2002:7f00:1::1': /loopback.*6to4/,
      '2002:a00:1::': /private.*6to4/,
      '64:ff9b::7f00:1': /loopback.*NAT64/,
      '64:ff9b:1::a00:1': /local-use NAT64/,
      'fec0::1': /non-global/,
      '100::1': /non-global/,
      '2001:db8::1': /documentation/,
      '2001::1': /special-purpose/,
      '192.0.2.1': /TEST-NET/,
      '198.51.100.7': /TEST-NET/,
      '203.0.113.9': /TEST-NET/
    };
    for (const [ip, why] of Object.entries(refused)) {
      expect(refusal(ip, undefined), ip).toMatch(why);
    }
    for (const ip of [
      '8.8.8.8',
      '1.1.1.1',
      '2001:4860:4860::8888',
      '172.32.0.1',
      '64:ff9b::808:808',
      '2002:808:808::1'
    ]) {
      expect(refusal(ip, undefined), ip).toBeUndefined();
    }
    // this machine's own interface addresses (a public one too)
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        expect(refusal(a.address.split('%')[0], undefined), a.address).toBeDefined();
      }
    }
  });

  it("the operator's allow-list lifts a refusal, and only for its CIDRs", () => {
    const allow = allowList('127.0.0.1/32, 10.5.0.0/16');
    expect(refusal('127.0.0.1', allow)).toBeUndefined();
    expect(refusal('10.5.9.9', allow)).toBeUndefined();
    expect(refusal('127.0.0.2', allow)).toMatch(/loopback/);
    expect(refusal('10.6.0.1', allow)).toMatch(/private/);
    expect(() => allowList('not-a-cidr')).toThrow(/ALERTLAB_NOTIFY_ALLOW: "not-a-cidr"/);
  });

  it('resolves a name once and refuses it when any address is refused, naming the setting', async () => {
    await expect(checkDestination('localhost', 'webhook w', undefined)).rejects.toThrow(
      /webhook w: "localhost" resolves to (127\.0\.0\.1|::1), a loopback address; .*ALERTLAB_NOTIFY_ALLOW=/
    );
    await expect(checkDestination('[::1]', 'w', undefined)).rejects.toThrow(/loopback/);
    await expect(checkDestination('no-such-host.invalid', 'w', undefined)).rejects.toThrow(
      /does not resolve/
    );
    expect(await checkDestination('8.8.4.4', 'w', undefined)).toEqual({
      address: '8.8.4.4',
      family: 4
    });
    await expect(
      checkNotificationTargets([
        { kind: 'topic', name: 't', topic: 'x' },
        { kind: 'webhook', name: 'meta', url: 'http://169.254.169.254/latest/meta-data/' }
      ])
    ).rejects.toThrow(/notifications\[1\] \(meta\): "169.254.169.254" is a link-local/);
    await expect(
      checkNotificationTargets([{ kind: 'email', name: 'm', host: '10.0.0.8' }])
    ).rejects.toThrow(/notifications\[0\] \(m\).*private/);
  });
});

describe('webhook POST to a checked address', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  const saved = process.env[NOTIFY_ALLOW_ENV];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 5000).unref();
      } else if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(1 << 20, 97);
        let sent = 0;
        const more = (): void => {
          while (sent < 512 && res.write(chunk)) {
            sent++;
          }
          if (sent < 512) {
            res.once('drain', more);
          } else {
            res.end();
          }
        };
        more();
      } else {
        req.resume();
        req.on('end', () => res.end('ok'));
      }
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    if (saved === undefined) {
      delete process.env[NOTIFY_ALLOW_ENV];
    } else {
      process.env[NOTIFY_ALLOW_ENV] = saved;
    }
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  const post = (path: string, timeoutMs = 3000) =>
    postWebhook({
      url: `${base}${path}`,
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
      timeoutMs,
      what: 'webhook t'
    });

  it('refuses a loopback receiver without the setting: nothing reaches it', async () => {
    delete process.env[NOTIFY_ALLOW_ENV];
    hits.length = 0;
    await expect(post('/hook')).rejects.toThrow(/loopback address.*ALERTLAB_NOTIFY_ALLOW/);
    expect(hits).toEqual([]);
  });

  it('with the setting: delivers; no redirect followed; times out; reads a bounded answer', async () => {
    process.env[NOTIFY_ALLOW_ENV] = '127.0.0.1/32';
    hits.length = 0;
    expect(await post('/hook')).toBe(200);
    await expect(post('/redirect')).rejects.toThrow(/302 .*redirects are not followed/);
    expect(hits).toEqual(['/hook', '/redirect']);
    const t0 = Date.now();
    await expect(post('/slow', 500)).rejects.toThrow(/no answer within 500 ms/);
    expect(Date.now() - t0).toBeLessThan(2500);
    const rss0 = process.memoryUsage().rss;
    const t1 = Date.now();
    expect(await post('/huge')).toBe(200); // 512 MiB offered; 64 KiB read
    expect(Date.now() - t1).toBeLessThan(2500);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * 1024 * 1024);
  });
});
