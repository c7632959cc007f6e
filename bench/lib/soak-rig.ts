/**
 * The soak machinery (bench/soak.ts runs it for 30 minutes; test/soak.test.ts for ~45 s): a
 * controller (in this process) deploys one stage of every kind as real worker processes, all
 * reading the simulator's feed (`alertlab simulate`, a child process, one visit every few seconds)
 * on the shared Kafka: SQL yes/no, SQL switch, cross-match (hipparcos) + SQL left/right, a
 * TypeScript filter (its sandbox), a Python filter (its sandbox), an aggregate (event-time windows)
 * and a watchlist stage. Every `sampleEveryS` it reads each worker's VmRSS and that of its process
 * tree (the filter sandboxes are children of the worker) from /proc, the controller's own RSS, and
 * each stage's consumed records.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startController,
  type RunningController
} from '../../sdk/src/control/controller-server.js';
import { ControllerClient } from '../../sdk/src/control/client.js';
import { CatalogStore, loadBuiltinCatalog } from '../../sdk/src/catalog/index.js';
import { WatchlistStore } from '../../sdk/src/watch/watchlist-store.js';
import { processChildren, processTree, rssBreakdown, rssMb, slope } from './proc-rss.js';
import { startSimulator, type Simulator } from './soak-feed.js';
import { soakManifests } from './soak-stages.js';

export { processTree, rssMb, slope };

export interface SoakOptions {
  /** Target alerts per second (visit size = rate × visit interval). */
  ratePerSecond: number;
  /** Seconds between visits of the simulator. @default 5 */
  visitIntervalS?: number;
  /** Run length after the stages are deployed. */
  durationS: number;
  /** Samples before this (from deployment) are warm-up: not in the slope. */
  warmupS: number;
  /** @default 10 */
  sampleEveryS?: number;
  /** Feed partitions. @default 2 */
  partitions?: number;
  /** Sources in the watchlist. @default 20000 */
  watchlistSources?: number;
  bootstrapServers: string;
  log?: (line: string) => void;
  /** Deploy the stages at once (the gates run side by side) instead of one after another. @default false */
  parallelDeploy?: boolean;
  /** Ends the run early (results so far, then the usual clean-up). */
  signal?: AbortSignal;
  /** Only these stage kinds (e.g. ['typescript']). @default all */
  stages?: readonly string[];
}

export interface StageSample {
  /** Seconds since the stages were deployed. */
  tS: number;
  /** VmRSS of the worker process, MB (the sum over workers when a stage has several). */
  workerRssMb: number;
  /** VmRSS of the worker and all its descendants (filter sandboxes), MB. */
  treeRssMb: number;
  processes: number;
  recordsIn: number;
  /** The workers' own account (stats lines): V8 heap in use, and external/ArrayBuffer memory, MB. */
  heapUsedMb?: number;
  externalMb?: number;
  /** The worker process's RSS by kind of mapping (proc-rss.ts rssBreakdown), MB; first worker only. */
  breakdown?: { v8Pages: number; malloc: number; anonOther: number; file: number };
}

export interface StageSeries {
  id: string;
  kind: string;
  samples: StageSample[];
  /** Least-squares slope of treeRssMb after warm-up, MB per hour. */
  slopeMbPerHour: number | null;
  /** Largest minus first treeRssMb after warm-up. */
  growthAfterWarmupMb: number | null;
  /** Records consumed per second over the whole run. */
  recordsPerSecond: number;
}

