/** Helpers for the cross-match tests: temp stores, real catalogs, probes and a brute-force matcher. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { IN_CI } from '../sdk/src/alerts/testing/samples.js';
import { CatalogStore, astrometryDataDir, type MemoryCatalog } from '../sdk/src/catalog/index.js';

export const TYCHO2_FILE = join(astrometryDataDir(), 'index-tycho2-10.littleendian.fits');
export const HAVE_TYCHO2 = existsSync(TYCHO2_FILE);
if (!HAVE_TYCHO2 && IN_CI) {
  // under CI a test that cannot run is a failure, not a skip
  throw new Error(
    `CI=true and ${TYCHO2_FILE} is missing: install astrometry-data-tycho2-10-19-littleendian (bash scripts/setup.sh).`
  );
}
if (!HAVE_TYCHO2) {
  console.warn(
    `[crossmatch tests] ${TYCHO2_FILE} is missing: Tycho-2 tests skip. Install astrometry-data-tycho2-10-19-littleendian (bash scripts/setup.sh).`
  );
}

/** Runs fn with a fresh store file in a temp directory, closed and removed afterwards. */
export async function withTempStore<T>(
  fn: (store: CatalogStore, dir: string) => Promise<T>
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'alertlab-xm-'));
  const store = await CatalogStore.open(join(dir, 'catalogs.duckdb'));
  try {
    return await fn(store, dir);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deterministic uniform random numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const D = Math.PI / 180;

/** A point `offDeg` away from (ra, dec) at position angle `pa` (radians), exactly on the sphere. */
export function offset(
  raDeg: number,
  decDeg: number,
  offDeg: number,
  pa: number
): [number, number] {
  const d1 = decDeg * D;
  const o = offDeg * D;
  const d2 = Math.asin(Math.sin(d1) * Math.cos(o) + Math.cos(d1) * Math.sin(o) * Math.cos(pa));
  const dra = Math.atan2(
    Math.sin(pa) * Math.sin(o) * Math.cos(d1),
    Math.cos(o) - Math.sin(d1) * Math.sin(d2)
  );
  let ra = (raDeg + dra / D) % 360;
  if (ra < 0) {
    ra += 360;
  }
  return [ra, d2 / D];
}

/** Angular separation in degrees by the haversine formula (float64). */
export function haversineDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s1 = Math.sin(((dec2 - dec1) * D) / 2);
  const s2 = Math.sin(((ra2 - ra1) * D) / 2);
  const h = s1 * s1 + Math.cos(dec1 * D) * Math.cos(dec2 * D) * s2 * s2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(h)))) / D;
}

/** Every (alert, catalog row) within r by brute force: keys "alertRow:catalogId" → separation (″). */
export function bruteForce(
  cat: MemoryCatalog,
  raDeg: Float64Array,
  decDeg: Float64Array,
  radiusArcsec: number
): Map<string, number> {
  const out = new Map<string, number>();
  const r = radiusArcsec / 3600;
  const ids = cat.ids.values as ArrayLike<bigint | string | null>;
  for (let a = 0; a < raDeg.length; a++) {
    for (let i = 0; i < cat.rows; i++) {
      if (Math.abs(cat.decDeg[i] - decDeg[a]) > r) {
        continue;
      }
      const sep = haversineDeg(raDeg[a], decDeg[a], cat.raDeg[i], cat.decDeg[i]);
      if (sep <= r) {
        out.set(`${a}:${String(ids[i])}`, sep * 3600);
      }
    }
  }
  return out;
}

/** Keys "alertRow:catalogId" → separation (″) of a match table (one catalog). */
export function pairMap(table: Table, catalog?: string): Map<string, number> {
  const a = table.getChild('alertRow');
  const id = table.getChild('catalogId');
  const sep = table.getChild('separationArcsec');
  const cat = table.getChild('catalog');
  const out = new Map<string, number>();
  for (let i = 0; i < table.numRows; i++) {
    if (catalog && cat?.get(i) !== catalog) {
      continue;
    }
    out.set(`${String(a?.get(i))}:${String(id?.get(i))}`, Number(sep?.get(i)));
  }
  return out;
}

/**
 * Probes for radius r: near catalog rows (offsets up to 1.5 r, so some fall outside), at the poles,
 * across the RA seam (also near catalog rows there), and anywhere on the sky.
 */
export function makeProbes(
  cat: MemoryCatalog,
  radiusArcsec: number,
  count: number,
  seed: number
): { raDeg: Float64Array; decDeg: Float64Array } {
  const rnd = seededRandom(seed);
  const ra: number[] = [];
  const dec: number[] = [];
  const r = radiusArcsec / 3600;
  const push = ([a, d]: [number, number]): void => {
    ra.push(a);
    dec.push(d);
  };
  const seam: number[] = [];
  const polar: number[] = [];
  for (let i = 0; i < cat.rows; i++) {
    if (cat.raDeg[i] < 0.05 || cat.raDeg[i] > 359.95) {
      seam.push(i);
    }
    if (Math.abs(cat.decDeg[i]) > 89.5) {
      polar.push(i);
    }
  }
  for (let k = 0; k < count; k++) {
    const kind = k % 6;
    if (kind <= 1) {
      const i = Math.floor(rnd() * cat.rows);
      push(offset(cat.raDeg[i], cat.decDeg[i], rnd() * 1.5 * r, rnd() * 2 * Math.PI));
    } else if (kind === 2) {
      const d = [89.99, -89.99, 90, -90, 89.9999, -89.999][k % 6 === 2 ? Math.floor(rnd() * 6) : 0];
      push([rnd() * 360, d]);
    } else if (kind === 3) {
      const src = seam.length && rnd() < 0.7 ? seam[Math.floor(rnd() * seam.length)] : -1;
      if (src >= 0) {
        push(offset(cat.raDeg[src], cat.decDeg[src], rnd() * 1.5 * r, rnd() * 2 * Math.PI));
      } else {
        push([rnd() < 0.5 ? 359.999 : 0.001, (Math.asin(2 * rnd() - 1) / D) * 0.9]);
      }
    } else if (kind === 4 && polar.length) {
      const i = polar[Math.floor(rnd() * polar.length)];
      push(offset(cat.raDeg[i], cat.decDeg[i], rnd() * 1.5 * r, rnd() * 2 * Math.PI));
    } else {
      push([rnd() * 360, Math.asin(2 * rnd() - 1) / D]);
    }
  }
  return { raDeg: Float64Array.from(ra), decDeg: Float64Array.from(dec) };
}
