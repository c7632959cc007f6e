/**
 * The zone windows of a circle: for each zone the circle can touch, the RA interval(s) to scan.
 * The RA half-width is the exact alpha(r, dec), the whole circle when |dec| + r reaches a pole, and
 * windows that cross RA 0/360 are split in two.
 */
import { WINDOW_PAD_DEG, alphaDeg, zoneOf } from '../catalog/sky.js';

/** Reusable output buffers: window k is zone[k], RA in [raMin[k], raMax[k]]. */
export class ZoneWindows {
  zone: Int32Array;
  raMin: Float64Array;
  raMax: Float64Array;
  count = 0;
  /** Per-zone upper bound of alpha for the current (radius, h): alpha at the zone's edge nearer a pole. */
  private alphaByZone = new Float64Array(0);
  private alphaR = NaN;
  private alphaH = NaN;
  constructor(capacity = 16) {
    this.zone = new Int32Array(capacity);
    this.raMin = new Float64Array(capacity);
    this.raMax = new Float64Array(capacity);
  }
  private grow(): void {
    const cap = this.zone.length * 2;
    const z = new Int32Array(cap);
    const lo = new Float64Array(cap);
    const hi = new Float64Array(cap);
    z.set(this.zone);
    lo.set(this.raMin);
    hi.set(this.raMax);
    this.zone = z;
    this.raMin = lo;
    this.raMax = hi;
  }
  private push(zone: number, lo: number, hi: number): void {
    if (this.count === this.zone.length) {
      this.grow();
    }
    this.zone[this.count] = zone;
    this.raMin[this.count] = lo;
    this.raMax[this.count] = hi;
    this.count++;
  }

  /**
   * Fills the windows of the circle (raDeg, decDeg, radiusDeg) for zone height h; zones are clamped
   * to [0, zoneMax]. Returns the number of windows.
   */
  fill(raDeg: number, decDeg: number, radiusDeg: number, h: number, zoneMax: number): number {
    this.count = 0;
    const r = radiusDeg + WINDOW_PAD_DEG;
    const zLo = Math.max(0, zoneOf(Math.max(-90, decDeg - r), h));
    const zHi = Math.min(zoneMax, zoneOf(Math.min(90, decDeg + r), h));
    const a = this.zoneAlpha(r, decDeg, h, zoneMax);
    const lo = raDeg - a;
    const hi = raDeg + a;
    for (let z = zLo; z <= zHi; z++) {
      if (a >= 180) {
        this.push(z, 0, 360);
      } else if (lo < 0) {
        this.push(z, lo + 360, 360);
        this.push(z, 0, hi);
      } else if (hi >= 360) {
        this.push(z, lo, 360);
        this.push(z, 0, hi - 360);
      } else {
        this.push(z, lo, hi);
      }
    }
    return this.count;
  }

  /**
   * alpha(r, dec) bounded over the alert's zone: alpha grows with |dec|, so the value at the zone
   * edge nearer a pole covers every alert in the zone. Cached per zone for the current (r, h).
   */
  zoneAlpha(r: number, decDeg: number, h: number, zoneMax: number): number {
    const table = this.alphaTable(r, h, zoneMax);
    const zone = Math.min(zoneMax, Math.max(0, zoneOf(decDeg, h)));
    const a = table[zone];
    return a < 0 ? this.alphaOfZone(zone) : a;
  }

  /**
   * The per-zone alpha cache for (r, h): entry z is zone z's alpha, or −1 until
   * {@link alphaOfZone} computed it. For callers that look alpha up inline in a loop (a call per
   * alert that returns a double boxes it when it is not inlined).
   */
  alphaTable(r: number, h: number, zoneMax: number): Float64Array {
    if (r !== this.alphaR || h !== this.alphaH || this.alphaByZone.length !== zoneMax + 1) {
      this.alphaR = r;
      this.alphaH = h;
      this.alphaByZone = new Float64Array(zoneMax + 1).fill(-1);
    }
    return this.alphaByZone;
  }

