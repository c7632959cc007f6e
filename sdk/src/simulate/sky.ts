/** Sphere geometry for the simulator: separations, offsets, frames (ICRS → ecliptic, galactic). */

export const DEG = Math.PI / 180;
export const ARCSEC_DEG = 1 / 3600;

/** Angular separation in degrees (haversine, good at tiny angles). */
export function separationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const sd = Math.sin(((dec2 - dec1) * DEG) / 2);
  const sr = Math.sin(((ra2 - ra1) * DEG) / 2);
  const h = sd * sd + Math.cos(dec1 * DEG) * Math.cos(dec2 * DEG) * sr * sr;
  return (2 * Math.asin(Math.min(1, Math.sqrt(h)))) / DEG;
}

/** RA in [0, 360). */
export function wrapRaDeg(ra: number): number {
  const r = ra % 360;
  return r < 0 ? r + 360 : r;
}

/**
 * The point `distanceDeg` from (ra, dec) along position angle `paDeg` (east of north), on a great
 * circle.
 */
export function offsetDeg(
  raDeg: number,
  decDeg: number,
  paDeg: number,
  distanceDeg: number
): { raDeg: number; decDeg: number } {
  const d = distanceDeg * DEG;
  const pa = paDeg * DEG;
  const dec = decDeg * DEG;
  const sinDec2 = Math.sin(dec) * Math.cos(d) + Math.cos(dec) * Math.sin(d) * Math.cos(pa);
  const dec2 = Math.asin(Math.max(-1, Math.min(1, sinDec2)));
  const y = Math.sin(pa) * Math.sin(d) * Math.cos(dec);
  const x = Math.cos(d) - Math.sin(dec) * sinDec2;
  return { raDeg: wrapRaDeg(raDeg + Math.atan2(y, x) / DEG), decDeg: dec2 / DEG };
}

/** Gnomonic (tangent-plane) offsets of (ra, dec) from a centre, in degrees (x east, y north). */
export function tangentPlaneDeg(
  raDeg: number,
  decDeg: number,
  ra0Deg: number,
  dec0Deg: number
): { x: number; y: number } {
  const dra = (raDeg - ra0Deg) * DEG;
  const dec = decDeg * DEG;
  const dec0 = dec0Deg * DEG;
  const cosc = Math.sin(dec0) * Math.sin(dec) + Math.cos(dec0) * Math.cos(dec) * Math.cos(dra);
  const x = (Math.cos(dec) * Math.sin(dra)) / cosc;
  const y =
    (Math.cos(dec0) * Math.sin(dec) - Math.sin(dec0) * Math.cos(dec) * Math.cos(dra)) / cosc;
  return { x: x / DEG, y: y / DEG };
}

/** A uniformly random point within `radiusDeg` of a centre, from two uniforms in [0, 1). */
export function pointInCap(
  raDeg: number,
  decDeg: number,
  radiusDeg: number,
  u1: number,
  u2: number
): { raDeg: number; decDeg: number } {
  const cosR = Math.cos(radiusDeg * DEG);
  const distance = Math.acos(1 - u1 * (1 - cosR)) / DEG;
  return offsetDeg(raDeg, decDeg, u2 * 360, distance);
}

function rotate(m: readonly number[], raDeg: number, decDeg: number): [number, number] {
  const ra = raDeg * DEG;
  const dec = decDeg * DEG;
  const v = [Math.cos(dec) * Math.cos(ra), Math.cos(dec) * Math.sin(ra), Math.sin(dec)];
  const x = m[0] * v[0] + m[1] * v[1] + m[2] * v[2];
  const y = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
  const z = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
  return [wrapRaDeg(Math.atan2(y, x) / DEG), Math.asin(Math.max(-1, Math.min(1, z))) / DEG];
}

const OBLIQUITY = 23.4392911 * DEG;
const TO_ECLIPTIC = [
  1,
  0,
  0,
  0,
  Math.cos(OBLIQUITY),
  Math.sin(OBLIQUITY),
  0,
  -Math.sin(OBLIQUITY),
  Math.cos(OBLIQUITY)
];
/** ICRS → galactic rotation (the J2000 matrix of the Hipparcos introduction). */
const TO_GALACTIC = [
  -0.0548755604, -0.8734370902, -0.4838350155, 0.4941094279, -0.44482963, 0.7469822445,
  -0.867666149, -0.1980763734, 0.4559837762
];

/** Mean ecliptic (J2000) longitude and latitude, degrees. */
export function eclipticDeg(raDeg: number, decDeg: number): [number, number] {
  return rotate(TO_ECLIPTIC, raDeg, decDeg);
}

/** Galactic longitude and latitude, degrees. */
export function galacticDeg(raDeg: number, decDeg: number): [number, number] {
  return rotate(TO_GALACTIC, raDeg, decDeg);
}
