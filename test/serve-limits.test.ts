/**
 * Catalog answers capped by matches, not only by request size (issue 15, part 3), on the real
 * Tycho-2 catalog: 2,000 positions at 10° (a 46 KB request that answered 522 MB of JSON) get a
 * 413 that says what to do, at once and without the join; a request whose uniform-sky estimate
 * passes but whose real pairs (a dense field) exceed the limit gets a 413 after the join; a cone
 * beyond the limit gets a 413 naming the largest radius (a VOTable error over SCS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CatalogStore,
  loadBuiltinCatalog,
  readMemoryCatalog,
  type MemoryCatalog
} from '../sdk/src/catalog/index.js';
import { expectedMatches } from '../sdk/src/control/match-budget.js';
import { startCatalogServer, type CatalogServer } from '../sdk/src/control/serve.js';
import { makeControllerDirs } from './controller-helpers.js';
import { HAVE_TYCHO2, bruteForce } from './crossmatch-helpers.js';

const post = (url: string, body: unknown): Promise<Response> =>
  fetch(`${url}/crossmatch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });

describe.skipIf(!HAVE_TYCHO2)('serve: answers capped by matches', () => {
  let dirs: Awaited<ReturnType<typeof makeControllerDirs>>;
  let cat: MemoryCatalog;
  let server: CatalogServer;

  beforeAll(async () => {
    dirs = await makeControllerDirs();
    const store = await CatalogStore.open(dirs.storePath);
    try {
      await loadBuiltinCatalog(store, 'tycho2');
      cat = await readMemoryCatalog(store, 'tycho2');
    } finally {
      store.close();
    }
    server = await startCatalogServer({ port: 0, storePath: dirs.storePath });
  });

  afterAll(async () => {
    await server?.close();
    await dirs?.remove();
  });

  it('2,000 positions at 10° get a 413 before the join, quickly and in little memory', async () => {
    const n = 2000;
    const ra = Array.from({ length: n }, (_, i) => (i * 137.5) % 360);
    const dec = Array.from({ length: n }, (_, i) => -80 + ((i * 7.3) % 160));
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const res = await post(server.url, {
      ra,
      dec,
      catalogs: [{ name: 'tycho2', radiusArcsec: 36_000, columns: ['mag'] }]
    });
    const ms = performance.now() - t0;
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: string; details: { expectedMatches: number } };
    expect(body.error).toMatch(/Send fewer positions per request or use a smaller radius/);
    expect(body.details.expectedMatches).toBeGreaterThan(1_000_000);
    expect(ms).toBeLessThan(2000);
    expect((process.memoryUsage().rss - rss0) / 2 ** 20).toBeLessThan(200);
  });

  it('a dense field under the estimate but over the limit gets a 413 after the join', async () => {
    // the 20 densest of 300 fields spread over the sky hold more stars than a uniform sky
    const radiusArcsec = 1800;
    const fields = Array.from({ length: 300 }, (_, i) => ({
      ra: (i * 137.508) % 360,
      dec: (Math.asin(-1 + (2 * (i + 0.5)) / 300) * 180) / Math.PI
    }));
    const counts = fields.map(f => {
      const one = bruteForce(cat, Float64Array.of(f.ra), Float64Array.of(f.dec), radiusArcsec);
      return { ...f, n: one.size };
    });
    const dense = counts.sort((a, b) => b.n - a.n).slice(0, 20);
    const ra = Float64Array.from(dense, f => f.ra);
    const dec = Float64Array.from(dense, f => f.dec);
    const real = bruteForce(cat, ra, dec, radiusArcsec).size;
    const estimate = expectedMatches(20, [{ name: 'tycho2', radiusArcsec }], () => cat.rows);
    expect(real).toBeGreaterThan(estimate * 1.2);
    const maxMatches = Math.floor((real + estimate) / 2);
    const strict = await startCatalogServer({ port: 0, storePath: dirs.storePath, maxMatches });
    try {
      const body = { ra: [...ra], dec: [...dec], catalogs: [{ name: 'tycho2', radiusArcsec }] };
      const res = await post(strict.url, body);
      expect(res.status).toBe(413);
      const json = (await res.json()) as { error: string; details: { matches: number } };
      expect(json.details.matches).toBe(real);
      expect(json.error).toMatch(/mode "nearest"/);
      const nearest = await post(strict.url, { ...body, mode: 'nearest' });
      expect(nearest.status).toBe(200);
      // a cone beyond the limit: 413 with the largest radius that fits; SCS answers a VOTable error
      const cone = await fetch(`${strict.url}/cone?catalog=tycho2&ra=10&dec=20&radius=10`);
      expect(cone.status).toBe(413);
      expect(((await cone.json()) as { error: string }).error).toMatch(/Use a radius of at most/);
      const scs = await fetch(`${strict.url}/scs/tycho2?RA=10&DEC=20&SR=10`);
      expect(scs.status).toBe(200);
      expect(await scs.text()).toMatch(/<INFO name="Error"[^>]*Use a radius of at most/);
    } finally {
      await strict.close();
    }
  });
});
