/**
 * Raw lightcurve points of one alert as a generated reader writes them: mjd, flux and flux error
 * as plain Float64Arrays (NaN for null) and the band as a one-byte code into a small dictionary.
 * The reader appends straight into these (no callback per point); the lightcurve column then
 * copies whole ranges at once and derives magnitudes in one loop (see LightcurveColumn.pushRaw).
 */

const NULL_BAND = 255;
const INITIAL_POINTS = 1024;

/** A growable Float64 sink with the `append`/`appendNull` calls a generated reader makes. */
export class RawF64 {
  v = new Float64Array(INITIAL_POINTS);
  n = 0;
  append(x: number): void {
    if (this.n === this.v.length) {
      this.grow();
    }
    this.v[this.n++] = x;
  }
  appendNull(): void {
    this.append(NaN);
  }
  private grow(): void {
    const next = new Float64Array(this.v.length * 2);
    next.set(this.v);
    this.v = next;
  }
}

/** Band names seen by a decoder: code → bytes (codes are one byte; 255 means null). */
export class BandDictionary {
  readonly bytes: Uint8Array[] = [];
  /** One-byte band → code + 1 (0 = not seen yet). */
  readonly single = new Uint8Array(256);
  /** Code → its byte, for one-byte bands. */
  readonly byteOf = new Uint8Array(256);
  private readonly multi = new Map<string, number>();

  /** The code of `len` bytes of `b` at `p`, adding them on first sight. */
  codeOf(b: Uint8Array, p: number, len: number): number {
    const key = Buffer.from(b.buffer, b.byteOffset + p, len).toString('latin1');
    let code = this.multi.get(key);
    if (code === undefined) {
      if (this.bytes.length >= NULL_BAND) {
        throw new RangeError(
          `more than ${NULL_BAND} distinct band names in one stream; bands are short filter names (u g r i z y)`
        );
      }
      code = this.bytes.push(b.slice(p, p + len)) - 1;
      this.multi.set(key, code);
      if (len === 1) {
        this.single[b[p]] = code + 1;
        this.byteOf[code] = b[p];
      }
    }
    return code;
  }
}

/** Band strings as one-byte codes into a shared dictionary, with the calls a reader makes. */
export class BandCodes {
  codes = new Uint8Array(INITIAL_POINTS);
  n = 0;
  constructor(readonly dict: BandDictionary) {}

  appendBytes(b: Uint8Array, p: number, len: number): void {
    const known = len === 1 ? this.dict.single[b[p]] : 0;
    this.push(known !== 0 ? known - 1 : this.dict.codeOf(b, p, len));
  }
  appendNull(): void {
    this.push(NULL_BAND);
  }
  private push(code: number): void {
    if (this.n === this.codes.length) {
      const next = new Uint8Array(this.codes.length * 2);
      next.set(this.codes);
      this.codes = next;
    }
    this.codes[this.n++] = code;
  }
}

/** The raw points of one lightcurve array (e.g. Rubin prvDiaSources) for the alert being read. */
export class RawPoints {
  readonly mjd = new RawF64();
  readonly flux = new RawF64();
  readonly fluxErr = new RawF64();
  readonly band: BandCodes;
  constructor(dict: BandDictionary) {
    this.band = new BandCodes(dict);
  }
  /** Points so far: every item writes each field it has (a field the array lacks stays at 0). */
  get length(): number {
    return Math.max(this.mjd.n, this.flux.n, this.fluxErr.n, this.band.n);
  }
  /** Forgets the points (before each alert). */
  clear(): void {
    this.mjd.n = this.flux.n = this.fluxErr.n = this.band.n = 0;
  }
}

export { NULL_BAND };
