/**
 * Spherical geometry shared by the catalog store and the matchers: unit vectors, zone ids, the
 * exact RA half-width alpha(r, dec) of a circle, and the chord threshold of a radius.
 */
export const DEG = Math.PI / 180;
export const ARCSEC = DEG / 3600;
/**
 * Default zone height in degrees: 1 arcminute.
 *
 * Why: cross-match radii for alerts are 1–10″. With h = 60″ a 2″ circle touches one zone 93% of the
 * time (two otherwise), so an alert makes 1–2 probes. A zone holds N·h/180° rows (363k-star
 * Tycho-2: ~34 rows; 1.87M: ~170), which bounds the rows DuckDB's equality hash join on `zone`
 * hands to the RA filter, and keeps the in-memory binary search to ~5–8 steps. Smaller zones only
 * add probes for larger radii (a 1° cone touches 121 zones, still cheap); much larger zones make the
 * DuckDB join scan hundreds of rows per probe. Override per catalog with `zoneHeightDeg`.
 */
export const DEFAULT_ZONE_HEIGHT_DEG = 1 / 60;
/** Tiny widening (degrees, ~4 µas) of zone and RA windows so float rounding never drops a pair. */
export const WINDOW_PAD_DEG = 1e-9;
/** Zone id of a declination: floor((dec + 90) / h). */
export function zoneOf(decDeg, zoneHeightDeg) {
    return Math.floor((decDeg + 90) / zoneHeightDeg);
}
/** Largest zone id for a zone height (the zone that holds dec = +90). */
export function maxZone(zoneHeightDeg) {
    return zoneOf(90, zoneHeightDeg);
}
/**
 * Exact half-width in RA (degrees) of a circle of radius `radiusDeg` centred at `decDeg`; 180 (the
 * whole circle) when |dec| + r reaches a pole.
 */
export function alphaDeg(radiusDeg, decDeg) {
    if (Math.abs(decDeg) + radiusDeg >= 89.999999999) {
        return 180;
    }
    const r = radiusDeg * DEG;
    const d = decDeg * DEG;
    const y = Math.sin(r);
    const x = Math.sqrt(Math.abs(Math.cos(d - r) * Math.cos(d + r)));
    return Math.min(180, Math.atan2(y, x) / DEG);
}
/** Squared chord length of an angle: 4·sin²(r/2). Pairs with chord² ≤ this are within r. */
export function chord2OfRadiusArcsec(radiusArcsec) {
    const s = Math.sin((radiusArcsec * ARCSEC) / 2);
    return 4 * s * s;
}
/** Angle in arcseconds of a squared chord: 2·asin(chord/2). */
export function arcsecOfChord2(chord2) {
    return (2 * Math.asin(Math.min(1, Math.sqrt(chord2) / 2))) / ARCSEC;
}
/** RA folded into [0, 360). */
export function normalizeRaDeg(raDeg) {
    const r = raDeg % 360;
    return r < 0 ? r + 360 : r;
}
/** Unit vectors of RA/Dec arrays (degrees), written into x, y, z. */
export function unitVectors(raDeg, decDeg, x, y, z) {
    for (let i = 0; i < raDeg.length; i++) {
        const ra = raDeg[i] * DEG;
        const dec = decDeg[i] * DEG;
        const c = Math.cos(dec);
        x[i] = c * Math.cos(ra);
        y[i] = c * Math.sin(ra);
        z[i] = Math.sin(dec);
    }
}
/** RA/Dec in degrees of a (not necessarily unit) vector. */
export function raDecOfVector(x, y, z) {
    const n = Math.sqrt(x * x + y * y + z * z);
    const raDeg = normalizeRaDeg(Math.atan2(y, x) / DEG);
    const decDeg = Math.asin(Math.max(-1, Math.min(1, z / n))) / DEG;
    return { raDeg, decDeg };
}
