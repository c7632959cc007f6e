/**
 * Seeded random numbers: independent, reproducible streams keyed by (seed, label, integers).
 * Keys are mixed with a 32-bit avalanche hash into the state of an sfc32 generator, so each part
 * of the simulation (class draws of visit 7, the variability of star 1234, ...) has its own stream
 * and does not shift when another part draws more or fewer numbers.
 */

const TWO_NEG_32 = 1 / 4294967296;

/** 32-bit avalanche mix (the murmur3 finalizer). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a string to 32 bits (FNV-1a, then mixed). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A seed as 32 bits: integers in 0..2^32-1 are themselves, anything else is hashed. */
export function seedOf(seed: number | string): number {
  if (typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) {
    return seed >>> 0;
  }
  return hashString(String(seed));
}

/** Combines a seed, a label and integer keys into one 32-bit key. */
export function streamKey(seed: number, label: string, ...keys: number[]): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ hashString(label));
  for (const k of keys) {
    h = mix32((h + Math.imul(k | 0, 0x27d4eb2f) + Math.floor(k / 4294967296)) >>> 0);
  }
  return h;
}

/** sfc32: a small, fast generator with 128 bits of state. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: number) {
    this.a = 0x9e3779b9;
    this.b = key >>> 0;
    this.c = mix32(key ^ 0x6a09e667);
    this.d = 1;
    for (let i = 0; i < 12; i++) {
      this.uint32();
    }
  }

  /** The stream for (seed, label, keys). */
  static stream(seed: number, label: string, ...keys: number[]): Rng {
    return new Rng(streamKey(seed, label, ...keys));
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() * TWO_NEG_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Log-uniform in [lo, hi) (lo > 0). */
  logUniform(lo: number, hi: number): number {
    return lo * Math.exp(Math.log(hi / lo) * this.next());
  }

  /** Integer in 0..n-1. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; one value per call, reproducible). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Index picked with probability proportional to `weights`. */
  weighted(weights: ReadonlyArray<number>): number {
    let total = 0;
    for (const w of weights) {
      total += w;
    }
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
