/**
 * Cutout stamps for the realistic mode, shaped like the real Rubin lsst.v10 cutouts: a FITS file
 * with a 30×30 float32 image (primary HDU, TAN WCS), a 30×30 float32 variance extension (UNCERT)
 * and a float64 PSF image extension (PSFIMAGE, 41–55 px): 34,560–46,080 bytes, uncompressed as in
 * the real packets, or gzip'd (`fits.gz`, as ZTF ships them). A pool of stamps is made once; each
 * alert gets a copy with its own position written into CRVAL1/CRVAL2 (gzip'd: its own MTIME), so
 * every cutout is distinct.
 */
import { gzipSync } from 'node:zlib';
import type { Rng } from './rng.js';

const BLOCK = 2880;
const CARD = 80;
/** Stamp side in pixels (the real packets: 30). */
export const STAMP_PX = 30;

export type CutoutEncoding = 'fits' | 'fits.gz';

function card(key: string, value: string, comment = ''): string {
  const v = value.length < 20 ? value.padStart(20) : value;
  const c = `${key.padEnd(8)}= ${v}${comment ? ` / ${comment}` : ''}`;
  return c.slice(0, CARD).padEnd(CARD);
}

function header(cards: string[]): Uint8Array {
  const text = [...cards, 'END'.padEnd(CARD)].join('');
  const size = Math.ceil(text.length / BLOCK) * BLOCK;
  return Buffer.from(text.padEnd(size), 'latin1');
}

function data(values: ArrayLike<number>, bitpix: -32 | -64): Uint8Array {
  const bytes = bitpix === -32 ? 4 : 8;
  const size = Math.ceil((values.length * bytes) / BLOCK) * BLOCK;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (bitpix === -32) {
      view.setFloat32(i * 4, values[i], false);
    } else {
      view.setFloat64(i * 8, values[i], false);
    }
  }
  return out;
}

function gaussianImage(rng: Rng, n: number, amp: number, noise: number, sigmaPx: number): number[] {
  const c = (n - 1) / 2 + rng.uniform(-1, 1);
  const out = new Array<number>(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const r2 = (x - c) ** 2 + (y - c) ** 2;
      out[y * n + x] = amp * Math.exp(-r2 / (2 * sigmaPx * sigmaPx)) + noise * rng.normal();
    }
  }
  return out;
}

/** One FITS stamp; `crval` is where CRVAL1's value field starts (CRVAL2's is one card later). */
export interface Stamp {
  bytes: Uint8Array;
  crval: number;
}

