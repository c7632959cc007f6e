/**
 * Single-cone latency over HTTP (`alertlab serve`, GET /cone, one request at a time on one
 * keep-alive connection, TCP_NODELAY, node:http client) against Tycho-2 (index 4110, 363k stars;
 * ALERTLAB_BENCH_CATALOG=tycho2-07 for 1.87M), next to the same cones in process and Q3C's
 * q3c_radial_query in PostgreSQL 15 on the same rows (timed inside the database, so without any
 * client round trip). Writes bench/results/cone.json.
 *
 *     node --import tsx bench/cone.ts      (ALERTLAB_BENCH_NO_Q3C=1 skips PostgreSQL)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CatalogStore,
  loadBuiltinCatalog,
  readMemoryCatalog,
  type MemoryCatalog
} from '../sdk/src/catalog/index.js';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { CatalogService } from '../sdk/src/control/catalogs.js';
import { startFloorServer } from './lib/http-floor.js';
import { withQ3cCatalog } from './lib/q3c.js';

const CATALOG = process.env.ALERTLAB_BENCH_CATALOG ?? 'tycho2';
const QUERIES = Number(process.env.ALERTLAB_BENCH_QUERIES ?? 5000);
const RADII_ARCSEC = [10, 360];
/** Untimed requests at the start of each radius's run. */
const WARMUP = 500;
/** Untimed requests before any timing (both radii). */
const WARMUP_ALL = 3000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Cone centres within 30″ of random catalog stars. */
function centres(cat: MemoryCatalog, n: number): { ra: number; dec: number }[] {
  const r = rng(42);
  return Array.from({ length: n }, () => {
    const i = Math.floor(r() * cat.rows);
    const dec = Math.max(-90, Math.min(90, cat.decDeg[i] + ((r() - 0.5) * 60) / 3600));
    const ra =
      (cat.raDeg[i] +
        ((r() - 0.5) * 60) / 3600 / Math.max(0.01, Math.cos((dec * Math.PI) / 180)) +
        360) %
      360;
    return { ra, dec };
  });
}

function percentiles(ms: number[]): {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
} {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    meanMs: round(s.reduce((a, b) => a + b, 0) / s.length),
    maxMs: round(s[s.length - 1])
  };
}

function q3cRun(
  cat: MemoryCatalog,
  queries: { ra: number; dec: number }[]
): Record<string, unknown> {
  return withQ3cCatalog(cat, (pg, loadS) => {
    const out: Record<string, unknown> = {
      postgres: pg.sql('SHOW server_version;').trim(),
      rows: cat.rows,
      loadAndIndexS: loadS,
      jit: 'off',
      prepared:
        'static SQL in PL/pgSQL (plan cached, position as parameters), both plan_cache_mode auto and force_custom_plan timed'
    };
    // JIT off, and the cone as static SQL in PL/pgSQL: a prepared statement with the probe's
    // position as parameters. Both plan-cache modes are timed: `auto` (PostgreSQL may switch to a
    // generic plan after 5 runs) and `force_custom_plan` (re-planned with the actual position)
    const cone = (r: number, mode: 'auto' | 'force_custom_plan') => {
      const values = queries.map((q, k) => `(${k},${q.ra},${q.dec})`).join(',');
      const res = pg.sql(`
        SET jit = off;
        SET plan_cache_mode = ${mode};
        CREATE TEMP TABLE probes (k INT, ra DOUBLE PRECISION, dec DOUBLE PRECISION);
        INSERT INTO probes VALUES ${values};
        CREATE TEMP TABLE timings (ms DOUBLE PRECISION, n BIGINT);
        DO $$
        DECLARE p RECORD; t0 TIMESTAMPTZ; c BIGINT; i INT := 0;
        BEGIN
          FOR p IN SELECT * FROM probes ORDER BY k LOOP
            t0 := clock_timestamp();
            SELECT count(*) INTO c FROM cat WHERE q3c_radial_query(ra, dec, p.ra, p.dec, ${r / 3600});
            i := i + 1;
            IF i > 200 THEN
              INSERT INTO timings VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000, c);
            END IF;
          END LOOP;
        END $$;
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms),
               avg(ms), (SELECT sum(n) FROM timings) FROM timings;
        DROP TABLE probes; DROP TABLE timings;`);
      const [p50, p99, mean, n] = res.trim().split('|').map(Number);
      return { p50Ms: p50, p99Ms: p99, meanMs: mean, rowsAfterWarmup: n };
    };
    for (const r of RADII_ARCSEC) {
      const auto = cone(r, 'auto');
      const custom = cone(r, 'force_custom_plan');
      out[`r${r}arcsec`] = {
        ...(custom.p50Ms < auto.p50Ms ? custom : auto),
        planCacheMode: custom.p50Ms < auto.p50Ms ? 'force_custom_plan' : 'auto',
        byPlanCacheMode: { auto, force_custom_plan: custom },
        timedInside:
          'PL/pgSQL loop of a static (prepared) query, JIT off, clock_timestamp per query; the faster plan-cache mode is the peer'
      };
    }
    return out;
  });
}

