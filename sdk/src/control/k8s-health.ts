/**
 * A stage worker's health endpoint for Kubernetes probes: `GET /health` answers 200 with the
 * worker's counters while it runs, 503 before it started consuming and once it is stopping.
 * Started by `alertlab stage run` when ALERTLAB_HEALTH_PORT is set (the emitted Deployments set it).
 */
import { createServer, type Server } from 'node:http';

/** What the probe sees. */
export interface HealthState {
  ok: boolean;
  [field: string]: unknown;
}

/** Port from ALERTLAB_HEALTH_PORT, or undefined when unset (no endpoint). */
export function healthPortFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.ALERTLAB_HEALTH_PORT?.trim();
  if (raw === undefined || raw === '') {
    return undefined;
  }
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`ALERTLAB_HEALTH_PORT must be a TCP port (1-65535), not "${raw}".`);
  }
  return port;
}

const json = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

/** Serves `/health` on `host:port` from `state()`; resolves once listening. */
export async function startHealthServer(
  port: number,
  state: () => HealthState,
  host = '0.0.0.0'
): Promise<{ server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/health' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found: only GET /health is served here"}');
      return;
    }
    const s = state();
    res.writeHead(s.ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : json(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  };
}
