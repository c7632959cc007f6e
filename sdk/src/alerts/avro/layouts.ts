/**
 * Learned byte layouts for runs of skipped fields inside array items (Rubin history rows). Read
 * one by one, each skipped field's position depends on the union byte or varint before it: a
 * serial chain of ~100 loads per history row. Rows of one history mostly repeat a few layouts
 * (same null pattern, same varint and string lengths), so a run is first checked against up to
 * `LAYOUTS_PER_RUN` layouts learned from earlier rows, compiled in as constants: every byte that
 * decides a width (union bytes, varint continuation bits, string lengths) is checked at its fixed
 * offset, a few 32-bit words at a time, all independent of one another. When one matches, the run
 * is skipped in one step; else it is read field by field (and sometimes sampled, to learn from).
 * Either way the position after the run is the same: if every width-deciding byte is where and
 * what the layout says, every field has the layout's width.
 */
import type { AvroType } from './schema.js';

/** Layouts tried per run before the field-by-field skip. */
export const LAYOUTS_PER_RUN = 4;
/**
 * At most this many consecutive skipped fields form one run. Longer runs need fewer checks per row
 * but show more distinct layouts; on the real Rubin rows whole runs (up to 46 fields) measured
 * ~8 % faster than runs of 8, with 4 layouts covering 98 % of rows.
 */
export const RUN_FIELDS = 64;
/**
 * Runs of an array nobody reads (every field skipped: no kept field splits them) are cut at this
 * many fields: realistic prvDiaSources rows as one run of 64 fields and one of 34 showed a new
 * set of 4 layouts every batch (each a recompile, ~30 % of rows missing all of them); in runs of
 * 16 the layouts stay, ~22 against ~30 µs per alert skipping both history arrays field by field.
 */
export const SKIPPED_RUN_FIELDS = 16;
/** Layouts longer than this (bytes) are not learned. */
const MAX_LAYOUT_BYTES = 512;

/** What a run's bytes must be: per byte a mask of the bits that matter and their value. */
export interface Layout {
  key: string;
  length: number;
  mask: Uint8Array;
  value: Uint8Array;
}

/** True when every value of `t` can be traced byte by byte (no arrays or maps). */
export function traceable(t: AvroType): boolean {
  switch (t.kind) {
    case 'array':
    case 'map':
      return false;
    case 'record':
      return t.fields.every(f => traceable(f.type));
    case 'union':
      return t.branches.length <= 63 && t.branches.every(traceable);
    default:
      return true;
  }
}

class Tracer {
  mask: number[] = [];
  value: number[] = [];
  constructor(
    private readonly b: Uint8Array,
    public p: number,
    private readonly end: number
  ) {}

  /**
   * Records a varint; `exact` pins every byte (lengths, union indexes), else only its length.
   * Returns its value, or NaN when it runs past the end or over 10 bytes.
   */
  varint(exact: boolean): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.p >= this.end) {
        return NaN;
      }
      const byte = this.b[this.p++];
      this.mask.push(exact ? 0xff : 0x80);
      this.value.push(exact ? byte : byte & 0x80);
      v += (byte & 0x7f) * mul;
      mul *= 128;
      if (byte < 128) {
        return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
      }
    }
    return NaN;
  }

  free(n: number): boolean {
    if (!(n >= 0) || this.p + n > this.end) {
      return false;
    }
    for (let i = 0; i < n; i++) {
      this.mask.push(0);
      this.value.push(0);
    }
    this.p += n;
    return true;
  }

  type(t: AvroType): boolean {
    switch (t.kind) {
      case 'null':
        return true;
      case 'boolean':
        return this.free(1);
      case 'int':
      case 'long':
      case 'enum':
        return !Number.isNaN(this.varint(false));
      case 'float':
        return this.free(4);
      case 'double':
        return this.free(8);
      case 'fixed':
        return this.free(t.size);
      case 'string':
      case 'bytes':
        return this.free(this.varint(true));
      case 'union': {
        // generated readers take a union index (< 64 branches) as exactly one byte
        if (this.p >= this.end || this.b[this.p] > 127) {
          return false;
        }
        const i = this.varint(true);
        return i >= 0 && i < t.branches.length && this.type(t.branches[i]);
      }
      case 'record':
        return t.fields.every(f => this.type(f.type));
      default:
        return false;
    }
  }
}

/** The layout of the values of `types` at `p` in `b`, or undefined if it cannot be learned. */
export function traceLayout(
  types: readonly AvroType[],
  b: Uint8Array,
  p: number,
  end: number
): Layout | undefined {
  const t = new Tracer(b, p, end);
  for (const type of types) {
    if (!t.type(type) || t.p - p > MAX_LAYOUT_BYTES) {
      return undefined;
    }
  }
  const mask = Uint8Array.from(t.mask);
  const value = Uint8Array.from(t.value);
  let key = `${mask.length}:`;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0) {
      key += `${i}=${mask[i]}/${value[i]},`;
    }
  }
  return { key, length: mask.length, mask, value };
}

/**
 * A condition (JavaScript, over `b`, `dv` and `p`) that holds exactly when the bytes at `p` match
 * `layout`; reads at most `words(layout)` bytes from `p`.
 */
export function layoutCheck(layout: Layout): string {
  const parts: string[] = [];
  for (let o = 0; o < layout.length; o += 4) {
    let m = 0;
    let v = 0;
    let single = -1;
    let count = 0;
    for (let j = 0; j < 4 && o + j < layout.length; j++) {
      const mj = layout.mask[o + j];
      if (mj !== 0) {
        m |= mj << (8 * j);
        v |= layout.value[o + j] << (8 * j);
        count++;
        single = mj === 0xff ? j : -1;
      }
    }
    if (count === 0) {
      continue;
    }
    if (count === 1 && single >= 0) {
      parts.push(`b[p + ${o + single}] === ${layout.value[o + single]}`);
    } else {
      parts.push(`(dv.getUint32(p + ${o}, true) & ${m | 0}) === ${v | 0}`);
    }
  }
  return parts.length ? parts.join(' && ') : 'true';
}

/** Bytes `layoutCheck` may read: the layout rounded up to whole words. */
export function layoutSpan(layout: Layout): number {
  return Math.max(4, Math.ceil(layout.length / 4) * 4);
}
