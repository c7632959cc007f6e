/**
 * The real catalogs the simulator places sources on: stars (Hipparcos, Tycho-2) for variables,
 * galaxies (d3-celestial deep-sky objects of a galaxy type) as transient hosts. Read once from the
 * built-in catalog packages (the same data `alertlab catalog load <name>` stores), indexed by Dec
 * for cone queries.
 */
import { BUILTIN_CATALOGS, isBuiltinCatalog, type ColumnarCatalog } from '../catalog/index.js';
import { SimulationError } from '../errors.js';
import { separationDeg } from './sky.js';

/** d3-celestial dso types that are single galaxies (not `gg`, groups and clusters). */
export const GALAXY_TYPES: ReadonlySet<string> = new Set(['g', 's', 's0', 'sd', 'e', 'i']);

/** Points sorted by Dec, for cone queries. */
export class ConeIndex {
  private readonly order: Int32Array;
  private readonly sortedDec: Float64Array;

  constructor(
    readonly raDeg: Float64Array,
    readonly decDeg: Float64Array
  ) {
    const order = Int32Array.from({ length: decDeg.length }, (_, i) => i);
    order.sort((a, b) => decDeg[a] - decDeg[b] || a - b);
    this.order = order;
    this.sortedDec = Float64Array.from(order, i => decDeg[i]);
  }

  private lowerBound(dec: number): number {
    let lo = 0;
    let hi = this.sortedDec.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sortedDec[mid] < dec) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Rows within `radiusDeg` of (ra, dec), in ascending row order. */
  within(raDeg: number, decDeg: number, radiusDeg: number): number[] {
    const out: number[] = [];
    const end = this.lowerBound(decDeg + radiusDeg + 1e-9);
    for (let k = this.lowerBound(decDeg - radiusDeg - 1e-9); k < end; k++) {
      const i = this.order[k];
      if (separationDeg(raDeg, decDeg, this.raDeg[i], this.decDeg[i]) <= radiusDeg) {
        out.push(i);
      }
    }
    return out.sort((a, b) => a - b);
  }
}

/** Catalog rows the simulator uses, in columns. */
export interface SimCatalog {
  /** Built-in catalog name of each row's source (index into `names`). */
  source: Uint8Array;
  names: string[];
  /** The catalog's own id of each row, as a string. */
  ids: string[];
  raDeg: Float64Array;
  decDeg: Float64Array;
  /** V (Hipparcos), VT (Tycho-2) or the galaxy's magnitude; NaN when unknown. */
  mag: Float64Array;
  /** B−V for stars (NaN when unknown); galaxies: major axis in arcsec (NaN when unknown). */
  extra: Float64Array;
  index: ConeIndex;
}

function numbers(c: ColumnarCatalog, name: string, rows: number[]): Float64Array {
  const col = c.columns[name];
  const out = new Float64Array(rows.length).fill(NaN);
  if (col && col.kind === 'double') {
    rows.forEach((r, i) => {
      out[i] = col.valid && col.valid[r] === 0 ? NaN : col.values[r];
    });
  }
  return out;
}

function majorAxisArcsec(dim: string | null): number {
  const first = dim ? Number.parseFloat(dim) : NaN;
  return Number.isFinite(first) ? first * 60 : NaN;
}

function join(
  parts: { name: string; c: ColumnarCatalog; rows: number[]; extra: Float64Array }[]
): SimCatalog {
  const n = parts.reduce((s, p) => s + p.rows.length, 0);
  const out = {
    source: new Uint8Array(n),
    names: parts.map(p => p.name),
    ids: new Array<string>(n),
    raDeg: new Float64Array(n),
    decDeg: new Float64Array(n),
    mag: new Float64Array(n),
    extra: new Float64Array(n)
  };
  let at = 0;
  parts.forEach((p, k) => {
    const mag = numbers(p.c, 'mag', p.rows);
    p.rows.forEach((r, i) => {
      out.source[at] = k;
      out.ids[at] = String(p.c.ids[r]);
      out.raDeg[at] = p.c.raDeg[r];
      out.decDeg[at] = p.c.decDeg[r];
      out.mag[at] = mag[i];
      out.extra[at] = p.extra[i];
      at++;
    });
  });
  return { ...out, index: new ConeIndex(out.raDeg, out.decDeg) };
}

/** Stars from several catalogs (all rows), in one table. */
export function starTable(catalogs: Record<string, ColumnarCatalog>): SimCatalog {
  return join(
    Object.entries(catalogs).map(([name, c]) => {
      const rows = Array.from({ length: c.raDeg.length }, (_, i) => i);
      return { name, c, rows, extra: numbers(c, 'bv', rows) };
    })
  );
}

/**
 * The galaxies (GALAXY_TYPES rows) of a dso catalog, or with `allTypes` every deep-sky object
 * (what bogus detections keep away from).
 */
export function galaxyTable(name: string, c: ColumnarCatalog, allTypes = false): SimCatalog {
  const type = c.columns.type;
  const dim = c.columns.dim;
  if (!type || type.kind !== 'string') {
    throw new SimulationError(
      `Catalog "${name}" has no "type" column, so its galaxies cannot be told apart. Use the built-in "dso" catalog.`,
      { context: { catalog: name } }
    );
  }
  const rows: number[] = [];
  type.values.forEach((t, i) => {
    if (allTypes || (t !== null && GALAXY_TYPES.has(t))) {
      rows.push(i);
    }
  });
  const extra = Float64Array.from(rows, r =>
    dim && dim.kind === 'string' ? majorAxisArcsec(dim.values[r]) : NaN
  );
  return join([{ name, c, rows, extra }]);
}

/** The catalogs a simulation uses. */
export interface SimCatalogs {
  stars: SimCatalog;
  galaxies: SimCatalog;
  /** Every deep-sky object of the galaxy catalog (galaxies, clusters, nebulae). */
  deepSky: SimCatalog;
}

async function readBuiltin(name: string): Promise<ColumnarCatalog> {
  if (!isBuiltinCatalog(name)) {
    throw new SimulationError(
      `"${name}" is not a built-in catalog. Use one of: ${Object.keys(BUILTIN_CATALOGS).join(', ')}.`,
      { context: { catalog: name } }
    );
  }
  return BUILTIN_CATALOGS[name].read();
}

/** Reads the built-in star catalogs and the galaxy catalog. */
export async function loadSimCatalogs(
  starCatalogs: string[],
  galaxyCatalog: string
): Promise<SimCatalogs> {
  const stars: Record<string, ColumnarCatalog> = {};
  for (const name of starCatalogs) {
    stars[name] = await readBuiltin(name);
  }
  const dso = await readBuiltin(galaxyCatalog);
  return {
    stars: starTable(stars),
    galaxies: galaxyTable(galaxyCatalog, dso),
    deepSky: galaxyTable(galaxyCatalog, dso, true)
  };
}
