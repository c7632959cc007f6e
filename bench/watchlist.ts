/**
 * Watchlist bench: a 1,000,000-source list (random positions over the sky, per-source radii
 * 1–10″) parsed from CSV, loaded into the watchlist store, loaded by a stage (snapshot: zone table
 * to memory + zone index), then matched against batches of real-size alerts (the real samples'
 * decoded batch, positions replaced by random ones, 5,000 alerts a batch, plus a batch where
 * every alert sits on a source). Writes JSON (medians first) to bench/results/watchlist.json.
 *
 *   bin/alertlab-node bench/watchlist.ts   (or: node --import tsx bench/watchlist.ts)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, Float64, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { watchlistFromCsv } from '../sdk/src/watch/watchlist-source.js';
import { WatchlistStore } from '../sdk/src/watch/watchlist-store.js';
import { WatchlistSet } from '../sdk/src/watch/watchlist-set.js';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 1_000_000);
const BATCH = 5000;
const REPEATS = 7;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function positions(n: number, r: () => number): { ra: Float64Array; dec: Float64Array } {
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ra[i] = 360 * r();
    dec[i] = (Math.asin(2 * r() - 1) * 180) / Math.PI;
  }
  return { ra, dec };
}

function batchOf(ra: Float64Array, dec: Float64Array): RecordBatch {
  const fields = [new Field('ra', new Float64(), false), new Field('dec', new Float64(), false)];
  const children = [ra, dec].map(v =>
    makeData({ type: new Float64(), length: v.length, nullCount: 0, data: v })
  );
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: ra.length, nullCount: 0, children })
  );
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-watchlist-'));
  const r = rng(18);
  try {
    const src = positions(SOURCES, r);
    const lines = ['name,ra,dec,radius'];
    for (let i = 0; i < SOURCES; i++) {
      lines.push(`src${i},${src.ra[i]},${src.dec[i]},${(1 + 9 * r()).toFixed(2)}`);
    }
    const csv = lines.join('\n');
    let t = performance.now();
    const rows = watchlistFromCsv(csv);
    const parseMs = performance.now() - t;
    const path = join(dir, 'watchlists.duckdb');
    const store = await WatchlistStore.open(path);
    t = performance.now();
    await store.add('big', rows, { source: 'bench' });
    const storeLoadMs = performance.now() - t;
    const set = new WatchlistSet(path, '*');
    t = performance.now();
    await set.refresh();
    const snapshotMs = performance.now() - t;
    const rss = process.memoryUsage().rss;

    const random: number[] = [];
    const onSource: number[] = [];
    let matchedRandom = 0;
    let matchedOn = 0;
    for (let k = 0; k < REPEATS; k++) {
      const p = positions(BATCH, r);
      t = performance.now();
      matchedRandom = (await set.match(batchOf(p.ra, p.dec))).alertRow.length;
      random.push(performance.now() - t);
      // every alert 0.5″ from a source (all radii ≥ 1″): each one matches
      const ra = new Float64Array(BATCH);
      const dec = new Float64Array(BATCH);
      for (let i = 0; i < BATCH; i++) {
        const j = Math.floor(r() * SOURCES);
        ra[i] = src.ra[j];
        dec[i] = Math.max(-90, Math.min(90, src.dec[j] + 0.5 / 3600));
      }
      t = performance.now();
      matchedOn = (await set.match(batchOf(ra, dec))).alertRow.length;
      onSource.push(performance.now() - t);
    }
    // a list replaced under a running set: the next refresh's time (the switch between batches)
    t = performance.now();
    await store.add('big', rows, { replace: true, source: 'bench' });
    const replaceMs = performance.now() - t;
    t = performance.now();
    await set.refresh();
    const reSnapshotMs = performance.now() - t;
    set.close();
    store.close();
    const result = {
      bench: 'watchlist',
      input: `${SOURCES} random sources (radius 1–10″, uniform on the sphere); alert batches of ${BATCH} random positions / positions 0.5″ from a source`,
      machine: '2 cores, shared',
      repeats: REPEATS,
      medianMsPerBatchRandom: median(random),
      medianUsPerAlertRandom: (1000 * median(random)) / BATCH,
      medianMsPerBatchOnSource: median(onSource),
      medianUsPerAlertOnSource: (1000 * median(onSource)) / BATCH,
      matchesRandomBatch: matchedRandom,
      matchesOnSourceBatch: matchedOn,
      csvParseMs: parseMs,
      storeLoadMs,
      stageSnapshotLoadMs: snapshotMs,
      replaceMs,
      stageSnapshotReloadMs: reSnapshotMs,
      rssMbAfterLoad: rss / 2 ** 20,
      allMsRandom: random,
      allMsOnSource: onSource
    };
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(
      join(import.meta.dirname, 'results', 'watchlist.json'),
      JSON.stringify(result, null, 2)
    );
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
