/**
 * The zone windows of a circle: for each zone the circle can touch, the RA interval(s) to scan.
 * The RA half-width is the exact alpha(r, dec), the whole circle when |dec| + r reaches a pole, and
 * windows that cross RA 0/360 are split in two.
 */
import { WINDOW_PAD_DEG, alphaDeg, zoneOf } from '../catalog/sky.js';
/** Reusable output buffers: window k is zone[k], RA in [raMin[k], raMax[k]]. */
export class ZoneWindows {
    zone;
    raMin;
    raMax;
    count = 0;
    constructor(capacity = 16) {
        this.zone = new Int32Array(capacity);
        this.raMin = new Float64Array(capacity);
        this.raMax = new Float64Array(capacity);
    }
    grow() {
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
    push(zone, lo, hi) {
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
    fill(raDeg, decDeg, radiusDeg, h, zoneMax) {
        this.count = 0;
        const r = radiusDeg + WINDOW_PAD_DEG;
        const zLo = Math.max(0, zoneOf(Math.max(-90, decDeg - r), h));
        const zHi = Math.min(zoneMax, zoneOf(Math.min(90, decDeg + r), h));
        const a = alphaDeg(r, decDeg);
        const lo = raDeg - a;
        const hi = raDeg + a;
        for (let z = zLo; z <= zHi; z++) {
            if (a >= 180) {
                this.push(z, 0, 360);
            }
            else if (lo < 0) {
                this.push(z, lo + 360, 360);
                this.push(z, 0, hi);
            }
            else if (hi >= 360) {
                this.push(z, lo, 360);
                this.push(z, 0, hi - 360);
            }
            else {
                this.push(z, lo, hi);
            }
        }
        return this.count;
    }
}
/** First index i in [start, end) with values[i] >= v (binary search on a sorted slice). */
export function lowerBound(values, v, start, end) {
    let lo = start;
    let hi = end;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (values[mid] < v) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}
