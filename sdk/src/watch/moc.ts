/**
 * IVOA MOC (Multi-Order Coverage map, MOC 2.0, space only): a sky region as HEALPix NESTED cells
 * of several orders, held here as sorted, disjoint [start, end) ranges of pixels at the map's
 * deepest order. Membership of a position is one ang2pix and one binary search. JSON form
 * (`{"<order>": [ipix, ...]}`) in and out; FITS (a binary table of NUNIQ) in moc-fits.ts.
 */
import { ConfigError } from '../errors.js';
import { MAX_NESTED_ORDER, ang2pixNested } from './healpix-nested.js';

/** One HEALPix cell: an order and a NESTED pixel index at that order. */
export interface MocCell {
  order: number;
  ipix: number;
}

export class Moc {
  /** ranges[2k] .. ranges[2k + 1] − 1 are covered pixels at `depth`; sorted, disjoint, merged. */
  private constructor(
    readonly depth: number,
    readonly ranges: Float64Array
  ) {}

  /** A MOC of the given cells; `depth` defaults to the deepest cell's order. */
  static fromCells(cells: Iterable<MocCell>, depth?: number): Moc {
    const list = [...cells];
    const d = depth ?? list.reduce((m, c) => Math.max(m, c.order), 0);
    if (!Number.isInteger(d) || d < 0 || d > MAX_NESTED_ORDER) {
      throw new ConfigError(
        `MOC depth ${d} is out of range: alertlab reads MOCs up to order ${MAX_NESTED_ORDER} (0.013″ cells).`,
        { context: { depth: d } }
      );
    }
    const pairs: Array<[number, number]> = [];
    for (const { order, ipix } of list) {
      if (!Number.isInteger(order) || order < 0 || order > d) {
        throw new ConfigError(`MOC cell order ${order} is outside 0..${d}.`, {
          context: { order, ipix }
        });
      }
      const max = 12 * 4 ** order;
      if (!Number.isInteger(ipix) || ipix < 0 || ipix >= max) {
        throw new ConfigError(
          `MOC cell ${ipix} does not exist at order ${order} (0..${max - 1}).`,
          {
            context: { order, ipix }
          }
        );
      }
      const scale = 4 ** (d - order);
      pairs.push([ipix * scale, (ipix + 1) * scale]);
    }
    return new Moc(d, mergeRanges(pairs));
  }

  /** A MOC of [start, end) pixel ranges at `depth`. */
  static fromRanges(depth: number, pairs: Array<[number, number]>): Moc {
    const max = 12 * 4 ** depth;
    if (pairs.some(([a, b]) => !(a >= 0 && b <= max && a <= b))) {
      throw new ConfigError(`MOC ranges fall outside the ${max} pixels of order ${depth}.`);
    }
    return new Moc(depth, mergeRanges(pairs.filter(([a, b]) => a < b)));
  }

  /** A MOC from its IVOA JSON form, `{"order": [ipix, ...], ...}` (an empty list may set the depth). */
  static fromJSON(json: unknown): Moc {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ConfigError('A MOC in JSON is an object {"<order>": [ipix, ...]}.');
    }
    const cells: MocCell[] = [];
    let depth = 0;
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      const order = Number(key);
      if (!/^\d+$/.test(key) || !Array.isArray(value)) {
        throw new ConfigError(
          `MOC JSON key "${key}" is not an order with a list of cells; use {"<order>": [ipix, ...]}.`
        );
      }
      depth = Math.max(depth, order);
      for (const ipix of value) {
        cells.push({ order, ipix: Number(ipix) });
      }
    }
    return Moc.fromCells(cells, depth);
  }

  /** True when the position (degrees) lies in a covered cell. */
  contains(raDeg: number, decDeg: number): boolean {
    if (!Number.isFinite(raDeg) || !Number.isFinite(decDeg) || Math.abs(decDeg) > 90) {
      return false;
    }
    return this.containsPixel(ang2pixNested(this.depth, raDeg, decDeg));
  }

  /** Membership of many positions at once (1 = inside). */
  containsMany(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>): Uint8Array {
    const out = new Uint8Array(raDeg.length);
    for (let i = 0; i < raDeg.length; i++) {
      out[i] = this.contains(raDeg[i], decDeg[i]) ? 1 : 0;
    }
    return out;
  }

  /** True when pixel `ipix` at this MOC's depth is covered. */
  containsPixel(ipix: number): boolean {
    const r = this.ranges;
    let lo = 0;
    let hi = r.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[2 * mid + 1] <= ipix) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < r.length >> 1 && r[2 * lo] <= ipix;
  }

  /** Covered fraction of the sphere. */
  skyFraction(): number {
    let n = 0;
    for (let k = 0; k < this.ranges.length; k += 2) {
      n += this.ranges[k + 1] - this.ranges[k];
    }
    return n / (12 * 4 ** this.depth);
  }

  /** The fewest cells that cover exactly the same pixels (each range cut into aligned blocks). */
  cells(): MocCell[] {
    const out: MocCell[] = [];
    for (let k = 0; k < this.ranges.length; k += 2) {
      let a = this.ranges[k];
      const b = this.ranges[k + 1];
      while (a < b) {
        // the largest aligned block starting at a that fits in [a, b)
        let order = this.depth;
        let size = 1;
        while (order > 0 && a % (size * 4) === 0 && a + size * 4 <= b) {
          size *= 4;
          order--;
        }
        out.push({ order, ipix: a / size });
        a += size;
      }
    }
    return out;
  }

  /** The IVOA JSON form: cells grouped by order, the depth present as a key. */
  toJSON(): Record<string, number[]> {
    const json: Record<string, number[]> = {};
    for (const c of this.cells()) {
      (json[String(c.order)] ??= []).push(c.ipix);
    }
    json[String(this.depth)] ??= [];
    for (const v of Object.values(json)) {
      v.sort((a, b) => a - b);
    }
    return json;
  }
}

/** Sorts and merges [start, end) pairs into a flat Float64Array. */
export function mergeRanges(pairs: Array<[number, number]>): Float64Array {
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [a, b] of pairs) {
    const n = out.length;
    if (n > 0 && a <= out[n - 1]) {
      out[n - 1] = Math.max(out[n - 1], b);
    } else {
      out.push(a, b);
    }
  }
  return Float64Array.from(out);
}
