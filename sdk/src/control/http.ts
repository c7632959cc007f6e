/**
 * A tiny router on node:http: routes by method and path pattern (`/stages/{id}`), JSON and body
 * helpers with size limits, and one error type that carries the HTTP status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../errors.js';
import type { Principal } from './users.js';

export { HttpError };

/** What a handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** Who sent the request (set when the server checks tokens). */
  user?: Principal;
  /** True when the server checks tokens and this caller of a public route sent none. */
  anonymous?: boolean;
}

export type Handler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
  public: boolean;
}

/** Options of {@link Router.add}. */
export interface RouteOptions {
  /** Reachable without the bearer token. @default false */
  public?: boolean;
}

/** A match: the handler and the path parameters, or the methods allowed on the path. */
export type RouteMatch =
  | { found: true; handler: Handler; params: Record<string, string>; public: boolean }
  | { found: false; allowed: string[] };

/** Method + path-pattern routes; `{name}` segments become params, a trailing `{name*}` takes the rest. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): this {
    this.routes.push({
      method,
      parts: pattern.split('/').filter(Boolean),
      handler,
      public: options.public ?? false
    });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const segs = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const r of this.routes) {
      const params = matchParts(r.parts, segs);
      if (!params) {
        continue;
      }
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) {
        return { found: true, handler: r.handler, params, public: r.public };
      }
      allowed.push(r.method);
    }
    return { found: false, allowed };
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  if (parts.length !== segs.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith('{') && p.endsWith('}')) {
      try {
        params[p.slice(1, -1)] = decodeURIComponent(segs[i]);
      } catch {
        return undefined;
      }
    } else if (p !== segs[i]) {
      return undefined;
    }
  }
  return params;
}

/** Reads the whole body, refusing more than `limitBytes` with a 413. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw new HttpError(
      413,
      `Request body of ${declared} bytes is too large: the limit is ${limitBytes} bytes.`,
      {
        limitBytes
      }
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limitBytes) {
      req.resume();
      throw new HttpError(413, `Request body is too large: the limit is ${limitBytes} bytes.`, {
        limitBytes
      });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON object body (400 when it is not JSON or not an object). */
export async function readJson(
  req: IncomingMessage,
  limitBytes: number
): Promise<Record<string, unknown>> {
  const body = await readBody(req, limitBytes);
  let value: unknown;
  try {
    value = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
  } catch (cause) {
    throw new HttpError(
      400,
      `Request body is not valid JSON: ${String(cause)}. Send a JSON object.`
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'Request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** JSON.stringify that writes bigints (64-bit ids) as decimal strings, so they stay exact. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Sends a JSON response. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = toJson(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body)
  });
  res.end(body);
}

/** Sends a body of any type. */
export function sendBytes(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
  });
  res.end(body);
}
