/**
 * `alertlab serve` on the real Tycho-2 catalog (astrometry.net index 4110, 363k stars): cone
 * search (JSON), IVOA SCS (VOTable) and cross-match (JSON and Arrow IPC) return exactly the
 * brute-force (haversine) pairs at ordinary positions, the poles and the RA seam; bad parameters
 * get 400s that say what is allowed, SCS errors come as VOTable INFO elements, big bodies get 413.
 */
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CatalogStore,
  loadBuiltinCatalog,
  readMemoryCatalog,
  type MemoryCatalog
} from '../sdk/src/catalog/index.js';
import { startCatalogServer, type CatalogServer } from '../sdk/src/control/serve.js';
import { HAVE_TYCHO2, bruteForce, makeProbes, pairMap } from './crossmatch-helpers.js';
import { makeControllerDirs } from './controller-helpers.js';

const ARROW = 'application/vnd.apache.arrow.stream';

/** Keys "0:<id>" of a cone answer, like bruteForce's for one probe. */
function coneKeys(rows: { id: string }[]): string[] {
  return rows.map(r => `0:${r.id}`).sort();
}

describe.skipIf(!HAVE_TYCHO2)('serve: cone search, SCS and cross-match on Tycho-2', () => {
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
    server = await startCatalogServer({
      port: 0,
      storePath: dirs.storePath,
      maxCrossmatchBytes: 64 * 1024
    });
  });

  afterAll(async () => {
    await server?.close();
    await dirs?.remove();
  });

  const get = async (path: string): Promise<Response> => fetch(`${server.url}${path}`);

  it('cone search returns exactly the brute-force rows, nearest first', async () => {
    let nonEmpty = 0;
    for (const radiusArcsec of [0.1, 2, 60, 900, 3600]) {
      const probes = makeProbes(cat, radiusArcsec, 18, 7 + radiusArcsec);
      for (let k = 0; k < probes.raDeg.length; k++) {
        const ra = probes.raDeg[k];
        const dec = probes.decDeg[k];
        const res = await get(
          `/cone?catalog=tycho2&ra=${ra}&dec=${dec}&radiusArcsec=${radiusArcsec}`
        );
        expect(res.status).toBe(200);
        const body = (await res.json()) as { rows: { id: string; separationArcsec: number }[] };
        const want = bruteForce(cat, Float64Array.of(ra), Float64Array.of(dec), radiusArcsec);
        expect(coneKeys(body.rows), `ra=${ra} dec=${dec} r=${radiusArcsec}″`).toEqual(
          [...want.keys()].sort()
        );
        for (const r of body.rows) {
          expect(r.separationArcsec).toBeCloseTo(want.get(`0:${r.id}`) as number, 6);
        }
        const seps = body.rows.map(r => r.separationArcsec);
        expect(seps).toEqual([...seps].sort((a, b) => a - b));
        nonEmpty += body.rows.length > 0 ? 1 : 0;
      }
    }
    expect(nonEmpty).toBeGreaterThan(20);
    // radius in degrees gives the same answer as radiusArcsec
    const a = (await (await get('/cone?catalog=tycho2&ra=83.8&dec=-5.4&radius=0.5')).json()) as {
      rows: { id: string }[];
    };
    const b = (await (
      await get('/cone?catalog=tycho2&ra=83.8&dec=-5.4&radiusArcsec=1800')
    ).json()) as { rows: { id: string }[] };
    expect(a.rows.length).toBeGreaterThan(0);
    expect(a.rows).toEqual(b.rows);
  });

  it('answers IVOA SCS 1.03 with a VOTable 1.3 holding the same rows and the required UCDs', async () => {
    const i = 1234;
    const [ra, dec] = [cat.raDeg[i], cat.decDeg[i]];
    const res = await get(`/scs/tycho2?RA=${ra}&DEC=${dec}&SR=0.2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await res.text();
    expect(xml).toContain('<VOTABLE version="1.3"');
    for (const ucd of ['ID_MAIN', 'POS_EQ_RA_MAIN', 'POS_EQ_DEC_MAIN']) {
      expect(xml.match(new RegExp(`ucd="${ucd}"`, 'g'))).toHaveLength(1);
    }
    const ids = [...xml.matchAll(/<TR><TD>([^<]*)<\/TD>/g)].map(m => `0:${m[1]}`).sort();
    const want = bruteForce(cat, Float64Array.of(ra), Float64Array.of(dec), 720);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual([...want.keys()].sort());
  });

  it('reports SCS errors as a VOTable with INFO name="Error"', async () => {
    for (const q of [
      'RA=10&DEC=95&SR=0.1',
      'RA=x&DEC=10&SR=0.1',
      'RA=10&DEC=10&SR=0',
      'RA=10&DEC=10'
    ]) {
      const res = await get(`/scs/tycho2?${q}`);
      const xml = await res.text();
      expect(xml, q).toMatch(/<INFO name="Error" value="[^"]+"\/>/);
      expect(xml).toContain('<INFO name="QUERY_STATUS" value="ERROR">');
      expect(xml).not.toContain('<TABLE');
    }
    expect(await (await get('/scs/nope?RA=1&DEC=1&SR=0.1')).text()).toMatch(
      /Error" value="Unknown catalog &quot;nope&quot;/
    );
  });

  it('rejects bad cone parameters with 400 and says what is allowed', async () => {
    const cases: [string, RegExp][] = [
      ['catalog=tycho2&ra=10&dec=95&radius=0.1', /-90 ≤ dec ≤ 90/],
      ['catalog=tycho2&ra=10&dec=-90.5&radius=0.1', /-90 ≤ dec ≤ 90/],
      ['catalog=tycho2&ra=10&dec=10&radius=0', /0 < radius ≤ 10/],
      ['catalog=tycho2&ra=10&dec=10&radius=-1', /0 < radius ≤ 10/],
      ['catalog=tycho2&ra=10&dec=10&radius=11', /0 < radius ≤ 10/],
      ['catalog=tycho2&ra=10&dec=10&radiusArcsec=40000', /radiusArcsec ≤ 36000/],
      ['catalog=tycho2&ra=abc&dec=10&radius=1', /not a number/],
      ['catalog=tycho2&ra=10&dec=10', /radius is missing/],
      ['ra=10&dec=10&radius=1', /catalog is missing: give one of tycho2/],
      ['catalog=nope&ra=10&dec=10&radius=1', /Unknown catalog "nope".*"tycho2"/],
      ['catalog=tycho2&ra=10&dec=10&radius=1&radiusArcsec=3', /either radius/],
      ['catalog=tycho2&ra=10&dec=10&radius=1&maxRows=0', /1 ≤ maxRows/]
    ];
    for (const [q, message] of cases) {
      const res = await get(`/cone?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: string }).error, q).toMatch(message);
    }
    expect((await fetch(`${server.url}/cone`, { method: 'DELETE' })).status).toBe(405);
    expect((await get('/nowhere')).status).toBe(404);
  });

  it('cross-matches JSON and Arrow IPC bodies exactly like brute force, with a 413 past the limit', async () => {
    const probes = makeProbes(cat, 5, 120, 99);
    const want = bruteForce(cat, probes.raDeg, probes.decDeg, 5);
    expect(want.size).toBeGreaterThan(10);
    const res = await fetch(`${server.url}/crossmatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ra: [...probes.raDeg],
        dec: [...probes.decDeg],
        catalogs: [{ name: 'tycho2', radiusArcsec: 5, columns: ['mag'] }]
      })
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      matches: { alertRow: number; catalogId: string; mag: number }[];
      stats: { pairs: number };
    };
    expect(json.matches.map(m => `${m.alertRow}:${m.catalogId}`).sort()).toEqual(
      [...want.keys()].sort()
    );
    expect(json.stats.pairs).toBe(want.size);

    const ipc = tableToIPC(tableFromArrays({ ra: probes.raDeg, dec: probes.decDeg }), 'stream');
    const arrowRes = await fetch(`${server.url}/crossmatch?catalogs=tycho2:5:mag`, {
      method: 'POST',
      headers: { 'content-type': ARROW },
      body: Buffer.from(ipc)
    });
    expect(arrowRes.status).toBe(200);
    expect(arrowRes.headers.get('content-type')).toBe(ARROW);
    const table = tableFromIPC(new Uint8Array(await arrowRes.arrayBuffer()));
    expect([...pairMap(table).keys()].sort()).toEqual([...want.keys()].sort());
    expect(table.getChild('mag')?.length).toBe(want.size);

    const nearest = (await (
      await fetch(`${server.url}/crossmatch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          alerts: [...probes.raDeg].map((ra, i) => ({ ra, dec: probes.decDeg[i] })),
          catalogs: ['tycho2'],
          radiusArcsec: 5,
          mode: 'nearest'
        })
      })
    ).json()) as { matches: { alertRow: number }[] };
    const rows = nearest.matches.map(m => m.alertRow);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.length).toBe(new Set([...want.keys()].map(k => k.split(':')[0])).size);

    const big = tableToIPC(
      tableFromArrays({ ra: new Float64Array(20_000), dec: new Float64Array(20_000) }),
      'stream'
    );
    const tooBig = await fetch(`${server.url}/crossmatch?catalogs=tycho2:5`, {
      method: 'POST',
      headers: { 'content-type': ARROW },
      body: Buffer.from(big)
    });
    expect(tooBig.status).toBe(413);
    const bad = await fetch(`${server.url}/crossmatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ra: [1], dec: [1], catalogs: [{ name: 'tycho2', radiusArcsec: 0 }] })
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/0 < radiusArcsec/);
    const mode = await fetch(`${server.url}/crossmatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ra: [1],
        dec: [1],
        catalogs: ['tycho2'],
        radiusArcsec: 2,
        mode: 'some'
      })
    });
    expect(mode.status).toBe(400);
  });
});
