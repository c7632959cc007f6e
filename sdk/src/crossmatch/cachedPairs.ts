/** Finds pairs through the context cache: misses go to the engine with a widened radius. */
import { gatherColumns, sliceColumn, type ColumnKind } from '../catalog/columns.js';
import { chord2OfRadiusArcsec } from '../catalog/sky.js';
import type { CacheEntry, ContextCache } from './cache.js';
import type { CatalogPairs, CatalogShape, PairEngine, PairQuery } from './types.js';

/** Pairs plus how many alerts the cache answered. */
export interface CachedPairs {
  pairs: CatalogPairs;
  hits: number;
  misses: number;
}

export async function findPairsCached(
  engine: PairEngine,
  cache: ContextCache,
  q: PairQuery,
  shape: CatalogShape,
  radiusArcsec: number,
  columns: string[]
): Promise<CachedPairs> {
  const n = q.rows.length;
  const keys = new Array<string>(n);
  const entries = new Array<CacheEntry | undefined>(n);
  const missRows: number[] = [];
  const firstMiss = new Map<string, number>();
  const fills = new Map<string, CacheEntry>();
  let hits = 0;
  for (let k = 0; k < n; k++) {
    const a = q.rows[k];
    keys[k] = cache.key(shape.name, radiusArcsec, columns, q.raDeg[a], q.decDeg[a]);
    entries[k] = cache.get(keys[k]);
    if (entries[k]) {
      hits++;
    } else if (firstMiss.has(keys[k])) {
      hits++;
    } else {
      firstMiss.set(keys[k], a);
      missRows.push(a);
    }
  }
  if (missRows.length > 0) {
    const sub: PairQuery = { ...q, rows: Int32Array.from(missRows) };
    const found = await engine.findPairs(
      sub,
      shape.name,
      radiusArcsec + cache.marginArcsec,
      columns,
      true
    );
    const byAlert = new Map<number, CacheEntry>();
    let s = 0;
    const total = found.alertRow.length;
    while (s < total) {
      let e = s + 1;
      while (e < total && found.alertRow[e] === found.alertRow[s]) {
        e++;
      }
      const cols: CacheEntry['columns'] = {};
      for (const c of columns) {
        cols[c] = sliceColumn(found.columns[c], s, e);
      }
      byAlert.set(found.alertRow[s], {
        xyz: (found.xyz as Float64Array).slice(3 * s, 3 * e),
        rowIdx: found.rowIdx.slice(s, e),
        ids: sliceColumn(found.ids, s, e),
        columns: cols
      });
      s = e;
    }
    const empty: CacheEntry = {
      xyz: new Float64Array(0),
      rowIdx: new Int32Array(0),
      ids: sliceColumn(found.ids, 0, 0),
      columns: Object.fromEntries(columns.map(c => [c, sliceColumn(found.columns[c], 0, 0)]))
    };
    for (const [key, a] of firstMiss) {
      const entry = byAlert.get(a) ?? empty;
      fills.set(key, entry);
      cache.set(key, entry);
    }
  }
  cache.hits += hits;
  cache.misses += missRows.length;
  // Answer every alert from its entry with the exact chord test.
  const c2 = chord2OfRadiusArcsec(radiusArcsec);
  const used: CacheEntry[] = [];
  const usedIndex = new Map<CacheEntry, number>();
  const alertRow: number[] = [];
  const part: number[] = [];
  const item: number[] = [];
  const d2s: number[] = [];
  const rowIdx: number[] = [];
  for (let k = 0; k < n; k++) {
    const a = q.rows[k];
    const e = entries[k] ?? (fills.get(keys[k]) as CacheEntry);
    let pi = usedIndex.get(e);
    if (pi === undefined) {
      pi = used.length;
      used.push(e);
      usedIndex.set(e, pi);
    }
    const from = alertRow.length;
    for (let i = 0; i < e.rowIdx.length; i++) {
      const dx = e.xyz[3 * i] - q.x[a];
      const dy = e.xyz[3 * i + 1] - q.y[a];
      const dz = e.xyz[3 * i + 2] - q.z[a];
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= c2) {
        alertRow.push(a);
        part.push(pi);
        item.push(i);
        d2s.push(d2);
        rowIdx.push(e.rowIdx[i]);
      }
    }
    // Sort this alert's pairs by (chord², rowIdx); lists are short.
    for (let i = from + 1; i < alertRow.length; i++) {
      for (
        let j = i;
        j > from && (d2s[j - 1] > d2s[j] || (d2s[j - 1] === d2s[j] && rowIdx[j - 1] > rowIdx[j]));
        j--
      ) {
        for (const arr of [part, item, d2s, rowIdx]) {
          const t = arr[j];
          arr[j] = arr[j - 1];
          arr[j - 1] = t;
        }
      }
    }
  }
  const partArr = Int32Array.from(part);
  const itemArr = Int32Array.from(item);
  const gather = (
    kind: ColumnKind,
    pick: (e: CacheEntry) => CatalogPairs['ids']
  ): CatalogPairs['ids'] => gatherColumns(kind, used.map(pick), partArr, itemArr);
  const out: CatalogPairs['columns'] = {};
  for (const c of columns) {
    const kind = shape.columns.find(x => x.name === c)?.kind ?? 'double';
    out[c] = gather(kind, e => e.columns[c]);
  }
  return {
    pairs: {
      alertRow: Int32Array.from(alertRow),
      chord2: Float64Array.from(d2s),
      rowIdx: Int32Array.from(rowIdx),
      ids: gather(shape.idKind, e => e.ids),
      columns: out
    },
    hits,
    misses: missRows.length
  };
}
