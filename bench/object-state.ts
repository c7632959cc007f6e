/**
 * Object state: memory for many objects, and the time it adds per alert on the stage's hot path.
 *
 * 1. Memory — BENCH_OBJECTS (default 10,000,000) distinct objects (Rubin-like 19-digit ids) spread
 *    over 16 partition stores, each with one g/r/i detection applied through `applyChunk` in
 *    chunks of 10,000 synthetic rows; heap + array buffers and RSS after a full GC, minus the
 *    same before (the chunks themselves are dropped). Also the insert time per new object.
 * 2. Added time per alert — BENCH_ALERTS (default 20,000) realistic Rubin packets (simulator
 *    realistic mode, mean ≈ 245 KB with cutouts, real-like history lengths), decoded once in
 *    5,000-alert chunks (the stage's default); timed per chunk: `applyChunk` + the `obj_*` columns
 *    + the changelog records (what the stage adds before its transaction), on a fresh store (every
 *    object new) and again on the filled store (every object updated). BENCH_REPEATS (default 5)
 *    passes each; median µs per alert, min and max beside it. Not timed here: the broker writing
 *    the changelog records (one ~400-byte record per changed object per chunk, in the chunk's own
 *    transaction).
 *
 * Run: node --expose-gc --max-old-space-size=12288 --import tsx bench/object-state.ts
 * Writes bench/results/object-state.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Field, Float64, Int64, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { createDecoder } from '../sdk/src/alerts/index.js';
import { RealisticAlerts } from '../sdk/src/simulate/index.js';
import { ROW_BYTES, changelogRecords } from '../sdk/src/state/changelog.js';
import { floatData, utf8Data, withObjectColumns } from '../sdk/src/state/columns.js';
import { ObjectStore } from '../sdk/src/state/store.js';
import { applyChunk } from '../sdk/src/state/update.js';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000_000);
const ALERTS = Number(process.env.BENCH_ALERTS ?? 20_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const PARTITIONS = 16;
const CHUNK = 10_000;
const STAGE_CHUNK = 5000;
const gc = (globalThis as { gc?: () => void }).gc;

function collect(): void {
  for (let i = 0; i < 3; i++) {
    gc?.();
  }
}

function memory(): { heapAndBuffers: number; rss: number } {
  collect();
  const m = process.memoryUsage();
  return { heapAndBuffers: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

/** A chunk of synthetic detections of objects [first, first + n). */
function syntheticChunk(first: number, n: number): RecordBatch {
  const ids = Array.from({ length: n }, (_, i) =>
    String(170_000_000_000_000_000n + BigInt(first + i))
  );
  const alertIds = BigInt64Array.from(
    { length: n },
    (_, i) => 300_000_000_000_000_000n + BigInt(first + i)
  );
  const mjd = Float64Array.from({ length: n }, (_, i) => 61000 + (first + i) * 1e-6);
  const mag = Float64Array.from({ length: n }, (_, i) => 18 + ((first + i) % 500) / 100);
  const bands = Array.from({ length: n }, (_, i) => 'gri'[(first + i) % 3]);
  const cols = [
    ['objectId', utf8Data(ids)],
    ['alertId', makeData({ type: new Int64(), length: n, data: alertIds })],
    ['mjd', floatData(mjd)],
    ['band', utf8Data(bands)],
    ['mag', floatData(mag)]
  ] as const;
  const schema = new Schema(cols.map(([name, d]) => new Field(name, d.type, true)));
  const data = makeData({
    type: new Struct(schema.fields),
    length: n,
    nullCount: 0,
    children: cols.map(([, d]) => d)
  });
  return new RecordBatch(schema, data);
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

async function memoryPart(): Promise<Record<string, unknown>> {
  void Float64;
  const before = memory();
  const stores = Array.from({ length: PARTITIONS }, () => new ObjectStore());
  let insertCpuMicros = 0;
  for (let first = 0; first < OBJECTS; first += CHUNK) {
    const n = Math.min(CHUNK, OBJECTS - first);
    const chunk = syntheticChunk(first, n);
    const c0 = process.cpuUsage();
    applyChunk(stores[(first / CHUNK) % PARTITIONS], chunk, { rateWindowDays: 10 });
    const c1 = process.cpuUsage(c0);
    insertCpuMicros += c1.user + c1.system;
    if (first % 1_000_000 === 0) {
      process.stderr.write(`  ${first / 1e6}M objects...\n`);
    }
  }
  const after = memory();
  const held = stores.reduce((s, st) => s + st.size, 0);
  const gb = (b: number) => Math.round((b / 2 ** 30) * 100) / 100;
  return {
    input: `${OBJECTS} distinct objects (19-digit ids), one g/r/i detection each, ${PARTITIONS} partition stores, chunks of ${CHUNK} synthetic rows`,
    objects: held,
    heapAndBuffersGiB: gb(after.heapAndBuffers - before.heapAndBuffers),
    rssGiB: gb(after.rss - before.rss),
    bytesPerObject: Math.round((after.heapAndBuffers - before.heapAndBuffers) / held),
    insertCpuMicrosPerNewObject: Math.round((insertCpuMicros / held) * 100) / 100,
    goalGiB: 4
  };
}

async function hotPathPart(): Promise<Record<string, unknown>> {
  const gen = RealisticAlerts.create({ seed: 18 });
  const decoder = createDecoder('rubin');
  const chunks: RecordBatch[] = [];
  let bytes = 0;
  for (let done = 0; done < ALERTS; done += STAGE_CHUNK) {
    const { values } = gen.nextBatch(Math.min(STAGE_CHUNK, ALERTS - done));
    bytes += values.reduce((s, v) => s + v.length, 0);
    chunks.push(decoder.decodeBatch(values).batch);
  }
  const rows = chunks.reduce((s, c) => s + c.numRows, 0);
  // CPU time of this process (user + system), not wall time: the machine is shared
  const parts = { apply: 0, columns: 0, changelog: 0 };
  const cpuNow = (): number => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  const pass = (store: ObjectStore): number => {
    const t0 = cpuNow();
    for (const batch of chunks) {
      const a = cpuNow();
      const applied = applyChunk(store, batch, { rateWindowDays: 10 });
      const b = cpuNow();
      withObjectColumns(batch, applied, store, [], () => undefined);
      const c = cpuNow();
      changelogRecords('changelog', 0, store, applied.touched, 1n);
      const d = cpuNow();
      parts.apply += b - a;
      parts.columns += c - b;
      parts.changelog += d - c;
    }
    return (cpuNow() - t0) / rows;
  };
  pass(new ObjectStore()); // warm-up
  parts.apply = parts.columns = parts.changelog = 0;
  const fresh: number[] = [];
  const updated: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const store = new ObjectStore();
    fresh.push(pass(store));
    updated.push(pass(store));
  }
  const round = (x: { median: number; min: number; max: number }) => ({
    median: Math.round(x.median * 100) / 100,
    min: Math.round(x.min * 100) / 100,
    max: Math.round(x.max * 100) / 100
  });
  return {
    input: `${rows} realistic Rubin lsst.v10_0 packets (simulator realistic mode, seed 18, mean ${Math.round(bytes / rows / 1024)} KB with cutouts), decoded once, chunks of ${STAGE_CHUNK}`,
    timed: 'CPU time (user + system) of applyChunk + obj_* columns + changelog records, per alert',
    shareOfCpu: {
      apply: Math.round((100 * parts.apply) / (parts.apply + parts.columns + parts.changelog)),
      columns: Math.round((100 * parts.columns) / (parts.apply + parts.columns + parts.changelog)),
      changelog: Math.round(
        (100 * parts.changelog) / (parts.apply + parts.columns + parts.changelog)
      )
    },
    newObjectsMicrosPerAlert: round(stats(fresh)),
    updatedObjectsMicrosPerAlert: round(stats(updated)),
    changelogBytesPerChangedObject: ROW_BYTES,
    repeats: REPEATS,
    goalMicros: 5
  };
}

async function main(): Promise<void> {
  if (gc === undefined) {
    throw new Error('run with node --expose-gc (see the module comment)');
  }
  const load0 = loadavg()[0];
  const hotPath = await hotPathPart();
  process.stderr.write(`hot path: ${JSON.stringify(hotPath)}\n`);
  const mem = await memoryPart();
  process.stderr.write(`memory: ${JSON.stringify(mem)}\n`);
  const result = {
    bench: 'object-state',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      loadAverageAtStart: load0,
      loadAverageAtEnd: loadavg()[0]
    },
    node: process.version,
    hotPath,
    memory: mem
  };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'object-state.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
