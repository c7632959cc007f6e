/**
 * `alertlab serve` behind tokens with public catalog reads for VO clients (issue 15, part 5): pyvo's
 * SCS client reads a cone without a token (it got a JSON 401 before) and gets the rows the
 * authenticated JSON cone gives; cross-match still needs a token; anonymous callers are
 * rate-limited (429) while token holders are not; `--no-auth` is refused off loopback.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore, loadBuiltinCatalog } from '../sdk/src/catalog/index.js';
import { startCatalogServer, type CatalogServer } from '../sdk/src/control/serve.js';
import { makeControllerDirs } from './controller-helpers.js';

const run = promisify(execFile);
const PYTHON = join(import.meta.dirname, '..', '.venv', 'bin', 'python');
const CLI = join(import.meta.dirname, '..', 'bin', 'alertlab');
const TOKEN = 'vo-test-token-0123456789abcdef-0123456789';

const PYVO = `
import sys, pyvo
svc = pyvo.dal.SCSService(sys.argv[1])
r = svc.search(pos=(float(sys.argv[2]), float(sys.argv[3])), radius=float(sys.argv[4]))
print(len(r))
`;

describe('serve: tokens, and public cone search for VO clients (pyvo)', () => {
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let server: CatalogServer;

  beforeAll(async () => {
    dirs = await makeControllerDirs();
    const store = await CatalogStore.open(dirs.storePath);
    try {
      await loadBuiltinCatalog(store, 'hipparcos');
    } finally {
      store.close();
    }
    server = await startCatalogServer({
      port: 0,
      storePath: dirs.storePath,
      token: TOKEN,
      anonymous: { perSecond: 2, burst: 10 }
    });
  });
  afterAll(async () => {
    await server?.close();
    await dirs?.remove();
  });

  it("pyvo's cone search works without a token and agrees with the authenticated JSON cone", async () => {
    const [raDeg, decDeg, radiusDeg] = [83.8, -5.4, 2]; // Orion
    const { stdout } = await run(PYTHON, [
      '-c',
      PYVO,
      `${server.url}/scs/hipparcos?`,
      String(raDeg),
      String(decDeg),
      String(radiusDeg)
    ]);
    const pyvoRows = Number(stdout.trim());
    const res = await fetch(
      `${server.url}/cone?catalog=hipparcos&ra=${raDeg}&dec=${decDeg}&radius=${radiusDeg}&maxRows=100000`,
      { headers: { authorization: `Bearer ${TOKEN}` } }
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows?: unknown[]; count?: number };
    const jsonRows = body.count ?? body.rows?.length;
    expect(pyvoRows).toBeGreaterThan(20);
    expect(pyvoRows).toBe(jsonRows);
  });

  it('cross-match needs a token; anonymous reads are rate-limited, token holders are not', async () => {
    const xm = await fetch(`${server.url}/crossmatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ra: [10], dec: [10], catalogs: [{ name: 'hipparcos' }] })
    });
    expect(xm.status).toBe(401);
    const cone = (auth?: string): Promise<number> =>
      fetch(`${server.url}/cone?catalog=hipparcos&ra=10&dec=10&radiusArcsec=60`, {
        headers: auth ? { authorization: auth } : {}
      }).then(r => r.status);
    // the earlier anonymous calls (pyvo's, the cross-match above) took from this address's
    // bucket: wait until it is full again (burst 10 at 2/s) so the burst below is all of it
    await new Promise(r => setTimeout(r, 5_500));
    const anonymous: number[] = [];
    for (let i = 0; i < 25; i++) {
      anonymous.push(await cone());
    }
    expect(
      anonymous.filter(s => s === 200).length,
      `statuses: ${anonymous.join(',')}`
    ).toBeGreaterThanOrEqual(10);
    expect(anonymous).toContain(429);
    const withToken: number[] = [];
    for (let i = 0; i < 25; i++) {
      withToken.push(await cone(`Bearer ${TOKEN}`));
    }
    expect(new Set(withToken)).toEqual(new Set([200]));
  });

  it('--no-auth is refused on any address but loopback', async () => {
    const err = await run(CLI, ['serve', '--host', '0.0.0.0', '--port', '0', '--no-auth']).then(
      () => null,
      (e: unknown) => e as { code: number; stderr: string }
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/--no-auth is refused on 0\.0\.0\.0/);
    await expect(
      startCatalogServer({ host: '0.0.0.0', port: 0, storePath: dirs.storePath })
    ).rejects.toThrow(/Refusing to serve without a token on 0\.0\.0\.0/);
  });
});
