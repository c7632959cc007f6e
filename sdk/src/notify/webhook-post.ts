/**
 * One webhook POST to a checked address (destination-policy.ts): the URL's host is resolved once
 * and checked, the connection goes to that address (TLS still verifies the URL's host name),
 * redirects are not followed (a 3xx is a failed delivery), the whole exchange has one time limit
 * and at most `maxResponseBytes` of the answer are read.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkDestination } from './destination-policy.js';

/** Options of {@link postWebhook}. */
export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** @default 10000 */
  timeoutMs?: number;
  /** Bytes of the answer read at most (the rest is dropped). @default 65536 */
  maxResponseBytes?: number;
  /** Names the destination in errors. */
  what: string;
}

/** POSTs `body`; resolves with the status, throws on a refused address, a timeout or a non-2xx. */
export async function postWebhook(p: WebhookPost): Promise<number> {
  const timeoutMs = p.timeoutMs ?? 10_000;
  const signal = AbortSignal.timeout(timeoutMs);
  const url = new URL(p.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${p.what}: only http(s) URLs are delivered to, not ${url.protocol}`);
  }
  const target = await checkDestination(url.hostname, p.what);
  // the checked address, whatever name the client asks for: no second resolution
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family }
      ]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const limit = p.maxResponseBytes ?? 65_536;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...p.headers, 'content-length': Buffer.byteLength(p.body) },
        lookup: pinned,
        signal,
        agent: false
      },
      resolve
    );
    req.on('error', err =>
      reject(signal.aborted ? new Error(`${p.what}: no answer within ${timeoutMs} ms`) : err)
    );
    req.end(p.body);
  });
  let read = 0;
  try {
    for await (const chunk of res) {
      read += (chunk as Buffer).length;
      if (read >= limit) {
        break; // enough: the status is what counts
      }
    }
  } catch {
    // an answer cut off (or timed out) after its status: the status still counts
  } finally {
    res.destroy();
  }
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    throw new Error(
      `${p.what} answered ${status} (a redirect to ${String(res.headers.location ?? '?')}); redirects are not followed: give the final URL.`
    );
  }
  if (status < 200 || status >= 300) {
    throw new Error(`${p.what} answered ${status} ${res.statusMessage ?? ''}`.trim());
  }
  return status;
}
