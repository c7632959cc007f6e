/** All-sky projections onto the plane (radians), RA increasing to the left as on the sky. */
export type ProjectionName = 'aitoff' | 'mollweide';

const DEG = Math.PI / 180;

/** Half extents of the projected sky in x and y. */
export function projectionExtent(name: ProjectionName): [number, number] {
  return name === 'aitoff' ? [Math.PI, Math.PI / 2] : [2 * Math.SQRT2, Math.SQRT2];
}

function wrapLon(raDeg: number, centreRaDeg: number): number {
  let lon = (raDeg - centreRaDeg) % 360;
  if (lon > 180) {
    lon -= 360;
  } else if (lon < -180) {
    lon += 360;
  }
  return -lon * DEG;
}

function aitoff(lon: number, lat: number, out: Float32Array | Float64Array, k: number): void {
  const cosLat = Math.cos(lat);
  const alpha = Math.acos(cosLat * Math.cos(lon / 2));
  const sinc = alpha < 1e-12 ? 1 : Math.sin(alpha) / alpha;
  out[k] = (2 * cosLat * Math.sin(lon / 2)) / sinc;
  out[k + 1] = Math.sin(lat) / sinc;
}

function mollweide(lon: number, lat: number, out: Float32Array | Float64Array, k: number): void {
  let theta = lat;
  const target = Math.PI * Math.sin(lat);
  if (Math.abs(Math.abs(lat) - Math.PI / 2) < 1e-9) {
    theta = lat;
  } else {
    for (let i = 0; i < 20; i++) {
      const f = 2 * theta + Math.sin(2 * theta) - target;
      const step = f / (2 + 2 * Math.cos(2 * theta));
      theta -= step;
      if (Math.abs(step) < 1e-10) {
        break;
      }
    }
  }
  out[k] = ((2 * Math.SQRT2) / Math.PI) * lon * Math.cos(theta);
  out[k + 1] = Math.SQRT2 * Math.sin(theta);
}

/**
 * Projects equatorial coordinates; returns interleaved-free x and y arrays (Float32, what WebGL
 * draws). Non-finite inputs give NaN (not drawn).
 */
export function project(
  name: ProjectionName,
  raDeg: ArrayLike<number>,
  decDeg: ArrayLike<number>,
  centreRaDeg = 0
): { x: Float32Array; y: Float32Array } {
  const n = raDeg.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const tmp = new Float64Array(2);
  const fn = name === 'aitoff' ? aitoff : mollweide;
  for (let i = 0; i < n; i++) {
    const ra = raDeg[i];
    const dec = decDeg[i];
    if (!Number.isFinite(ra) || !Number.isFinite(dec)) {
      x[i] = NaN;
      y[i] = NaN;
      continue;
    }
    fn(wrapLon(ra, centreRaDeg), dec * DEG, tmp, 0);
    x[i] = tmp[0];
    y[i] = tmp[1];
  }
  return { x, y };
}

/** Graticule lines (null-separated) every `stepDeg`, plus the outline of the sky. */
export function graticule(
  name: ProjectionName,
  stepDeg = 30,
  centreRaDeg = 0
): { x: (number | null)[]; y: (number | null)[] } {
  const xs: (number | null)[] = [];
  const ys: (number | null)[] = [];
  const line = (ra: number[], dec: number[]): void => {
    const p = project(name, ra, dec, centreRaDeg);
    p.x.forEach((v, i) => {
      xs.push(v);
      ys.push(p.y[i]);
    });
    xs.push(null);
    ys.push(null);
  };
  const range = (a: number, b: number, n: number): number[] =>
    Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  for (let dec = -90 + stepDeg; dec < 90; dec += stepDeg) {
    const ras = range(centreRaDeg - 179.999, centreRaDeg + 179.999, 72);
    line(
      ras,
      ras.map(() => dec)
    );
  }
  for (let lon = -180; lon <= 180; lon += stepDeg) {
    const decs = range(-90, 90, 60);
    const ra = centreRaDeg + (lon === 180 ? 179.999 : lon === -180 ? -179.999 : lon);
    line(
      decs.map(() => ra),
      decs
    );
  }
  return { x: xs, y: ys };
}
