/**
 * Token buckets per client address for the routes anyone may call (cone search and SCS for VO
 * clients): `perSecond` requests a second with bursts of `burst`. The table of clients is bounded
 * (the oldest half is dropped past `maxClients`), so many addresses cannot grow it without end.
 */
import { HttpError } from './http.js';

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Sustained requests per second per client. @default 5 */
  perSecond?: number;
  /** Requests a client may make at once. @default 20 */
  burst?: number;
  /** Clients remembered. @default 10000 */
  maxClients?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxClients: number;

  constructor(options: RateLimitOptions = {}) {
    this.perSecond = options.perSecond ?? 5;
    this.burst = options.burst ?? 20;
    this.maxClients = options.maxClients ?? 10_000;
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

  /** Throws a 429 when `client` is over its rate. */
  check(client: string): void {
    if (!this.take(client)) {
      throw new HttpError(
        429,
        `Too many requests without a token: at most ${this.perSecond} a second (bursts of ${this.burst}). Slow down, or send "Authorization: Bearer <token>".`
      );
    }
  }
}
