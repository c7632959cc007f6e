/**
 * MOC in FITS (IVOA MOC 2.0, section 4.3.1): a binary table with one column of NUNIQ cell
 * numbers (TFORM J or K), NUNIQ = 4·4^order + ipix. Read with the project's FITS reader; written
 * as a primary HDU without data and that table (what mocpy, Aladin and TOPCAT read).
 */
import { fitsColumn, readFitsHdus } from '../catalog/fits.js';
import { FitsFormatError } from '../errors.js';
import { MAX_NESTED_ORDER } from './healpix-nested.js';
import { Moc, type MocCell } from './moc.js';

/** The (order, ipix) of a NUNIQ number. */
export function fromNuniq(uniq: bigint): MocCell {
  if (uniq < 4n) {
    throw new RangeError(`NUNIQ ${uniq} is not a MOC cell (it must be ≥ 4)`);
  }
  let order = 0;
  while (4n << (2n * BigInt(order + 1)) <= uniq) {
    order++;
  }
  return { order, ipix: Number(uniq - (4n << (2n * BigInt(order)))) };
}

/** The NUNIQ number of a cell. */
export function toNuniq(cell: MocCell): bigint {
  return (4n << (2n * BigInt(cell.order))) + BigInt(cell.ipix);
}

/** Reads a MOC FITS file's bytes: the first binary table with a UNIQ (or NPIX) column. */
export function mocFromFits(buf: Uint8Array, file = '<buffer>'): Moc {
  const hdus = readFitsHdus(buf, file);
  const hdu = hdus.find(h => h.header.get('XTENSION') === 'BINTABLE');
  if (!hdu) {
    throw new FitsFormatError(`MOC FITS ${file}: no binary table of NUNIQ cells.`, {
      context: { file }
    });
  }
  const col = fitsColumn(hdu, String(hdu.header.get('TTYPE1') ?? 'UNIQ'), file);
  const declared = Number(hdu.header.get('MOCORD_S') ?? hdu.header.get('MOCORDER') ?? NaN);
  if (col.type !== 'J' && col.type !== 'K') {
    throw new FitsFormatError(
      `MOC FITS ${file}: the NUNIQ column is TFORM ${col.type}; a MOC stores them as J or K.`,
      { context: { file } }
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const value = (i: number): bigint => {
    const at = col.offset + i * col.rowBytes;
    return col.type === 'J' ? BigInt(view.getInt32(at, false)) : view.getBigInt64(at, false);
  };
  if (hdu.header.get('ORDERING') === 'RANGE') {
    return rangesAtOrder29(col.rows, value, declared, file);
  }
  const cells: MocCell[] = [];
  for (let i = 0; i < col.rows; i++) {
    cells.push(fromNuniq(value(i)));
  }
  const deepest = cells.reduce((m, c) => Math.max(m, c.order), 0);
  // a declared order deeper than every cell changes no membership: capped to what is readable
  const depth = Number.isInteger(declared)
    ? Math.max(deepest, Math.min(declared, MAX_NESTED_ORDER))
    : deepest;
  return Moc.fromCells(cells, depth);
}

/**
 * MOC 2.0 RANGE ordering: [start, end) pairs of pixels at order 29, each a multiple of
 * 4^(29 − MOCORD_S); brought to the declared order.
 */
function rangesAtOrder29(
  rows: number,
  value: (i: number) => bigint,
  declared: number,
  file: string
): Moc {
  if (
    !Number.isInteger(declared) ||
    declared < 0 ||
    declared > MAX_NESTED_ORDER ||
    rows % 2 !== 0
  ) {
    throw new FitsFormatError(
      `MOC FITS ${file}: RANGE ordering needs MOCORD_S in 0..${MAX_NESTED_ORDER} and pairs of values.`,
      { context: { file, declared, rows } }
    );
  }
  const shift = 2n * BigInt(29 - declared);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < rows; i += 2) {
    pairs.push([Number(value(i) >> shift), Number(value(i + 1) >> shift)]);
  }
  return Moc.fromRanges(declared, pairs);
}

function card(key: string, value: string | number | boolean): string {
  const v =
    typeof value === 'string'
      ? `'${value.padEnd(8)}'`.padEnd(20)
      : typeof value === 'boolean'
        ? (value ? 'T' : 'F').padStart(20)
        : String(value).padStart(20);
  return `${key.padEnd(8)}= ${v}`.padEnd(80);
}

function block(cards: string[]): Uint8Array {
  const text = [...cards, 'END'.padEnd(80)].join('');
  const size = Math.ceil(text.length / 2880) * 2880;
  return new TextEncoder().encode(text.padEnd(size));
}

/** A MOC FITS file (MOC 2.0, space): primary HDU, then a BINTABLE of NUNIQ as K (int64). */
export function mocToFits(moc: Moc): Uint8Array {
  const uniq = moc
    .cells()
    .map(toNuniq)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const primary = block([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0)]);
  const header = block([
    card('XTENSION', 'BINTABLE'),
    card('BITPIX', 8),
    card('NAXIS', 2),
    card('NAXIS1', 8),
    card('NAXIS2', uniq.length),
    card('PCOUNT', 0),
    card('GCOUNT', 1),
    card('TFIELDS', 1),
    card('TTYPE1', 'UNIQ'),
    card('TFORM1', 'K'),
    card('MOCVERS', '2.0'),
    card('MOCDIM', 'SPACE'),
    card('ORDERING', 'NUNIQ'),
    card('COORDSYS', 'C'),
    card('MOCORD_S', moc.depth),
    card('MOCORDER', moc.depth),
    card('MOCTOOL', 'alertlab')
  ]);
  const dataBytes = Math.ceil((uniq.length * 8) / 2880) * 2880;
  const data = new Uint8Array(dataBytes);
  const view = new DataView(data.buffer);
  uniq.forEach((u, i) => view.setBigInt64(8 * i, u, false));
  const out = new Uint8Array(primary.length + header.length + data.length);
  out.set(primary, 0);
  out.set(header, primary.length);
  out.set(data, primary.length + header.length);
  return out;
}
