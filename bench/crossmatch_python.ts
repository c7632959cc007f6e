/**
 * Cross-match as a notebook user feels it: `alertlab.crossmatch` called from Python on 100,000
 * positions (a pyarrow Table; 80 % within a few ″ of a star, 20 % anywhere) against Hipparcos
 * (118k rows) at 10″ — the conversions, Arrow IPC both ways and the bridge on the clock — against
 * astropy's `search_around_sky` on the same positions, in the same run, with the same warm-up,
 * repeats and statistic (medians headline, best beside). Setup apart on both sides: our catalog
 * load into the engine, astropy's KD-tree build. The pair sets are compared.
 *
 *   node --import tsx bench/crossmatch_python.ts [--positions 100000] [--catalog hipparcos]
 *        [--radius-arcsec 10] [--warmup 5] [--repeats 30]
 *
 * The engine is its own process, started as `alertlab.connect()` starts it for a notebook
 * (`node --import tsx kernel-bridge/src/engine-main.ts --connection-file …`), with a scratch
 * ALERTLAB_HOME whose catalogs.duckdb is the bench catalog store;
 * bench/crossmatch_python.py is the Python side. Writes bench/results/crossmatch-python.json.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { BridgeClient, readConnectionFile, toIpcBytes } from '@alertlab/kernel-bridge';
import {
  CatalogStore,
  alertlabHome,
  loadBuiltinCatalog,
  readMemoryCatalog
} from '../sdk/src/catalog/index.js';
import { BenchReport, fmt } from './lib/report.js';
import { makeAlerts } from './lib/xmatch.js';

const ROOT = join(import.meta.dirname, '..');
const LOAD_START = loadavg();
const { values: args } = parseArgs({
  options: {
    positions: { type: 'string', default: '100000' },
    catalog: { type: 'string', default: 'hipparcos' },
    'radius-arcsec': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '30' }
  }
});
const N = Number(args.positions);
/** USER_HZ of /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;
const CATALOG = args.catalog;
const RADIUS = Number(args['radius-arcsec']);

interface Fig {
  firstCallMs: number;
  callMsMedian: number;
  callMsMin: number;
  threadCpuMsPerCall: number;
  pairs: number;
  treeBuildMs?: number;
}

async function python(phase: string, dir: string, connectionFile = ''): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    join(ROOT, '.venv/bin/python'),
    [
      join(ROOT, 'bench/crossmatch_python.py'),
      ...['--phase', phase, '--dir', dir, '--catalog', CATALOG],
      ...['--radius-arcsec', String(RADIUS), '--warmup', args.warmup, '--repeats', args.repeats],
      ...(connectionFile ? ['--connection-file', connectionFile] : [])
    ],
    { maxBuffer: 1 << 24 }
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string);
}

const i32 = async (p: string) => new Int32Array((await readFile(p)).buffer.slice(0));
const i64 = async (p: string) => new BigInt64Array((await readFile(p)).buffer.slice(0));

async function main(): Promise<void> {
  const catalogPath = join(alertlabHome(), 'bench-catalogs.duckdb');
  const work = await mkdtemp(join(tmpdir(), 'alertlab-xmpy-'));
  const store = await CatalogStore.open(catalogPath);
  let cat;
  try {
    if (!(await store.list()).some(c => c.name === CATALOG)) {
      await loadBuiltinCatalog(store, CATALOG);
    }
    cat = await readMemoryCatalog(store, CATALOG, []);
  } finally {
    store.close();
  }
  const alerts = makeAlerts(cat, N);
  await writeFile(join(work, 'cat_ra.f64'), cat.raDeg.subarray(0, cat.rows));
  await writeFile(join(work, 'cat_dec.f64'), cat.decDeg.subarray(0, cat.rows));
  await writeFile(join(work, 'alert_ra.f64'), alerts.raDeg);
  await writeFile(join(work, 'alert_dec.f64'), alerts.decDeg);

  const engine = await startEngine(work, catalogPath);
  const result: Record<string, unknown> = { positions: N, catalog: CATALOG, catalogRows: cat.rows };
  try {
    // The engine loads the catalog on its first match: done (and timed) before either phase.
    const point = new Table({
      ra: vectorFromArray([10], new Float64()),
      dec: vectorFromArray([20], new Float64())
    });
    const client = new BridgeClient(await readConnectionFile(engine.connectionFile));
    try {
      const t0 = performance.now();
      await client.request(
        'crossmatch_request',
        { catalogs: [CATALOG], radius_arcsec: RADIUS },
        { buffers: [toIpcBytes(point)], timeoutMs: 120_000 }
      );
      result.engineCatalogLoadMs = performance.now() - t0;
    } finally {
      await client.close();
    }

    const cpu0 = await processCpuMs(engine.pid);
    const ours = (await python('alertlab', work, engine.connectionFile)) as {
      pyarrow: Fig;
      skycoord: Fig & { returns: string };
    };
    const cpu = (await processCpuMs(engine.pid)) - cpu0;
    const calls = 2 * (Number(args.warmup) + Number(args.repeats));
    result.alertlab = { ...ours, engineProcessCpuMsPerCall: cpu / calls };
    const peer = (await python('astropy', work)) as { astropy: Fig };
    result.astropy = peer.astropy;

    const ids = cat.ids.values as BigInt64Array;
    const ourA = await i32(join(work, 'ours_alert.i32'));
    const ourId = await i64(join(work, 'ours_id.i64'));
    const aA = await i32(join(work, 'astropy_alert.i32'));
    const aC = await i32(join(work, 'astropy_cat.i32'));
    const mine = new Set(Array.from(ourA, (a, i) => `${a}:${ourId[i]}`));
    const theirs = new Set(Array.from(aA, (a, i) => `${a}:${ids[aC[i]]}`));
    const onlyOurs = [...mine].filter(k => !theirs.has(k));
    const onlyAstropy = [...theirs].filter(k => !mine.has(k));
    result.pairSetIdentical = onlyOurs.length === 0 && onlyAstropy.length === 0;
    result.pairDiff = { onlyOurs: onlyOurs.slice(0, 20), onlyAstropy: onlyAstropy.slice(0, 20) };
    const a = peer.astropy;
    const p = ours.pyarrow;
    result.speedupMedian = a.callMsMedian / p.callMsMedian;
    result.speedupBest = a.callMsMin / p.callMsMin;
    result.speedupSkyCoordMedian = a.callMsMedian / ours.skycoord.callMsMedian;
    result.goals = { atLeast10xAstropyMedian: (result.speedupMedian as number) >= 10 };
  } finally {
    await engine.stop();
    await rm(work, { recursive: true, force: true });
  }
  report(result);
}

/**
 * The engine as `alertlab.connect()` starts it (kernel-bridge/python/alertlab/_connection.py):
 * its own Node process on engine-main.ts, here with a scratch home whose catalog store is the
 * bench's (read only).
 */