/** One keep-alive connection, Nagle off, one request at a time. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GET `url` on the keep-alive agent; resolves to the body. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString('utf8'))
          : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`))
      );
      res.on('error', reject);
    });
    req.on('socket', socket => socket.setNoDelay(true));
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'alertlab-cone-bench-'));
  try {
    const storePath = join(dir, 'catalogs.duckdb');
    const store = await CatalogStore.open(storePath);
    let cat: MemoryCatalog;
    try {
      await loadBuiltinCatalog(store, CATALOG);
      cat = await readMemoryCatalog(store, CATALOG);
    } finally {
      store.close();
    }
    const queries = centres(cat, QUERIES);
    // the server runs in its own process, as `alertlab serve` does
    const child = spawn(
      join(import.meta.dirname, '..', 'bin', 'alertlab'),
      ['serve', '--port', '0', '--store', storePath, '--quiet', '--no-auth'],
      {
        stdio: ['ignore', 'pipe', 'inherit']
      }
    );
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', line => {
        const m = /listening on (\S+)/.exec(line);
        if (m) {
          resolve(m[1]);
        }
      });
      child.once('exit', code => reject(new Error(`alertlab serve exited with ${code}`)));
    });
    const service = await CatalogService.open({ storePath });
    const results: Record<string, unknown> = {};
    try {
      // Warm-up across both radii: the server's first thousand or so requests are slower
      // (V8 still tiering up the route, the collector clearing the catalog-load garbage).
      for (let k = 0; k < WARMUP_ALL; k++) {
        const q = queries[k % queries.length];
        const r = RADII_ARCSEC[k % RADII_ARCSEC.length];
        await get(`${url}/cone?catalog=${CATALOG}&ra=${q.ra}&dec=${q.dec}&radiusArcsec=${r}`);
        await service.cone(CATALOG, q.ra, q.dec, r, 10_000);
      }
      for (const r of RADII_ARCSEC) {
        const http: number[] = [];
        const inProcess: number[] = [];
        let rows = 0;
        // HTTP first, then the same cones in process in their own loop (so the in-process
        // calls' garbage is not collected in the middle of a timed request).
        const counts: number[] = [];
        const texts: string[] = [];
        for (let k = 0; k < queries.length; k++) {
          const q = queries[k];
          const t0 = performance.now();
          const text = await get(
            `${url}/cone?catalog=${CATALOG}&ra=${q.ra}&dec=${q.dec}&radiusArcsec=${r}`
          );
          const body = JSON.parse(text) as { count: number };
          const t1 = performance.now();
          counts.push(body.count);
          texts.push(text);
          if (k >= WARMUP) {
            http.push(t1 - t0);
            rows += body.count;
          }
        }
        // The floor: a bare node:http server in its own process answering the median-sized body
        // of these cones, same client, same number of requests.
        const sizes = texts.map(t => t.length).sort((a, b) => a - b);
        const medianBody = texts.find(t => t.length === sizes[sizes.length >> 1]) ?? '{}';
        const floorServer = await startFloorServer(join(dir, `floor-${r}.json`), medianBody);
        const floor: number[] = [];
        try {
          for (let k = 0; k < queries.length; k++) {
            const t0 = performance.now();
            JSON.parse(await get(`${floorServer.url}/cone`));
            if (k >= WARMUP) {
              floor.push(performance.now() - t0);
            }
          }
        } finally {
          floorServer.close();
        }
        for (let k = 0; k < queries.length; k++) {
          const q = queries[k];
          const t1 = performance.now();
          const local = await service.cone(CATALOG, q.ra, q.dec, r, 10_000);
          const t2 = performance.now();
          if (counts[k] !== local.rows.length) {
            throw new Error(`HTTP and in-process cones differ at ${q.ra}, ${q.dec}`);
          }
          if (k >= WARMUP) {
            inProcess.push(t2 - t1);
          }
        }
        results[`r${r}arcsec`] = {
          http: percentiles(http),
          inProcess: percentiles(inProcess),
          bareHttpFloor: { ...percentiles(floor), bodyBytes: medianBody.length },
          rowsAfterWarmup: rows
        };
        console.log(
          `cone r=${r}″ over HTTP: p50 ${percentiles(http).p50Ms} ms, p99 ${percentiles(http).p99Ms} ms; in process p50 ${percentiles(inProcess).p50Ms} ms (rows ${rows}); bare node:http server, same body size: p50 ${percentiles(floor).p50Ms} ms, p99 ${percentiles(floor).p99Ms} ms`
        );
      }
    } finally {
      agent.destroy();
      child.kill('SIGTERM');
      service.close();
    }
    const q3c = process.env.ALERTLAB_BENCH_NO_Q3C
      ? { skipped: 'ALERTLAB_BENCH_NO_Q3C' }
      : q3cRun(cat, queries);
    console.log('q3c', JSON.stringify(q3c));
    const out = {
      benchmark: 'cone',
      date: new Date().toISOString(),
      node: process.version,
      loadAverage1m: loadavg()[0],
      catalog: CATALOG,
      catalogRows: cat.rows,
      queries: QUERIES,
      warmupQueries: { beforeAll: WARMUP_ALL, perRadius: WARMUP },
      timedQueriesPerRadius: QUERIES - WARMUP,
      client: {
        library: 'node:http request',
        keepAlive: true,
        connections: 1,
        noDelay: true,
        concurrency: 1,
        timed: 'request sent to JSON body parsed'
      },
      note: 'HTTP: node:http client on one keep-alive connection (TCP_NODELAY) to `alertlab serve` in its own process on 127.0.0.1, JSON answer parsed, one request at a time; in-process cones timed in a separate loop; bareHttpFloor = the same client against a bare node:http server (own process) answering a fixed body of the median response size: what the machine network stack and runtime cost before any server work. Q3C: q3c_radial_query timed inside PostgreSQL (no client round trip).',
      alertlab: results,
      q3c
    };
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(
      join(
        import.meta.dirname,
        'results',
        CATALOG === 'tycho2' ? 'cone.json' : `cone-${CATALOG}.json`
      ),
      `${JSON.stringify(out, null, 2)}\n`
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
