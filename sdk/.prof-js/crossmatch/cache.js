import { HealpixRing } from './healpix.js';
const CELLS = new HealpixRing(64);
/** An LRU map from rounded sky positions to nearby catalog rows. */
export class ContextCache {
    quantumArcsec;
    maxEntries;
    hits = 0;
    misses = 0;
    entries = new Map();
    constructor(options = {}) {
        this.quantumArcsec = options.quantumArcsec ?? 1;
        this.maxEntries = options.maxEntries ?? 200_000;
    }
    /** Extra radius (arcsec) an entry must cover so any position with the same key is answered exactly. */
    get marginArcsec() {
        return this.quantumArcsec * Math.SQRT2 * (1 + 1e-9) + 1e-6;
    }
    /** Cache key of a lookup. */
    key(catalog, radiusArcsec, columns, raDeg, decDeg) {
        const q = this.quantumArcsec / 3600;
        const qra = Math.round(raDeg / q);
        const qdec = Math.round(decDeg / q);
        const cell = CELLS.pixelOf(Math.sin((decDeg * Math.PI) / 180), (raDeg * Math.PI) / 180);
        return `${catalog}|${radiusArcsec}|${columns.join(',')}|${cell}|${qra}|${qdec}`;
    }
    get(key) {
        const e = this.entries.get(key);
        if (e) {
            this.entries.delete(key);
            this.entries.set(key, e);
        }
        return e;
    }
    set(key, entry) {
        this.entries.set(key, entry);
        if (this.entries.size > this.maxEntries) {
            const oldest = this.entries.keys().next().value;
            if (oldest !== undefined) {
                this.entries.delete(oldest);
            }
        }
    }
    /** Fraction of lookups answered from the cache since creation (0 when none). */
    get hitRate() {
        const n = this.hits + this.misses;
        return n === 0 ? 0 : this.hits / n;
    }
    get size() {
        return this.entries.size;
    }
    clear() {
        this.entries.clear();
        this.hits = 0;
        this.misses = 0;
    }
}
