import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for `alertlab controller` that speaks the routes the panels use and insists on the
 * bearer token, so a test can prove the Jupyter server adds the token and the browser never has it.
 */
export interface StubController {
  url: string;
  /** Requests seen: method, path, whether the token matched, body. */
  requests: { method: string; path: string; authorised: boolean; body: unknown }[];
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) {
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString();
  return text ? (JSON.parse(text) as unknown) : null;
}

export async function withStubController<T>(
  token: string,
  fn: (c: StubController) => Promise<T>
): Promise<T> {
  const stages: Record<string, unknown>[] = [];
  const requests: StubController['requests'] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const authorised = req.headers.authorization === `Bearer ${token}`;
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0];
      requests.push({ method: req.method ?? '', path, authorised, body });
      const send = (status: number, value: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (!authorised) {
        send(401, { error: 'unauthorised', message: 'Bearer token required.' });
      } else if (req.method === 'GET' && path === '/buffers/topics') {
        send(200, {
          topics: [
            {
              topic: 'alerts.ztf',
              partitions: 3,
              endOffsets: { 0: '10', 1: '12', 2: '20' },
              groups: [{ groupId: 'stage.bright', lag: 4 }]
            }
          ]
        });
      } else if (req.method === 'GET' && path === '/stages') {
        send(200, { stages });
      } else if (req.method === 'POST' && path === '/stages') {
        const id = `stage-${stages.length + 1}`;
        stages.push({
          id,
          status: 'running',
          version: 1,
          replicas: 1,
          liveWorkers: 1,
          ratePerSecond: 0,
          errors: 0
        });
        send(201, {
          id,
          version: 1,
          outputTopics: { pass: `${id}.pass` },
          evidence: {
            sampledAlerts: 42,
            result: {
              outputs: [{ name: 'pass', count: 7, fraction: 7 / 42, estimatedPerNight: 1_666_667 }]
            }
          }
        });
      } else {
        send(404, { error: 'not-found', message: `${req.method} ${path}` });
      }
    })();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await fn({ url: `http://127.0.0.1:${port}`, requests });
  } finally {
    await new Promise(r => server.close(r));
  }
}
