/**
 * The HTTP server shared by `alertlab serve` and `alertlab controller`: a {@link Router}, bearer
 * token checks (every route but the public ones), errors as JSON with their status, one structured
 * log line per request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertlabError, ConfigError } from '../errors.js';
import { authenticate } from './auth.js';
import type { Principal, UserStore } from './users.js';
import { HttpError, Router, sendJson } from './http.js';

/** One structured log entry (one JSON line in the CLI). */
export interface RequestLog {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  error?: string;
}

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Bearer token required on non-public routes. @default none (no auth) */
  token?: string;
  /** Where the token is kept (never named in replies). @default undefined */
  tokenFile?: string;
  /** Users with tokens of their own (the controller). @default none */
  users?: UserStore;
  /** Called once per request. @default none */
  onLog?: (entry: RequestLog) => void;
}

/** A running server. */
export interface HttpServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) {
    return err.status;
  }
  if (err instanceof ConfigError) {
    return 400;
  }
  return 500;
}

/** Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost';
}

/** Starts `router` on host:port; without a token or users only on loopback. */
export async function startHttpServer(
  router: Router,
  options: HttpServerOptions = {}
): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.token === undefined && options.users === undefined && !isLoopback(host)) {
    throw new ConfigError(
      `Refusing to serve without a token on ${host}: give a token (--token-file), or serve on loopback (127.0.0.1).`,
      { context: { host } }
    );
  }
  const server = createServer((req, res) => {
    const t0 = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { error: 'Malformed request URL.' });
      return;
    }
    let errorMessage: string | undefined;
    const done = (): void => {
      options.onLog?.({
        time: new Date().toISOString(),
        method: req.method ?? '',
        path: url.pathname,
        status: res.statusCode,
        ms: Math.round((performance.now() - t0) * 1000) / 1000,
        ...(errorMessage ? { error: errorMessage } : {})
      });
    };
    res.on('finish', done);
    const run = async (): Promise<void> => {
      const m = router.match(req.method ?? 'GET', url.pathname);
      const auth = options.token !== undefined || options.users !== undefined;
      let user: Principal | undefined;
      // checked before routing: an unauthenticated caller learns nothing of the routes; a public
      // route authenticates a caller who sends a token (limits for anonymous callers do not apply)
      const open = m.found && m.public;
      if (auth && !open) {
        user = authenticate(req.headers.authorization, options);
      } else if (auth && req.headers.authorization !== undefined) {
        try {
          user = authenticate(req.headers.authorization, options);
        } catch {
          user = undefined; // a public route: a bad token is served as anonymous
        }
      }
      if (user?.role === 'metrics' && !open && url.pathname !== '/metrics') {
        throw new HttpError(403, 'A metrics token reads GET /metrics only.');
      }
      const anonymous = auth && user === undefined;
      if (!m.found) {
        if (m.allowed.length > 0) {
          res.setHeader('allow', m.allowed.join(', '));
          throw new HttpError(
            405,
            `${req.method} is not allowed on ${url.pathname}: use ${m.allowed.join(', ')}.`
          );
        }
        throw new HttpError(404, `No route ${url.pathname}. See GET /openapi.json for the routes.`);
      }
      await m.handler({ req, res, url, params: m.params, user, anonymous });
    };
    run().catch((err: unknown) => {
      const status = statusOf(err);
      errorMessage = err instanceof Error ? err.message : String(err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (status === 401) {
        res.setHeader('www-authenticate', 'Bearer realm="alertlab"');
      }
      const body: Record<string, unknown> = {
        error:
          status === 500 && !(err instanceof AlertlabError)
            ? `Internal error: ${errorMessage}`
            : errorMessage
      };
      if (err instanceof HttpError && Object.keys(err.details).length > 0) {
        body.details = err.details;
      }
      sendJson(res, status, body);
    });
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          `Cannot listen on ${host}:${options.port ?? 0}: ${cause.code ?? cause.message}. Pick another --port or stop what holds it.`,
          { cause, context: { host, port: options.port } }
        )
      )
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
