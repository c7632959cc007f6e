/**
 * Zones in memory: the zone table as typed arrays sorted by (zone, ra); per alert and zone window a
 * binary search on RA, then the chord test on unit vectors.
 */
import { maxZone, chord2OfRadiusArcsec } from '../catalog/sky.js';
import type { CatalogStore } from '../catalog/store.js';
import type { MemoryCatalog } from '../catalog/memory.js';
import { MemoryPairEngine } from './memoryEngine.js';
import type { PairBuffer } from './pairBuffer.js';
import type { PairQuery } from './types.js';
import { ZoneWindows, lowerBound, rowsInZoneOrder } from './zoneWindows.js';

/** {@link PairEngine} over zone arrays in memory. */
export class MemoryZonesEngine extends MemoryPairEngine<null> {
  readonly kind = 'memory-zones';
  private readonly windows = new ZoneWindows();

  constructor(store: CatalogStore) {
    super(store, () => null);
  }

  protected collectPairs(
    q: PairQuery,
    cat: MemoryCatalog,
    _index: null,
    radiusArcsec: number,
    buf: PairBuffer
  ): void {
    const { zoneStart, raDeg: ra, x, y, z } = cat;
    const h = cat.zoneHeightDeg;
    const zMax = maxZone(h);
    const c2 = chord2OfRadiusArcsec(radiusArcsec);
    const radiusDeg = radiusArcsec / 3600;
    const w = this.windows;
    const order = rowsInZoneOrder(q.rows, q.decDeg, h, zMax);
    for (let k = 0; k < order.length; k++) {
      const a = order[k];
      const ax = q.x[a];
      const ay = q.y[a];
      const az = q.z[a];
      const from = buf.length;
      const nw = w.fill(q.raDeg[a], q.decDeg[a], radiusDeg, h, zMax);
      for (let j = 0; j < nw; j++) {
        const zone = w.zone[j];
        const end = zoneStart[zone + 1];
        const hi = w.raMax[j];
        for (
          let i = lowerBound(ra, w.raMin[j], zoneStart[zone], end);
          i < end && ra[i] <= hi;
          i++
        ) {
          const dx = x[i] - ax;
          const dy = y[i] - ay;
          const dz = z[i] - az;
          const d2 = dx * dx + dy * dy + dz * dz;
          if (d2 <= c2) {
            buf.push(a, i, d2);
          }
        }
      }
      if (buf.length - from > 1) {
        buf.sortTail(from);
      }
    }
  }
}
