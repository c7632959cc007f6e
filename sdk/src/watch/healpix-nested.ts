/**
 * HEALPix in the NESTED scheme (Górski et al. 2005, ApJ 622, 759, sections 4–5): the pixel of a
 * position, a pixel's centre and corners. Orders 0..24 (nside up to 2^24), so that every pixel
 * index of an order stays an exact double (12·4^24 < 2^53). Written for alertlab's watchmaps.
 */

/** Highest order handled: 12·4^24 pixels still fit a double exactly. */
export const MAX_NESTED_ORDER = 24;

const HALF_PI = Math.PI / 2;
const DEG = Math.PI / 180;
/** Ring (in units of nside) and φ offset (in units of π/4) of each base face's southern corner. */
const JRLL = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
const JPLL = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

/** Bits of a 12-bit value spread to the even bits of a 24-bit value. */
const SPREAD = new Int32Array(4096);
for (let v = 0; v < 4096; v++) {
  let s = 0;
  for (let b = 0; b < 12; b++) {
    s |= ((v >> b) & 1) << (2 * b);
  }
  SPREAD[v] = s;
}
const TWO24 = 16777216;

/** Bit interleave of (ix, iy) < 2^24: ix in the even bits, iy in the odd bits (exact double). */
export function interleave(ix: number, iy: number): number {
  const lo = SPREAD[ix & 0xfff] | (SPREAD[iy & 0xfff] << 1);
  const hi = SPREAD[ix >>> 12] + 2 * SPREAD[iy >>> 12];
  return hi * TWO24 + (lo >>> 0);
}

/** Inverse of {@link interleave}. */
export function deinterleave(p: number): { ix: number; iy: number } {
  let ix = 0;
  let iy = 0;
  let rest = p;
  for (let b = 0; rest > 0 && b < 26; b++) {
    const two = rest % 4;
    ix += (two & 1) * 2 ** b;
    iy += (two >> 1) * 2 ** b;
    rest = Math.floor(rest / 4);
  }
  return { ix, iy };
}

function checkOrder(order: number): number {
  if (!Number.isInteger(order) || order < 0 || order > MAX_NESTED_ORDER) {
    throw new RangeError(`HEALPix order ${order} must be an integer in 0..${MAX_NESTED_ORDER}`);
  }
  return 2 ** order;
}

/**
 * The NESTED pixel at `order` holding (raDeg, decDeg). Polar caps use cos(dec) directly
 * (√(3(1 − |z|)) = cos δ·√(3/(1 + |z|))), so pixels next to the poles come out right.
 */
export function ang2pixNested(order: number, raDeg: number, decDeg: number): number {
  const nside = checkOrder(order);
  const dec = decDeg * DEG;
  const z = Math.sin(dec);
  const za = Math.abs(z);
  let ra = raDeg % 360;
  if (ra < 0) {
    ra += 360;
  }
  let tt = (ra * DEG) / HALF_PI; // in [0, 4)
  if (tt >= 4) {
    tt = 0;
  }
  let face: number;
  let ix: number;
  let iy: number;
  if (za <= 2 / 3) {
    const t1 = nside * (0.5 + tt);
    const t2 = nside * z * 0.75;
    // a point exactly on an edge goes to the pixel of higher iy, as in the CDS healpix library
    const jp = Math.ceil(t1 - t2) - 1;
    const jm = Math.floor(t1 + t2);
    const ifp = Math.floor(jp / nside);
    const ifm = Math.floor(jm / nside);
    face = ifp === ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8;
    ix = jm % nside;
    iy = nside - (jp % nside) - 1;
  } else {
    const ntt = Math.min(3, Math.floor(tt));
    const tp = tt - ntt;
    const tmp = nside * Math.cos(dec) * Math.sqrt(3 / (1 + za));
    const jp = Math.min(nside - 1, Math.floor(tp * tmp));
    const jm = Math.min(nside - 1, Math.floor((1 - tp) * tmp));
    if (z > 0) {
      face = ntt;
      ix = nside - jm - 1;
      iy = nside - jp - 1;
    } else {
      face = ntt + 8;
      ix = jp;
      iy = jm;
    }
  }
  return face * nside * nside + interleave(ix, iy);
}

/** (ra, dec) in degrees of a point given by face-local coordinates x, y in [0, 1]. */
function faceXyToRaDec(face: number, x: number, y: number): [number, number] {
  const jr = JRLL[face] - x - y;
  let nr: number;
  let z: number;
  if (jr < 1) {
    nr = jr;
    z = 1 - (nr * nr) / 3;
  } else if (jr > 3) {
    nr = 4 - jr;
    z = (nr * nr) / 3 - 1;
  } else {
    nr = 1;
    z = ((2 - jr) * 2) / 3;
  }
  let t = JPLL[face] * nr + x - y;
  if (t < 0) {
    t += 8;
  }
  if (t >= 8) {
    t -= 8;
  }
  const phi = nr < 1e-15 ? 0 : (0.5 * HALF_PI * t) / nr;
  return [phi / DEG, Math.asin(Math.max(-1, Math.min(1, z))) / DEG];
}

function faceAndXy(order: number, ipix: number): { face: number; ix: number; iy: number } {
  const nside = checkOrder(order);
  const npface = nside * nside;
  const face = Math.floor(ipix / npface);
  if (!(face >= 0 && face < 12) || !Number.isInteger(ipix)) {
    throw new RangeError(`HEALPix pixel ${ipix} does not exist at order ${order}`);
  }
  return { face, ...deinterleave(ipix - face * npface) };
}

/** Centre of a NESTED pixel, degrees. */
export function pixCentre(order: number, ipix: number): [number, number] {
  const nside = 2 ** order;
  const { face, ix, iy } = faceAndXy(order, ipix);
  return faceXyToRaDec(face, (ix + 0.5) / nside, (iy + 0.5) / nside);
}

/** The four corners of a NESTED pixel (N, W, S, E as in HEALPix), degrees. */
export function pixCorners(order: number, ipix: number): Array<[number, number]> {
  const nside = 2 ** order;
  const { face, ix, iy } = faceAndXy(order, ipix);
  return [
    [1, 1],
    [0, 1],
    [0, 0],
    [1, 0]
  ].map(([dx, dy]) => faceXyToRaDec(face, (ix + dx) / nside, (iy + dy) / nside));
}

/** Unit vector of (ra, dec) in degrees. */
export function unitVector(raDeg: number, decDeg: number): [number, number, number] {
  const ra = raDeg * DEG;
  const dec = decDeg * DEG;
  const c = Math.cos(dec);
  return [c * Math.cos(ra), c * Math.sin(ra), Math.sin(dec)];
}

/** Angular distance in degrees between two positions (haversine: exact at small separations). */
export function separationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s1 = Math.sin(((dec2 - dec1) * DEG) / 2);
  const s2 = Math.sin(((ra2 - ra1) * DEG) / 2);
  const h = s1 * s1 + Math.cos(dec1 * DEG) * Math.cos(dec2 * DEG) * s2 * s2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(h)))) / DEG;
}

/**
 * An upper bound (degrees) on the distance from a pixel's centre to any point of the pixel: the
 * farthest corner, plus a margin for edges that bulge past the corners' great circles.
 */
export function pixRadiusDeg(order: number, ipix: number): number {
  const [ra, dec] = pixCentre(order, ipix);
  let r = 0;
  for (const [cra, cdec] of pixCorners(order, ipix)) {
    r = Math.max(r, separationDeg(ra, dec, cra, cdec));
  }
  return r * 1.1 + 1e-9;
}
