/**
 * Token buckets per client address for the routes anyone may call (cone search and SCS for VO
 * clients): `perSecond` requests a second with bursts of `burst`. The table of clients is bounded
 * (the oldest half is dropped past `maxClients`), so many addresses cannot grow it without end.
 *
 * The client is the socket's peer, unless that peer is a trusted reverse proxy (`trustedProxies`,
 * CIDRs; setting `ALERTLAB_TRUSTED_PROXIES`): then `X-Forwarded-For` is read from the right and
 * the first address that is not a trusted proxy is the client. A header from any other peer is
 * ignored (anyone can write one).
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../errors.js';
import { HttpError } from './http.js';

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Sustained requests per second per client. @default 5 */
  perSecond?: number;
  /** Requests a client may make at once. @default 20 */
  burst?: number;
  /** Clients remembered. @default 10000 */
  maxClients?: number;
  /**
   * Reverse proxies whose `X-Forwarded-For` is believed (CIDRs or addresses, e.g.
   * `["10.0.0.0/8", "::1"]`). @default the comma-separated `ALERTLAB_TRUSTED_PROXIES`, else none
   */
  trustedProxies?: readonly string[];
}

/** Name of the environment setting of trusted proxies. */
export const TRUSTED_PROXIES_ENV = 'ALERTLAB_TRUSTED_PROXIES';

/** Drops the IPv4-mapped prefix (`::ffff:10.0.0.1` → `10.0.0.1`). */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1] : address;
}

/** A set of CIDRs/addresses; a ConfigError naming `setting` for a malformed one. */
export function parseCidrs(list: readonly string[], setting: string): BlockList {
  const set = new BlockList();
  for (const raw of list) {
    const item = raw.trim();
    if (item === '') {
      continue;
    }
    const [addr, bits, extra] = item.split('/');
    const ip = plainAddress(addr);
    const family = isIP(ip);
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (
      family === 0 ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max
    ) {
      throw new ConfigError(
        `${setting}: "${item}" is not an IP address or CIDR (e.g. 10.0.0.0/8, 192.168.1.5, fd00::/8).`,
        { context: { setting, item } }
      );
    }
    set.addSubnet(ip, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return set;
}

/** Whether `address` is in `set` (either family; IPv4-mapped IPv6 as IPv4). */
export function inCidrs(set: BlockList, address: string): boolean {
  const ip = plainAddress(address);
  const family = isIP(ip);
  return family !== 0 && set.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** The client of a request: the peer, or through trusted proxies the right-most untrusted hop. */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList | undefined
): string {
  const socket = plainAddress(peer ?? 'unknown');
  if (trusted === undefined || !inCidrs(trusted, socket) || forwardedFor === undefined) {
    return socket;
  }
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map(h => plainAddress(h.trim()))
    .slice(-64);
  let client = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    if (isIP(hops[i]) === 0) {
      break; // a malformed hop: the last good address is as far as the chain can be believed
    }
    client = hops[i];
    if (!inCidrs(trusted, client)) {
      break;
    }
  }
  return client;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxClients: number;
  private readonly trusted: BlockList | undefined;

  constructor(options: RateLimitOptions = {}) {
    this.perSecond = options.perSecond ?? 5;
    this.burst = options.burst ?? 20;
    this.maxClients = options.maxClients ?? 10_000;
    const list = options.trustedProxies ?? (process.env[TRUSTED_PROXIES_ENV] ?? '').split(',');
    const setting = options.trustedProxies ? 'trustedProxies' : TRUSTED_PROXIES_ENV;
    this.trusted = list.some(s => s.trim() !== '') ? parseCidrs(list, setting) : undefined;
  }

  /** The address a request's bucket is keyed on. */
  clientOf(req: IncomingMessage): string {
    return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.trusted);
  }

  /** Takes one request from `client`'s bucket; false when it is empty. */
  take(client: string, nowMs = Date.now()): boolean {
    let b = this.buckets.get(client);
    if (b === undefined) {
      if (this.buckets.size >= this.maxClients) {
        let drop = this.buckets.size >> 1;
        for (const key of this.buckets.keys()) {
          if (drop-- <= 0) {
            break;
          }
          this.buckets.delete(key);
        }
      }
      b = { tokens: this.burst, atMs: nowMs };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.atMs) / 1000) * this.perSecond);
    b.atMs = nowMs;
    if (b.tokens < 1) {
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  /** Throws a 429 when `client` (an address, or a request) is over its rate. */
  check(client: string | IncomingMessage): void {
    if (typeof client !== 'string') {
      client = this.clientOf(client);
    }
    if (!this.take(client)) {
      throw new HttpError(
        429,
        `Too many requests without a token: at most ${this.perSecond} a second (bursts of ${this.burst}). Slow down, or send "Authorization: Bearer <token>".`
      );
    }
  }
}