async function startEngine(
  work: string,
  catalogPath: string
): Promise<{ pid: number; connectionFile: string; stop(): Promise<void> }> {
  const home = join(work, 'home');
  await mkdir(home);
  await symlink(catalogPath, join(home, 'catalogs.duckdb'));
  const connectionFile = join(work, 'bridge.json');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'kernel-bridge/src/engine-main.ts', '--connection-file', connectionFile],
    {
      cwd: ROOT,
      env: { ...process.env, ALERTLAB_HOME: home },
      stdio: ['ignore', 'ignore', 'inherit']
    }
  );
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  for (let waited = 0; ; waited += 50) {
    try {
      await access(connectionFile);
      break;
    } catch {
      if (child.exitCode !== null || waited > 60_000) {
        throw new Error(`The bridge engine did not start (exit code ${child.exitCode}).`);
      }
      await new Promise(r => setTimeout(r, 50));
    }
  }
  return {
    pid: child.pid as number,
    connectionFile,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    }
  };
}

/** User + system CPU of a process (all its threads), ms, from /proc. */
async function processCpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function report(result: Record<string, unknown>): void {
  const r = new BenchReport(
    'crossmatch-python',
    {
      warmup: `${args.warmup} untimed calls, ours and astropy's`,
      repeats: Number(args.repeats),
      statistic: 'median call (best beside); ratios median-to-median (best-to-best beside)',
      clock:
        "one call from Python: ours = client.crossmatch(pyarrow Table | SkyCoord) with the conversion to Arrow, IPC both ways over the ZeroMQ bridge, the engine's match and the result read back (pyarrow Table | astropy Table); astropy = search_around_sky on SkyCoords with the catalog's KD-tree cached. Apart: our engine's catalog load, astropy's KD-tree build",
      engine:
        'its own process, started as alertlab.connect() starts it (node --import tsx kernel-bridge/src/engine-main.ts), so with its V8 tuning (kernel-bridge/src/gc-tuning.ts)',
      cpu: "Python calling-thread CPU per timed call (both); the engine process's CPU per call (mean over every call of our phase, all its threads)"
    },
    LOAD_START
  );
  const ours = result.alertlab as {
    pyarrow: Fig;
    skycoord: Fig;
    engineProcessCpuMsPerCall: number;
  };
  const a = result.astropy as Fig;
  const ms = (x: number) => (x < 10 ? x.toFixed(1) : fmt(x));
  r.row({
    benchmark: `cross-match from Python: alertlab.crossmatch (pyarrow in/out, bridge included; engine catalog load ${fmt(result.engineCatalogLoadMs as number)} ms apart)`,
    input: `${fmt(N)} positions (80 % within a few ″ of a star) vs ${CATALOG} (${fmt(result.catalogRows as number)} rows), r = ${RADIUS}″, ${fmt(ours.pyarrow.pairs)} pairs`,
    figure: `${ms(ours.pyarrow.callMsMedian)} ms/call median (best ${ms(ours.pyarrow.callMsMin)}; engine CPU ${ms(ours.engineProcessCpuMsPerCall)} ms + Python ${ms(ours.pyarrow.threadCpuMsPerCall)} ms); SkyCoord in / astropy Table out ${ms(ours.skycoord.callMsMedian)} ms`,
    peer: `astropy search_around_sky (KD-tree cached; build ${fmt(a.treeBuildMs ?? 0)} ms apart): ${ms(a.callMsMedian)} ms median (CPU ${ms(a.threadCpuMsPerCall)} ms) → ×${(result.speedupMedian as number).toFixed(1)} (best-to-best ×${(result.speedupBest as number).toFixed(1)}); pair sets ${result.pairSetIdentical ? 'identical' : 'differ'}`
  });
  r.write(result);
  console.log(JSON.stringify({ ...result, readme: undefined }, null, 2));
}

await main();