  /** Computes and caches zone `zone`'s alpha for the (r, h) of the last {@link alphaTable}. */
  alphaOfZone(zone: number): number {
    const h = this.alphaH;
    const lo = zone * h - 90;
    const edge = Math.min(90, Math.max(Math.abs(lo), Math.abs(lo + h)));
    const a = alphaDeg(this.alphaR, edge);
    this.alphaByZone[zone] = a;
    return a;
  }
}

/** First index i in [start, end) with values[i] >= v (binary search on a sorted slice). */
export function lowerBound(values: Float64Array, v: number, start: number, end: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
/**
 * The query rows reordered by zone (counting sort), so a batch walks the zone arrays forwards
 * instead of jumping around the sky: far fewer cache misses on large catalogs. With `scratch`
 * (grow-only, reused call after call) the result is a view into it instead of a fresh array.
 */
export function rowsInZoneOrder(
  rows: Int32Array,
  decDeg: Float64Array,
  h: number,
  zoneMax: number,
  scratch?: ZoneOrderScratch
): Int32Array {
  const n = rows.length;
  scratch?.reserve(n, zoneMax + 2);
  const zones = scratch ? scratch.zones : new Int32Array(n);
  const start = scratch ? scratch.start.fill(0, 0, zoneMax + 2) : new Int32Array(zoneMax + 2);
  for (let k = 0; k < n; k++) {
    let z = Math.floor((decDeg[rows[k]] + 90) / h);
    z = z < 0 ? 0 : z > zoneMax ? zoneMax : z;
    zones[k] = z;
    start[z + 1]++;
  }
  for (let z = 0; z <= zoneMax; z++) {
    start[z + 1] += start[z];
  }
  const out = scratch ? scratch.out.subarray(0, n) : new Int32Array(n);
  for (let k = 0; k < n; k++) {
    out[start[zones[k]]++] = rows[k];
  }
  return out;
}

/**
 * The query rows with their positions, reordered by zone as {@link rowsInZoneOrder} does, into
 * `scratch` (out = row ids, ra, dec; valid until its next use). One scatter of (id, ra, dec)
 * instead of reordering the ids and then reading the positions back through them (random reads,
 * each a cache miss on a large batch). The zone here only orders the alerts, so it is taken with
 * a multiplication by 1/h rather than the catalog's exact division.
 */
export function alertsInZoneOrder(
  rows: Int32Array,
  raDeg: Float64Array,
  decDeg: Float64Array,
  h: number,
  zoneMax: number,
  scratch: ZoneOrderScratch
): number {
  const n = rows.length;
  scratch.reserve(n, zoneMax + 2);
  const { zones, out, ra, dec } = scratch;
  const start = scratch.start.fill(0, 0, zoneMax + 2);
  const invH = 1 / h;
  for (let k = 0; k < n; k++) {
    let z = Math.floor((decDeg[rows[k]] + 90) * invH);
    z = z < 0 ? 0 : z > zoneMax ? zoneMax : z;
    zones[k] = z;
    start[z + 1]++;
  }
  for (let z = 0; z <= zoneMax; z++) {
    start[z + 1] += start[z];
  }
  for (let k = 0; k < n; k++) {
    const a = rows[k];
    const at = start[zones[k]]++;
    out[at] = a;
    ra[at] = raDeg[a];
    dec[at] = decDeg[a];
  }
  return n;
}

/** Grow-only arrays for {@link rowsInZoneOrder} and {@link alertsInZoneOrder}. */
export class ZoneOrderScratch {
  zones = new Int32Array(0);
  out = new Int32Array(0);
  ra = new Float64Array(0);
  dec = new Float64Array(0);
  start = new Int32Array(0);

  reserve(rows: number, starts: number): void {
    if (this.zones.length < rows) {
      const cap = Math.max(rows, Math.ceil(this.zones.length * 1.5));
      this.zones = new Int32Array(cap);
      this.out = new Int32Array(cap);
      this.ra = new Float64Array(cap);
      this.dec = new Float64Array(cap);
    }
    if (this.start.length < starts) {
      this.start = new Int32Array(starts);
    }
  }
}
