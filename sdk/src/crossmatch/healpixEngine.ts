/**
 * A HEALPix (RING) index in memory: catalog rows bucketed by pixel (counting sort), and per alert
 * the pixels whose centres lie within r + maxOffset, where maxOffset is the largest distance of any
 * catalog row from its own pixel centre (measured at build time). By the triangle inequality every
 * row within r of the alert is in one of those pixels, so the candidate set is exact, whatever the
 * pixel shapes; the chord test on unit vectors then decides.
 */
import { ARCSEC, chord2OfRadiusArcsec } from '../catalog/sky.js';
import type { MemoryCatalog } from '../catalog/memory.js';
import type { CatalogStore } from '../catalog/store.js';
import { HealpixRing } from './healpix.js';
import { MemoryPairEngine } from './memoryEngine.js';
import type { PairBuffer } from './pairBuffer.js';
import type { PairQuery } from './types.js';
import { rowsInZoneOrder } from './zoneWindows.js';

/** Padding (radians, ~0.02″) added to disc radii against float rounding. */
const DISC_PAD_RAD = 1e-7;

/** Catalog rows in pixel order. */
export interface HealpixIndex {
  hp: HealpixRing;
  /** Rows of pixel p are order[offsets[p] .. offsets[p + 1] - 1]. */
  offsets: Int32Array;
  /** Zone-table row of each slot. */
  order: Int32Array;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  maxOffsetRad: number;
}

/** nside giving about two rows per pixel, a power of two in 1..1024. */
export function autoNside(rows: number): number {
  const n = Math.sqrt(Math.max(1, rows) / 24);
  return Math.min(1024, Math.max(1, 2 ** Math.round(Math.log2(Math.max(1, n)))));
}

/** Builds the pixel index of a catalog. */
export function buildHealpixIndex(cat: MemoryCatalog, nside = autoNside(cat.rows)): HealpixIndex {
  const hp = new HealpixRing(nside);
  const n = cat.rows;
  const pix = new Int32Array(n);
  const offsets = new Int32Array(hp.npix + 1);
  const centre = new Float64Array(3);
  let maxChord2 = 0;
  for (let i = 0; i < n; i++) {
    const p = hp.pixelOf(cat.z[i], Math.atan2(cat.y[i], cat.x[i]));
    pix[i] = p;
    offsets[p + 1]++;
    hp.centre(p, centre);
    const dx = cat.x[i] - centre[0];
    const dy = cat.y[i] - centre[1];
    const dz = cat.z[i] - centre[2];
    maxChord2 = Math.max(maxChord2, dx * dx + dy * dy + dz * dz);
  }
  for (let p = 0; p < hp.npix; p++) {
    offsets[p + 1] += offsets[p];
  }
  const fill = offsets.slice(0, hp.npix);
  const order = new Int32Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = fill[pix[i]]++;
    order[k] = i;
    x[k] = cat.x[i];
    y[k] = cat.y[i];
    z[k] = cat.z[i];
  }
  const maxOffsetRad = 2 * Math.asin(Math.min(1, Math.sqrt(maxChord2) / 2));
  return { hp, offsets, order, x, y, z, maxOffsetRad };
}

/** {@link PairEngine} over a HEALPix index in memory. */
export class HealpixEngine extends MemoryPairEngine<HealpixIndex> {
  readonly kind = 'healpix';

  /** @param nside pixel resolution; @default autoNside(rows) */
  constructor(store: CatalogStore, nside?: number) {
    super(store, cat => buildHealpixIndex(cat, nside));
  }

  protected collectPairs(
    q: PairQuery,
    _cat: MemoryCatalog,
    index: HealpixIndex,
    radiusArcsec: number,
    buf: PairBuffer
  ): void {
    const { hp, offsets, order, x, y, z } = index;
    const c2 = chord2OfRadiusArcsec(radiusArcsec);
    const discRad = radiusArcsec * ARCSEC + index.maxOffsetRad + DISC_PAD_RAD;
    let a = 0;
    let ax = 0;
    let ay = 0;
    let az = 0;
    const scan = (p0: number, p1: number): void => {
      const end = offsets[p1 + 1];
      for (let k = offsets[p0]; k < end; k++) {
        const dx = x[k] - ax;
        const dy = y[k] - ay;
        const dz = z[k] - az;
        const d2 = dx * dx + dy * dy + dz * dz;
        if (d2 <= c2) {
          buf.push(a, order[k], d2);
        }
      }
    };
    // Alerts in declination order walk the ring-ordered pixels forwards (cache friendly).
    const rows = rowsInZoneOrder(q.rows, q.decDeg, 1 / 60, 10_800);
    for (let j = 0; j < rows.length; j++) {
      a = rows[j];
      ax = q.x[a];
      ay = q.y[a];
      az = q.z[a];
      const from = buf.length;
      hp.discRanges(az, Math.atan2(ay, ax), discRad, scan);
      if (buf.length - from > 1) {
        buf.sortTail(from);
      }
    }
  }
}
