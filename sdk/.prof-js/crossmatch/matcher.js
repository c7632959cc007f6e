import { takeColumn } from '../catalog/columns.js';
import { arcsecOfChord2 } from '../catalog/sky.js';
import { CrossmatchError } from '../errors.js';
import { prepareAlerts } from './alerts.js';
import { findPairsCached } from './cachedPairs.js';
import { buildOutputTable } from './output.js';
/** Largest radius accepted, arcsec (10°). */
export const MAX_RADIUS_ARCSEC = 36_000;
function validate(options) {
    if (!options.catalogs || options.catalogs.length === 0) {
        throw new CrossmatchError('Cross-match needs at least one catalog: pass catalogs: [{ name, radiusArcsec }].');
    }
    for (const c of options.catalogs) {
        if (!(c.radiusArcsec > 0 && c.radiusArcsec <= MAX_RADIUS_ARCSEC)) {
            throw new CrossmatchError(`Radius ${c.radiusArcsec}″ for catalog "${c.name}" is out of range: use 0 < radiusArcsec ≤ ${MAX_RADIUS_ARCSEC}.`, { context: { catalog: c.name, radiusArcsec: c.radiusArcsec } });
        }
    }
    const mode = options.mode ?? 'all';
    if (mode !== 'all' && mode !== 'nearest') {
        throw new CrossmatchError(`Match mode "${String(mode)}" is unknown: use 'all' or 'nearest'.`);
    }
}
function nearestOnly(p) {
    const keep = [];
    for (let i = 0; i < p.alertRow.length; i++) {
        if (i === 0 || p.alertRow[i] !== p.alertRow[i - 1]) {
            keep.push(i);
        }
    }
    const rows = Int32Array.from(keep);
    const columns = {};
    for (const [k, c] of Object.entries(p.columns)) {
        columns[k] = takeColumn(c, rows);
    }
    return {
        alertRow: Int32Array.from(keep, i => p.alertRow[i]),
        chord2: Float64Array.from(keep, i => p.chord2[i]),
        rowIdx: Int32Array.from(keep, i => p.rowIdx[i]),
        ids: takeColumn(p.ids, rows),
        columns
    };
}
/** A matcher built on a {@link PairEngine}. */
export class EngineMatcher {
    engine;
    options;
    kind;
    constructor(engine, options = {}) {
        this.engine = engine;
        this.options = options;
        this.kind = engine.kind;
    }
    /** The context cache, if any. */
    get cache() {
        return this.options.cache;
    }
    async match(alerts, options) {
        return (await this.matchWithStats(alerts, options)).table;
    }
    async matchWithStats(alerts, options) {
        const t0 = performance.now();
        validate(options);
        const prepared = prepareAlerts(alerts, options.maxSsDistArcsec ?? 5);
        const includeMoving = options.includeMovingObjects ?? false;
        const rows = [];
        let movingSkipped = 0;
        let invalidSkipped = 0;
        for (let i = 0; i < prepared.n; i++) {
            if (!prepared.valid[i]) {
                invalidSkipped++;
            }
            else if (prepared.moving[i] && !includeMoving) {
                movingSkipped++;
            }
            else {
                rows.push(i);
            }
        }
        const query = { ...prepared, rows: Int32Array.from(rows) };
        const stats = {
            matcher: this.kind,
            alerts: prepared.n,
            movingSkipped,
            invalidSkipped,
            queried: rows.length,
            pairs: 0,
            cacheHits: 0,
            cacheMisses: 0,
            cacheHitRate: 0,
            elapsedMs: 0,
            perCatalog: {}
        };
        const parts = [];
        const columnOrder = [];
        for (const req of options.catalogs) {
            const shape = await this.engine.shape(req.name);
            const columns = req.columns ?? [];
            for (const c of columns) {
                if (!columnOrder.includes(c)) {
                    columnOrder.push(c);
                }
            }
            let pairs;
            let hits = 0;
            let misses = 0;
            if (this.options.cache) {
                const r = await findPairsCached(this.engine, this.options.cache, query, shape, req.radiusArcsec, columns);
                ({ pairs, hits, misses } = r);
            }
            else {
                pairs = await this.engine.findPairs(query, req.name, req.radiusArcsec, columns, false);
            }
            if ((options.mode ?? 'all') === 'nearest') {
                pairs = nearestOnly(pairs);
            }
            const sepArcsec = Float64Array.from(pairs.chord2, arcsecOfChord2);
            let matched = 0;
            for (let i = 0; i < pairs.alertRow.length; i++) {
                if (i === 0 || pairs.alertRow[i] !== pairs.alertRow[i - 1]) {
                    matched++;
                }
            }
            stats.perCatalog[req.name] = { pairs: sepArcsec.length, matchedAlerts: matched, cacheHits: hits, cacheMisses: misses };
            stats.pairs += sepArcsec.length;
            stats.cacheHits += hits;
            stats.cacheMisses += misses;
            parts.push({ shape, alertRow: pairs.alertRow, sepArcsec, ids: pairs.ids, columns: pairs.columns });
        }
        const lookups = stats.cacheHits + stats.cacheMisses;
        stats.cacheHitRate = lookups === 0 ? 0 : stats.cacheHits / lookups;
        const table = buildOutputTable(parts, columnOrder);
        stats.elapsedMs = performance.now() - t0;
        return { table, stats };
    }
    close() {
        this.engine.close();
    }
}
