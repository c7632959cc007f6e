/**
 * One object's lightcurve among 1M buffered alerts: `LightcurveService.lightcurve(id, {topic})`
 * looks the object up in the object index (DuckDB) and reads only its alerts' records, against
 * the peer a user has without an index — reading the whole topic (attach + decode) and keeping the
 * object's rows.
 *
 * Input (named in every row of the results): BENCH_ALERTS (default 1,000,000) small Rubin-shaped
 * JSON alerts (~0.9 KB: a diaSource and a 5-point prvDiaSources history, no cutouts) of
 * BENCH_OBJECTS (default 100,000) distinct objects, each seen in ALERTS/OBJECTS visits (its alerts'
 * histories overlap, so the lookup merges duplicates), on a 4-partition topic, keyed by object id
 * with the simulator's header as `alertlab simulate` produces (the index reads the key, no decode).
 * Timed: building the index from scratch (catch-up of every record), then BENCH_REPEATS (default
 * 31) lookups of distinct random objects after 3 warm-up lookups — median, p90, min — with the
 * DuckDB part (locate) alone beside it; the scan peer BENCH_SCANS (default 2) times, median.
 * Every lookup is checked (alerts found, points merged). Writes bench/results/lightcurve-lookup.json.
 *
 * Run: node --import tsx bench/lightcurve-lookup.ts   (needs a broker: `alertlab kafka start`)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferClient } from '../sdk/src/buffer/client.js';
import { createLogger } from '../sdk/src/buffer/log.js';
import { LightcurveService } from '../sdk/src/objects/index.js';
import { SIM_RECORD_HEADER } from '../sdk/src/objects/catch-up.js';

const N = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 100_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 31);
const SCANS = Number(process.env.BENCH_SCANS ?? 2);
const PARTITIONS = 4;
const HISTORY = 5;
const VISITS = Math.ceil(N / OBJECTS);
const FIRST_OBJECT = 170_000_000_000_000_000n;
const enc = new TextEncoder();

const objectIdOf = (o: number): string => (FIRST_OBJECT + BigInt(o)).toString();
const mjdOf = (o: number, visit: number): number => 61000 + visit * 3 + o * 1e-6;

/** Alert `i`: visit i / OBJECTS of object i % OBJECTS, with the object's previous visits as history. */
function alert(i: number): Uint8Array {
  const o = i % OBJECTS;
  const visit = Math.floor(i / OBJECTS);
  const src = (v: number) => ({
    diaSourceId: (1n << 62n) + BigInt(v * OBJECTS + o),
    diaObjectId: objectIdOf(o),
    ra: (o * 0.0036) % 360,
    dec: -30 + (o % 6000) * 0.01,
    midpointMjdTai: mjdOf(o, v),
    band: 'ugrizy'[v % 6],
    psfFlux: 1000 + 37 * v,
    psfFluxErr: 25
  });
  const history = [];
  for (let v = Math.max(0, visit - HISTORY); v < visit; v++) {
    history.push(src(v));
  }
  const body = {
    diaSourceId: src(visit).diaSourceId,
    diaSource: src(visit),
    prvDiaSources: history
  };
  return enc.encode(
    JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  );
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const round = (x: number, d = 2): number => Number(x.toFixed(d));

const logger = createLogger({ level: 'error' });
const buffer = await BufferClient.create({ logger });
const topic = `bench-lightcurve-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'alertlab-lc-bench-'));
let bytes = 0;
try {
  await buffer.createTopics([{ topic, partitions: PARTITIONS }]);
  const t0 = performance.now();
  const producer = await buffer.producer();
  const CHUNK = 5000;
  for (let start = 0; start < N; start += CHUNK) {
    const records = [];
    for (let i = start; i < Math.min(N, start + CHUNK); i++) {
      const value = alert(i);
      bytes += value.length;
      records.push({
        topic,
        value,
        key: objectIdOf(i % OBJECTS),
        headers: { [SIM_RECORD_HEADER]: 'bench' }
      });
    }
    await producer.send(records);
  }
  const produceS = (performance.now() - t0) / 1000;
  const alertBytes = Math.round(bytes / N);
  const input = `${N.toLocaleString('en')} Rubin-shaped JSON alerts of ~${alertBytes} B (5-point history, no cutouts), ${OBJECTS.toLocaleString('en')} distinct objects x ${VISITS} alerts each, ${PARTITIONS} partitions, keyed by object id`;
  console.log(`produced ${input} in ${produceS.toFixed(1)} s`);

  const indexPath = join(dir, 'objects.duckdb');
  const service = await LightcurveService.create({ buffer, indexPath, archiveDirs: [] });
  const b0 = performance.now();
  await service.catchUp(topic);
  const buildS = (performance.now() - b0) / 1000;
  const stats = await service.index.stats();
  await service.index.checkpoint();
  const indexBytes = statSync(indexPath).size;
  console.log(
    `index built: ${stats.alerts} alerts of ${stats.objects} objects in ${buildS.toFixed(1)} s (${Math.round(stats.alerts / buildS)} alerts/s), ${(indexBytes / 2 ** 20).toFixed(1)} MiB`
  );

  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const picked = new Set<number>();
  while (picked.size < REPEATS + 3) {
    picked.add(Math.floor(rand() * OBJECTS));
  }
  const objects = [...picked];
  const lookupMs: number[] = [];
  const locateMs: number[] = [];
  for (const [k, o] of objects.entries()) {
    const id = objectIdOf(o);
    const l0 = performance.now();
    await service.index.locate(id, topic);
    const l1 = performance.now();
    const r = await service.lightcurve(id, { topic });
    const l2 = performance.now();
    const alerts = o < N % OBJECTS || N % OBJECTS === 0 ? VISITS : VISITS - 1;
    if (r.found !== alerts || r.table.numRows !== alerts || r.recordsRead !== alerts) {
      throw new Error(
        `lookup of ${id}: found ${r.found}, ${r.table.numRows} points, read ${r.recordsRead}; want ${alerts}`
      );
    }
    if (k >= 3) {
      locateMs.push(l1 - l0);
      lookupMs.push(l2 - l1);
    }
  }
  console.log(
    `lookup: median ${median(lookupMs).toFixed(1)} ms, p90 ${pct(lookupMs, 0.9).toFixed(1)} ms, min ${Math.min(...lookupMs).toFixed(1)} ms over ${lookupMs.length} objects (locate in DuckDB: median ${median(locateMs).toFixed(2)} ms)`
  );
  await service.close();

  const scanS: number[] = [];
  const target = objectIdOf(objects[0]);
  for (let s = 0; s < SCANS; s++) {
    const s0 = performance.now();
    let rows = 0;
    let found = 0;
    for await (const b of buffer.attach(topic, {
      from: 'earliest',
      idleTimeoutMs: 2000
    } as never)) {
      rows += b.batch.numRows;
      const ids = b.batch.getChild('objectId');
      for (let i = 0; i < b.batch.numRows; i++) {
        found += ids?.get(i) === target ? 1 : 0;
      }
      if (rows >= N) {
        break;
      }
    }
    scanS.push((performance.now() - s0) / 1000);
    console.log(
      `scan ${s + 1}: ${rows} alerts read, ${found} of the object, ${scanS[s].toFixed(1)} s`
    );
  }

  const result = {
    benchmark: 'lightcurve-lookup',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, loadavg: loadavg().map(x => round(x)) },
    input,
    alerts: N,
    distinctObjects: OBJECTS,
    alertsPerObject: VISITS,
    alertBytes,
    partitions: PARTITIONS,
    indexBuild: {
      seconds: round(buildS),
      alertsPerS: Math.round(stats.alerts / buildS),
      indexMiB: round(indexBytes / 2 ** 20, 1)
    },
    lookup: {
      repeats: lookupMs.length,
      warmup: 3,
      medianMs: round(median(lookupMs)),
      p90Ms: round(pct(lookupMs, 0.9)),
      minMs: round(Math.min(...lookupMs)),
      locateMedianMs: round(median(locateMs), 3),
      pointsPerLookup: VISITS
    },
    peerScan: {
      runs: SCANS,
      medianS: round(median(scanS)),
      what: 'attach the whole topic, decode, keep the object rows'
    },
    speedup: round((median(scanS) * 1000) / median(lookupMs), 0)
  };
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(
    join(import.meta.dirname, 'results', 'lightcurve-lookup.json'),
    JSON.stringify(result, null, 2) + '\n'
  );
  console.log('wrote bench/results/lightcurve-lookup.json');
} finally {
  await buffer.deleteTopics([topic]).catch(() => undefined);
  await buffer.close();
  rmSync(dir, { recursive: true, force: true });
}