/** Makes one stamp (PSF side `psfPx`: 41 → 34,560 bytes, 51 → 43,200, 55 → 46,080). */
export function makeStamp(
  rng: Rng,
  psfPx: number,
  kind: 'difference' | 'science' | 'template'
): Stamp {
  const n = STAMP_PX;
  const amp = kind === 'difference' ? rng.uniform(-2e4, 2e4) : rng.uniform(1e4, 2e5);
  const cards = [
    card('SIMPLE', 'T', 'conforms to FITS standard'),
    card('BITPIX', '-32', 'array data type'),
    card('NAXIS', '2', 'number of array dimensions'),
    card('NAXIS1', String(n)),
    card('NAXIS2', String(n)),
    card('EXTEND', 'T'),
    card('CUTMINX', String(rng.int(4000))),
    card('CUTMINY', String(rng.int(4000))),
    card(
      'ROTPA',
      rng.uniform(-180, 180).toPrecision(15),
      'Pos angle in deg of focal plane +Y wrt North'
    ),
    card('BUNIT', "'nJy     '"),
    card('WCSAXES', '2', 'Number of coordinate axes'),
    card('CRPIX1', rng.uniform(14, 17).toPrecision(14), 'Pixel coordinate of reference point'),
    card('CRPIX2', rng.uniform(14, 17).toPrecision(14), 'Pixel coordinate of reference point'),
    card('PC1_1', '-4.1743119295891E-05', 'Coordinate transformation matrix element'),
    card('PC1_2', '3.6713615741151E-05', 'Coordinate transformation matrix element'),
    card('PC2_1', '3.6705393091321E-05', 'Coordinate transformation matrix element'),
    card('PC2_2', '4.1708763376543E-05', 'Coordinate transformation matrix element'),
    card('CDELT1', '1.0', 'Coordinate increment at reference point'),
    card('CDELT2', '1.0', 'Coordinate increment at reference point'),
    card('CRVAL1', '0.0', 'Coordinate value at reference point'),
    card('CRVAL2', '0.0', 'Coordinate value at reference point'),
    card('CTYPE1', "'RA---TAN'", 'Right ascension, gnomonic projection'),
    card('CTYPE2', "'DEC--TAN'", 'Declination, gnomonic projection')
  ];
  const crvalCard = cards.findIndex(c => c.startsWith('CRVAL1'));
  const primary = header(cards);
  const image = data(gaussianImage(rng, n, amp, rng.uniform(300, 900), rng.uniform(1.2, 2.5)), -32);
  const extension = (name: string, utype: string, px: number, bitpix: -32 | -64) =>
    header([
      card('XTENSION', "'IMAGE   '", 'Image extension'),
      card('BITPIX', String(bitpix), 'array data type'),
      card('NAXIS', '2', 'number of array dimensions'),
      card('NAXIS1', String(px)),
      card('NAXIS2', String(px)),
      card('PCOUNT', '0', 'number of parameters'),
      card('GCOUNT', '1', 'number of groups'),
      ...(utype ? [card('UTYPE', `'${utype}'`)] : []),
      card('EXTNAME', `'${name.padEnd(8)}'`, 'extension name')
    ]);
  const variance = data(
    gaussianImage(rng, n, 0, 1, 1).map(v => 4e5 + 2e4 * v),
    -32
  );
  const psf = data(gaussianImage(rng, psfPx, 1, 1e-4, rng.uniform(1.5, 3)), -64);
  const parts = [
    primary,
    image,
    extension('UNCERT', 'VarianceUncertainty', n, -32),
    variance,
    extension('PSFIMAGE', '', psfPx, -64),
    psf
  ];
  return { bytes: Buffer.concat(parts), crval: crvalCard * CARD + 10 };
}

/** Stamps made once per kind: difference, science (PSF 41 px), template (PSF 51 or 55 px). */
export class StampPool {
  readonly kinds: Stamp[][];
  readonly gz: Uint8Array[][] | null;

  constructor(
    rng: Rng,
    perKind: number,
    readonly encoding: CutoutEncoding
  ) {
    const make = (kind: 'difference' | 'science' | 'template'): Stamp[] =>
      Array.from({ length: perKind }, () =>
        makeStamp(rng, kind === 'template' ? (rng.next() < 0.5 ? 51 : 55) : 41, kind)
      );
    this.kinds = [make('difference'), make('science'), make('template')];
    this.gz =
      encoding === 'fits.gz'
        ? this.kinds.map(k => k.map(s => gzipSync(s.bytes, { level: 6 })))
        : null;
  }

  /** Encoded size of stamp `i` of kind `k`. */
  size(k: number, i: number): number {
    return this.gz ? this.gz[k][i].length : this.kinds[k][i].bytes.length;
  }

  /**
   * Writes stamp `i` of kind `k` at `pos`: FITS with the alert's position in CRVAL1/2, or the
   * gzip'd stamp with `serial` as its MTIME.
   */
  write(
    out: Uint8Array,
    pos: number,
    k: number,
    i: number,
    raDeg: number,
    decDeg: number,
    serial: number
  ): void {
    if (this.gz) {
      const g = this.gz[k][i];
      out.set(g, pos);
      new DataView(out.buffer, out.byteOffset).setUint32(pos + 4, serial >>> 0, true);
      return;
    }
    const s = this.kinds[k][i];
    out.set(s.bytes, pos);
    const at = pos + s.crval;
    out.set(Buffer.from(raDeg.toPrecision(15).padStart(20), 'latin1'), at);
    out.set(Buffer.from(decDeg.toPrecision(15).padStart(20), 'latin1'), at + CARD);
  }
}
