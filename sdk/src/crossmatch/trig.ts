/**
 * Unit vectors of alert positions without Math.sin/Math.cos: the angle is split exactly into a
 * whole number of degrees k = round(angle) and a remainder f = angle − k (exact by Sterbenz's
 * lemma, |f| ≤ 0.5°); sin and cos of k° come from a table, those of f from short Taylor series
 * (to f⁵/5! and f⁶/6!: the next terms are below 1e-18), and
 * sin(k + f) = sin k + (cos k · sin f + sin k · (cos f − 1)), the small correction added last.
 * Agrees with Math.sin/Math.cos to a few ulps (< 6e-16, checked by the tests); measured ~2.5×
 * faster per vector than the previous quadrant-and-long-series form, itself faster than Math.
 * Also a series for the separation of a small chord (asin is the other per-pair transcendental).
 */

const RAD_PER_DEG = Math.PI / 180;

/** Table offset: entry k + TAB_OFFSET holds sin/cos of k degrees, k in [−90, 360]. */
const TAB_OFFSET = 90;

/**
 * sin and cos of whole degrees −90 … 360: Math.sin/Math.cos only on [0°, 45°] (so the argument
 * k·π/180 carries at most ~1e-16 of rounding), the rest by the exact symmetries of the circle
 * (values at multiples of 90° exactly 0 and ±1).
 */
function degreeTable(): { sin: Float64Array; cos: Float64Array } {
  const base = new Float64Array(91); // sin k°, k = 0 … 90
  for (let k = 0; k <= 90; k++) {
    base[k] = k <= 45 ? Math.sin(k * RAD_PER_DEG) : Math.cos((90 - k) * RAD_PER_DEG);
  }
  const sinOf = (k: number): number => {
    const m = ((k % 360) + 360) % 360;
    const q = Math.floor(m / 90);
    const r = m - 90 * q;
    return q === 0 ? base[r] : q === 1 ? base[90 - r] : q === 2 ? -base[r] : -base[90 - r];
  };
  const sin = new Float64Array(TAB_OFFSET + 361);
  const cos = new Float64Array(TAB_OFFSET + 361);
  for (let k = -TAB_OFFSET; k <= 360; k++) {
    sin[k + TAB_OFFSET] = sinOf(k);
    cos[k + TAB_OFFSET] = sinOf(k + 90);
  }
  return { sin, cos };
}

const { sin: SIN_DEG, cos: COS_DEG } = degreeTable();

/**
 * Unit vectors of (raDeg[i], decDeg[i]) in degrees into x[i], y[i], z[i] for i < n where `need`
 * is unset or need[i] ≠ 0. RA in [0, 360) and Dec in [−90, 90] take the fast path; anything else
 * falls back to Math.sin/Math.cos. One loop with the arithmetic inline: a per-vector call that
 * is not inlined (this body is too large for that) boxes its two double arguments.
 */
function vectorsInto(
  raDeg: Float64Array,
  decDeg: Float64Array,
  x: Float64Array,
  y: Float64Array,
  z: Float64Array,
  need: Uint8Array | undefined,
  n: number
): void {
  for (let i = 0; i < n; i++) {
    if (need !== undefined && need[i] === 0) {
      continue;
    }
    const ra = raDeg[i];
    const dec = decDeg[i];
    if (ra >= 0 && ra < 360 && dec >= -90 && dec <= 90) {
      const ka = Math.round(ra);
      const kd = Math.round(dec);
      const fa = (ra - ka) * RAD_PER_DEG;
      const fd = (dec - kd) * RAD_PER_DEG;
      const a2 = fa * fa;
      const d2 = fd * fd;
      // sin f and cos f − 1 for |f| ≤ π/360 (f⁷/7! < 8e-19 left out; f⁶/6! ≈ 6e-16 kept)
      const sfa = fa + fa * a2 * (-1 / 6 + a2 / 120);
      const cfa = -a2 * (1 / 2 - a2 * (1 / 24 - a2 / 720));
      const sfd = fd + fd * d2 * (-1 / 6 + d2 / 120);
      const cfd = -d2 * (1 / 2 - d2 * (1 / 24 - d2 / 720));
      const ia = ka + TAB_OFFSET;
      const id = kd + TAB_OFFSET;
      const sk = SIN_DEG[ia];
      const ck = COS_DEG[ia];
      const sdk = SIN_DEG[id];
      const cdk = COS_DEG[id];
      const cd = cdk + (cfd * cdk - sdk * sfd);
      x[i] = cd * (ck + (cfa * ck - sk * sfa));
      y[i] = cd * (sk + (ck * sfa + sk * cfa));
      z[i] = sdk + (cdk * sfd + sdk * cfd);
    } else {
      const r = ra * RAD_PER_DEG;
      const d = dec * RAD_PER_DEG;
      const c = Math.cos(d);
      x[i] = c * Math.cos(r);
      y[i] = c * Math.sin(r);
      z[i] = Math.sin(d);
    }
  }
}

/** Unit vectors of RA/Dec arrays (degrees) into x, y, z (the first `n` rows); see vectorsInto. */
export function unitVectorsFast(
  raDeg: Float64Array,
  decDeg: Float64Array,
  x: Float64Array,
  y: Float64Array,
  z: Float64Array,
  n = raDeg.length
): void {
  vectorsInto(raDeg, decDeg, x, y, z, undefined, n);
}

/** Unit vectors (see vectorsInto) of the first `n` rows where need[i] is set; others untouched. */
export function unitVectorsWhere(
  raDeg: Float64Array,
  decDeg: Float64Array,
  x: Float64Array,
  y: Float64Array,
  z: Float64Array,
  need: Uint8Array,
  n: number
): void {
  vectorsInto(raDeg, decDeg, x, y, z, need, n);
}

/** One arcsecond in radians (as catalog/sky.ts's ARCSEC: the result is divided by it, likewise). */
const ARCSEC_RAD = Math.PI / 180 / 3600;

/**
 * Separation in arcsec of a squared chord, 2·asin(√chord² / 2), with asin from its series
 * x + x³/6 + 3x⁵/40 + 5x⁷/112 when x = chord/2 < 1e-3 (about 6.9′; the next term is below 1e-22
 * relative), Math.asin otherwise.
 */
export function arcsecOfChord2Fast(chord2: number): number {
  const x = Math.sqrt(chord2) / 2;
  if (x < 1e-3) {
    const x2 = x * x;
    return (2 * (x + x * x2 * (1 / 6 + x2 * (3 / 40 + x2 * (5 / 112))))) / ARCSEC_RAD;
  }
  return (2 * Math.asin(Math.min(1, x))) / ARCSEC_RAD;
}
