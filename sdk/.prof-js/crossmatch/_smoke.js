import { CatalogStore, readMemoryCatalog } from '../catalog/index.js';
import { createMatcher, preloadCatalogs, ContextCache } from './index.js';
const store = await CatalogStore.open('/tmp/cm/test.duckdb');
const cat = await readMemoryCatalog(store, 'tycho2');
const n = 10000;
const ra = new Float64Array(n), dec = new Float64Array(n);
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
        const k = Math.floor(rnd() * cat.rows);
        const off = (rnd() * 3) / 3600, pa = rnd() * 2 * Math.PI;
        dec[i] = Math.max(-90, Math.min(90, cat.decDeg[k] + off * Math.cos(pa)));
        ra[i] = (cat.raDeg[k] + (off * Math.sin(pa)) / Math.cos((dec[i] * Math.PI) / 180) + 360) % 360;
    }
    else {
        ra[i] = rnd() * 360;
        dec[i] = (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    }
}
const sets = {};
for (const kind of ['memory-zones', 'healpix', 'duckdb-zones']) {
    const m = createMatcher(store, kind);
    await preloadCatalogs(m, ['tycho2']);
    const opts = { catalogs: [{ name: 'tycho2', radiusArcsec: 2, columns: ['mag'] }] };
    await m.match({ raDeg: ra, decDeg: dec }, opts);
    const reps = 5;
    const t0 = performance.now();
    let r;
    for (let k = 0; k < reps; k++)
        r = await m.matchWithStats({ raDeg: ra, decDeg: dec }, opts);
    const us = ((performance.now() - t0) / reps / n) * 1000;
    const t = r.table;
    const ar = t.getChild('alertRow').toArray(), id = t.getChild('catalogId').toArray();
    sets[kind] = Array.from(ar, (a, i) => `${a}:${id[i]}`).sort().join(',');
    console.log(kind, us.toFixed(3), 'us/alert', t.numRows, r.stats.perCatalog, t.schema.fields.map(f => `${f.name}:${f.type}`).join(' '));
    m.close();
}
console.log(sets['memory-zones'] === sets['healpix'], sets['memory-zones'] === sets['duckdb-zones']);
const cm = createMatcher(store, 'memory-zones', { cache: new ContextCache() });
const opts = { catalogs: [{ name: 'tycho2', radiusArcsec: 2, columns: ['mag'] }] };
await cm.match({ raDeg: ra, decDeg: dec }, opts);
const r2 = await cm.matchWithStats({ raDeg: ra, decDeg: dec }, opts);
const t = r2.table;
const ar = t.getChild('alertRow').toArray(), id = t.getChild('catalogId').toArray();
console.log('cache', r2.stats.cacheHitRate, Array.from(ar, (a, i) => `${a}:${id[i]}`).sort().join(',') === sets['memory-zones'], r2.stats.elapsedMs);
cm.close();
store.close();