export interface SoakResult {
  feedTopic: string;
  durationS: number;
  targetRatePerSecond: number;
  /** Alerts the simulator produced and their rate (first visit to the last). */
  produced: number;
  producedPerSecond: number;
  visits: number;
  stages: StageSeries[];
  controller: { samples: Array<{ tS: number; rssMb: number }>; slopeMbPerHour: number | null };
  simulator: { samples: Array<{ tS: number; rssMb: number }> };
  load: Array<{ tS: number; loadavg: number[] }>;
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** Random sources over the sky (name, ra, dec, radius 2–10″). */
async function makeWatchlist(path: string, n: number): Promise<void> {
  let s = 20261206;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const names: string[] = [];
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  const radius = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    names.push(`w${i}`);
    ra[i] = 360 * rnd();
    dec[i] = (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    radius[i] = 2 + 8 * rnd();
  }
  const store = await WatchlistStore.open(path);
  try {
    await store.add('soak-list', { names, raDeg: ra, decDeg: dec, radiusArcsec: radius });
  } finally {
    store.close();
  }
}

/** Runs the soak; stops its simulator, stages and controller and removes its folders at the end. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const root = await mkdtemp(join(tmpdir(), 'alertlab-soak-'));
  const tag = `soak-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const feed = `${tag}-feed`;
  let ctl: RunningController | undefined;
  let sim: Simulator | undefined;
  const ids: string[] = [];
  try {
    const catalogs = await CatalogStore.open(join(root, 'catalogs.duckdb'));
    try {
      await loadBuiltinCatalog(catalogs, 'hipparcos');
    } finally {
      catalogs.close();
    }
    ctl = await startController({
      port: 0,
      stateDir: join(root, 'state'),
      tokenFile: join(root, 'controller.token'),
      storePath: join(root, 'catalogs.duckdb'),
      bootstrapServers: o.bootstrapServers,
      supervisor: { initialBackoffMs: 500, maxBackoffMs: 5000, stopGraceMs: 15_000 }
    });
    const client = new ControllerClient({ url: ctl.url, token: ctl.token });
    await client.request('POST', '/buffers/topics', { topic: feed, partitions: o.partitions ?? 2 });
    const watchlistPath = join(root, 'watchlists.duckdb');
    await makeWatchlist(watchlistPath, o.watchlistSources ?? 20_000);
    // the gate backtests what the feed holds: deploy on a small seed visit, then start the feed
    const seed = startSimulator(feed, o, true);
    await seed.firstVisit;
    await new Promise(r => (seed.child.exitCode === null ? seed.child.once('exit', r) : r(0)));
    log(`feed ${feed}: seed visit produced; deploying stages`);
    const manifests = soakManifests(tag, feed, { watchlistPath }).filter(
      m => o.stages === undefined || o.stages.includes(m.kind)
    );
    const deploy = async (m: (typeof manifests)[number]): Promise<void> => {
      const t0 = Date.now();
      await client.request('POST', '/stages', {
        manifest: m.manifest,
        replicas: 1,
        author: 'soak'
      });
      ids.push(m.manifest.id as string);
      log(`deployed ${m.kind} (${m.manifest.id}) in ${Date.now() - t0} ms`);
    };
    if (o.parallelDeploy === true) {
      const settled = await Promise.allSettled(manifests.map(deploy));
      const failed = settled.find(r => r.status === 'rejected');
      if (failed) {
        throw failed.reason;
      }
    } else {
      for (const m of manifests) {
        await deploy(m);
      }
    }
    sim = startSimulator(feed, o);
    await sim.firstVisit;
    const deployedAt = Date.now();
    const producedAtDeploy = sim.produced;
    const series = manifests.map(m => ({
      id: m.manifest.id as string,
      kind: m.kind,
      samples: [] as StageSample[]
    }));
    const controllerSamples: Array<{ tS: number; rssMb: number }> = [];
    const simSamples: Array<{ tS: number; rssMb: number }> = [];
    const load: Array<{ tS: number; loadavg: number[] }> = [];
    const every = (o.sampleEveryS ?? 10) * 1000;
    for (let next = deployedAt; next <= deployedAt + o.durationS * 1000; next += every) {
      await sleep(Math.max(0, next - Date.now()));
      if (o.signal?.aborted) {
        break;
      }
      const tS = (Date.now() - deployedAt) / 1000;
      const children = await processChildren();
      for (const s of series) {
        const pids = ctl.controller.supervisor.pids(s.id);
        let worker = 0;
        let tree = 0;
        let processes = 0;
        for (const pid of pids) {
          worker += await rssMb(pid);
          for (const p of await processTree(pid, children)) {
            tree += await rssMb(p);
            processes++;
          }
        }
        // the status may hang while the machine is out of memory: the RSS sample must not wait
        const prev = s.samples.at(-1)?.recordsIn ?? 0;
        type Status = {
          recordsIn?: number | string;
          workers?: { memory?: { heapUsedMb: number; externalMb: number } }[];
        };
        const st = await Promise.race([
          client
            .request<Status>('GET', `/stages/${s.id}`)
            .catch((): Status => ({ recordsIn: prev })),
          sleep(5000).then((): Status => ({ recordsIn: prev }))
        ]);
        const mem = (st.workers ?? []).map(w => w.memory).filter(m => m !== undefined);
        const sum = (f: (m: { heapUsedMb: number; externalMb: number }) => number) =>
          mem.length > 0 ? mem.reduce((a, m) => a + f(m), 0) : undefined;
        s.samples.push({
          tS,
          workerRssMb: worker,
          treeRssMb: tree,
          processes,
          recordsIn: Number(st.recordsIn ?? prev),
          heapUsedMb: sum(m => m.heapUsedMb),
          externalMb: sum(m => m.externalMb),
          breakdown: pids.length > 0 ? await rssBreakdown(pids[0]) : undefined
        });
      }
      controllerSamples.push({ tS, rssMb: process.memoryUsage().rss / 2 ** 20 });
      let simRss = 0;
      for (const p of await processTree(sim.child.pid as number, children)) {
        simRss += await rssMb(p);
      }
      simSamples.push({ tS, rssMb: simRss });
      load.push({ tS, loadavg: loadavg().map(x => +x.toFixed(2)) });
      log(
        `t=${tS.toFixed(0)}s load ${loadavg()[0].toFixed(2)} produced ${sim.produced} | ` +
          series
            .map(s => {
              const l = s.samples[s.samples.length - 1];
              const v8 =
                l.heapUsedMb === undefined
                  ? ''
                  : ` (heap ${l.heapUsedMb.toFixed(0)} ext ${l.externalMb?.toFixed(0)}` +
                    (l.breakdown
                      ? ` v8pages ${l.breakdown.v8Pages.toFixed(0)} malloc ${l.breakdown.malloc.toFixed(0)} anon ${l.breakdown.anonOther.toFixed(0)}`
                      : '') +
                    ')';
              return `${s.kind} ${l.treeRssMb.toFixed(0)}MB${v8} ${l.recordsIn}`;
            })
            .join(' | ')
      );
    }
    const endS = (Date.now() - deployedAt) / 1000;
    const after = <T extends { tS: number }>(xs: T[]) => xs.filter(x => x.tS >= o.warmupS);
    const hourly = (pts: Array<[number, number]>) => {
      const b = slope(pts);
      return b === null ? null : b * 3600;
    };
    const stages: StageSeries[] = series.map(s => {
      const warm = after(s.samples);
      const last = s.samples[s.samples.length - 1];
      return {
        ...s,
        slopeMbPerHour: hourly(warm.map(x => [x.tS, x.treeRssMb])),
        growthAfterWarmupMb:
          warm.length > 0 ? Math.max(...warm.map(x => x.treeRssMb)) - warm[0].treeRssMb : null,
        recordsPerSecond: last.tS > 0 ? last.recordsIn / last.tS : 0
      };
    });
    const span = (sim.lastVisitAt - sim.firstVisitAt) / 1000;
    return {
      feedTopic: feed,
      durationS: endS,
      targetRatePerSecond: o.ratePerSecond,
      produced: sim.produced,
      producedPerSecond:
        span > 0 && sim.lastVisitAt > deployedAt
          ? (sim.produced - producedAtDeploy) / ((sim.lastVisitAt - deployedAt) / 1000)
          : 0,
      visits: sim.visits,
      stages,
      controller: {
        samples: controllerSamples,
        slopeMbPerHour: hourly(after(controllerSamples).map(x => [x.tS, x.rssMb]))
      },
      simulator: { samples: simSamples },
      load
    };
  } finally {
    sim?.child.kill('SIGINT');
    if (ctl) {
      const client = new ControllerClient({ url: ctl.url, token: ctl.token });
      for (const id of ids) {
        await client.request('DELETE', `/stages/${id}`).catch(() => undefined);
      }
      await ctl.close();
    }
    if (sim && sim.child.exitCode === null) {
      await new Promise(r => sim?.child.once('exit', r));
    }
    await rm(root, { recursive: true, force: true });
  }
}
