/**
 * Building MOCs from shapes: a cone or a polygon, by descending the HEALPix NESTED tree from the 12
 * base cells. A cell entirely inside is kept whole, one entirely outside dropped, one on the
 * boundary split, down to `depth` where it is kept (the result covers the shape: every point of
 * the shape is inside, plus at most one deepest cell's width beyond its edge).
 */
import { ConfigError } from '../errors.js';
import {
  MAX_NESTED_ORDER,
  pixCentre,
  pixRadiusDeg,
  separationDeg,
  unitVector
} from './healpix-nested.js';
import { Moc, type MocCell } from './moc.js';

type Where = 'in' | 'out' | 'edge';
/** Where a cell lies, from its centre (degrees) and a radius that bounds it. */
type Classify = (raDeg: number, decDeg: number, cellRadiusDeg: number) => Where;

function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_NESTED_ORDER) {
    throw new ConfigError(`MOC depth ${depth} must be an integer in 0..${MAX_NESTED_ORDER}.`);
  }
}

/** At most this many cells are kept (a guard against a depth far too fine for the shape). */
export const MAX_BUILD_CELLS = 5_000_000;

function cover(depth: number, classify: Classify): Moc {
  checkDepth(depth);
  const cells: MocCell[] = [];
  const stack: MocCell[] = [];
  for (let p = 11; p >= 0; p--) {
    stack.push({ order: 0, ipix: p });
  }
  while (stack.length > 0) {
    const c = stack.pop() as MocCell;
    const [ra, dec] = pixCentre(c.order, c.ipix);
    const where = classify(ra, dec, pixRadiusDeg(c.order, c.ipix));
    if (where === 'out') {
      continue;
    }
    if (where === 'in' || c.order === depth) {
      cells.push(c);
      if (cells.length > MAX_BUILD_CELLS) {
        throw new ConfigError(
          `MOC of more than ${MAX_BUILD_CELLS} cells at depth ${depth}: use a smaller depth.`
        );
      }
      continue;
    }
    for (let k = 3; k >= 0; k--) {
      stack.push({ order: c.order + 1, ipix: c.ipix * 4 + k });
    }
  }
  return Moc.fromCells(cells, depth);
}

/** A MOC covering the cone of `radiusDeg` around (raDeg, decDeg), cells down to `depth`. */
export function mocFromCone(raDeg: number, decDeg: number, radiusDeg: number, depth: number): Moc {
  if (!(radiusDeg > 0 && radiusDeg <= 180) || !(Math.abs(decDeg) <= 90)) {
    throw new ConfigError(
      `Cone (${raDeg}, ${decDeg}) of radius ${radiusDeg}° is not valid: use |dec| ≤ 90 and 0 < radius ≤ 180.`
    );
  }
  return cover(depth, (ra, dec, r) => {
    const d = separationDeg(raDeg, decDeg, ra, dec);
    return d > radiusDeg + r ? 'out' : d + r <= radiusDeg ? 'in' : 'edge';
  });
}

type Vec = [number, number, number];
const dot = (a: Vec, b: Vec): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec, b: Vec): Vec => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0]
];
const norm = (a: Vec): Vec => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
};
const angle = (a: Vec, b: Vec): number => Math.atan2(Math.hypot(...cross(a, b)), dot(a, b));

/** Distance (radians) from p to the great-circle arc a→b. */
function arcDistance(p: Vec, a: Vec, b: Vec): number {
  const n = norm(cross(a, b));
  const s = dot(p, n);
  const q: Vec = [p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2]];
  if (dot(cross(a, q), n) >= 0 && dot(cross(q, b), n) >= 0) {
    return Math.abs(Math.asin(Math.max(-1, Math.min(1, s))));
  }
  return Math.min(angle(p, a), angle(p, b));
}

/**
 * A MOC covering a spherical polygon (vertices in degrees, in order, edges along great circles,
 * the polygon smaller than a hemisphere), cells down to `depth`.
 */
export function mocFromPolygon(
  vertices: ReadonlyArray<readonly [number, number]>,
  depth: number
): Moc {
  if (vertices.length < 3) {
    throw new ConfigError('A polygon needs at least 3 vertices [[raDeg, decDeg], ...].');
  }
  const v = vertices.map(([ra, dec]) => unitVector(ra, dec));
  const centre = norm(v.reduce<Vec>((s, p) => [s[0] + p[0], s[1] + p[1], s[2] + p[2]], [0, 0, 0]));
  // gnomonic projection on the plane tangent at the centre: great circles become straight lines
  const east = norm(
    Math.abs(centre[2]) < 0.9 ? cross([0, 0, 1], centre) : cross([1, 0, 0], centre)
  );
  const north = cross(centre, east);
  if (v.some(p => dot(p, centre) <= 1e-6)) {
    throw new ConfigError(
      'The polygon must fit within a hemisphere (vertices < 90° from its centre).'
    );
  }
  const plane = (p: Vec): [number, number] => {
    const d = dot(p, centre);
    return [dot(p, east) / d, dot(p, north) / d];
  };
  const poly = v.map(plane);
  const inside = (p: Vec): boolean => {
    if (dot(p, centre) <= 0) {
      return false;
    }
    const [x, y] = plane(p);
    let odd = false;
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const [xi, yi] = poly[i];
      const [xj, yj] = poly[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
        odd = !odd;
      }
    }
    return odd;
  };
  return cover(depth, (ra, dec, r) => {
    const p = unitVector(ra, dec);
    let d = Infinity;
    for (let i = 0; i < v.length; i++) {
      d = Math.min(d, arcDistance(p, v[i], v[(i + 1) % v.length]));
    }
    if ((d * 180) / Math.PI <= r) {
      return 'edge';
    }
    return inside(p) ? 'in' : 'out';
  });
}

/** A MOC of HEALPix NESTED cells given as pixel indices at one order. */
export function mocFromHealpix(order: number, ipix: Iterable<number>): Moc {
  checkDepth(order);
  return Moc.fromCells(
    [...ipix].map(p => ({ order, ipix: p })),
    order
  );
}
