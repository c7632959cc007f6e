/** Shared pieces of bench/crossmatch.ts: the alert batch, quantiles, memory, Q3C figures. */
import type { MemoryCatalog } from '../../sdk/src/catalog/index.js';
import type { AlertPositions, EngineMatcher } from '../../sdk/src/crossmatch/index.js';
import { seededRandom } from '../../sdk/src/random.js';
import { loadQ3cTable, q3cJoin, withQ3cCatalog } from './q3c.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** 80% of alerts within 0–3″ of a random catalog star (uniform over the disc), 20% anywhere. */
export function makeAlerts(cat: MemoryCatalog, n: number): AlertPositions {
  const rnd = seededRandom(20260101);
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  const D = Math.PI / 180;
  for (let k = 0; k < n; k++) {
    if (k % 5 !== 4) {
      const i = Math.floor(rnd() * cat.rows);
      const off = (3 * Math.sqrt(rnd())) / 3600;
      const pa = rnd() * 2 * Math.PI;
      const d1 = cat.decDeg[i] * D;
      const d2 = Math.asin(
        Math.sin(d1) * Math.cos(off * D) + Math.cos(d1) * Math.sin(off * D) * Math.cos(pa)
      );
      const dra = Math.atan2(
        Math.sin(pa) * Math.sin(off * D) * Math.cos(d1),
        Math.cos(off * D) - Math.sin(d1) * Math.sin(d2)
      );
      raDeg[k] = (((cat.raDeg[i] + dra / D) % 360) + 360) % 360;
      decDeg[k] = d2 / D;
    } else {
      raDeg[k] = rnd() * 360;
      decDeg[k] = Math.asin(2 * rnd() - 1) / D;
    }
  }
  return { raDeg, decDeg };
}

export function quantiles(
  ms: number[],
  N: number
): {
  medianUsPerAlert: number;
  minUsPerAlert: number;
  p90UsPerAlert: number;
  medianMsPerBatch: number;
  minMsPerBatch: number;
  calls: number;
} {
  const s = [...ms].sort((a, b) => a - b);
  const us = (v: number): number => (v * 1000) / N;
  return {
    medianUsPerAlert: us(s[Math.floor(s.length / 2)]),
    minUsPerAlert: us(s[0]),
    p90UsPerAlert: us(s[Math.floor(s.length * 0.9)]),
    medianMsPerBatch: s[Math.floor(s.length / 2)],
    minMsPerBatch: s[0],
    calls: s.length
  };
}

export function memMb(): { heapMb: number; arrayBuffersMb: number; rssMb: number } {
  gc();
  const m = process.memoryUsage();
  return {
    heapMb: m.heapUsed / 2 ** 20,
    arrayBuffersMb: m.arrayBuffers / 2 ** 20,
    rssMb: m.rss / 2 ** 20
  };
}

/** Pair keys "alertRow:catalogId" of a match table. */
export function pairKeys(t: Awaited<ReturnType<EngineMatcher['match']>>): Set<string> {
  const a = t.getChild('alertRow')?.toArray() as Int32Array;
  const id = t.getChild('catalogId')?.toArray() as BigInt64Array;
  return new Set(Array.from(a, (x, i) => `${x}:${id[i]}`));
}

/** Q3C's q3c_join on the same catalog rows and alerts, with its pair set against `ref`. */
export function q3cJoinFigures(
  cat: MemoryCatalog,
  alerts: AlertPositions,
  radiusArcsec: number,
  repeats: number,
  ref: Set<string>,
  warmup = 3
): Record<string, unknown> {
  return withQ3cCatalog(cat, (pg, loadS) => {
    const n = alerts.raDeg.length;
    const rows = Array.from({ length: n }, (_, k) => k);
    loadQ3cTable(pg, 'alerts', rows, alerts.raDeg, alerts.decDeg, 'INT');
    pg.sql('ALTER TABLE alerts RENAME COLUMN id TO k;');
    // PostgreSQL JIT-compiles this plan by default (its cost estimate is huge); that costs tens of
    // ms per run, so both settings are timed and the faster one is what we compare against.
    const runs = (['on', 'off'] as const).map(jit => {
      const j = q3cJoin(pg, radiusArcsec, repeats, jit, warmup);
      const keys = new Set(j.pairs);
      const s = [...j.callMs].sort((a, b) => a - b);
      return {
        jit,
        keys,
        callMsMedian: s[Math.floor(s.length / 2)],
        callMsMin: s[0],
        repeats: s.length,
        plan: j.plan,
        workers: j.maxParallelWorkersPerGather
      };
    });
    // the peer is Q3C with JIT off (JIT compiles this plan for tens of ms per run); on is beside it
    const best = runs.find(r => r.jit === 'off')!;
    const keys = best.keys;
    const onlyOurs = [...ref].filter(k => !keys.has(k));
    const onlyQ3c = [...keys].filter(k => !ref.has(k));
    return {
      postgres: pg.sql('SHOW server_version;').trim(),
      q3c: pg.sql("SELECT extversion FROM pg_extension WHERE extname = 'q3c';").trim(),
      catalogLoadAndIndexS: loadS,
      maxParallelWorkersPerGather: best.workers,
      timedInside:
        'PL/pgSQL loop, clock_timestamp per run: INSERT INTO a temp table SELECT alert row, catalog id, q3c_dist·3600 over the q3c_join — static SQL, so planned once and reused (prepared); no client round trip counted',
      byJit: Object.fromEntries(
        runs.map(r => [
          `jit=${r.jit}`,
          { callMsMedian: r.callMsMedian, callMsMin: r.callMsMin, repeats: r.repeats }
        ])
      ),
      jit: best.jit,
      callMsMedian: best.callMsMedian,
      callMsMin: best.callMsMin,
      medianUsPerAlert: (best.callMsMedian * 1000) / n,
      minUsPerAlert: (best.callMsMin * 1000) / n,
      pairs: keys.size,
      pairSetIdentical: onlyOurs.length === 0 && onlyQ3c.length === 0,
      pairSetsAgreeAcrossJit: runs.every(r => r.keys.size === keys.size),
      diff: { onlyOurs: onlyOurs.slice(0, 20), onlyQ3c: onlyQ3c.slice(0, 20) },
      plan: best.plan
    };
  });
}
