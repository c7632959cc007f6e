/**
 * A minimal FITS reader: header-data units (2880-byte blocks of 80-character cards) and binary
 * table columns. Enough for astrometry.net index files; no compression, no heap (variable-length
 * arrays), no scaling keywords.
 */
import { FitsFormatError } from '../errors.js';

const BLOCK = 2880;
const CARD = 80;

export type FitsValue = string | number | boolean;

/** One header-data unit: its header keywords and where its data lies in the file. */
export interface FitsHdu {
  index: number;
  header: Map<string, FitsValue>;
  dataOffset: number;
  dataBytes: number;
}

function parseValue(raw: string): FitsValue {
  const s = raw.trim();
  if (s.startsWith("'")) {
    const end = s.indexOf("'", 1);
    return (end < 0 ? s.slice(1) : s.slice(1, end)).replace(/\s+$/, '');
  }
  const noComment = s.split('/')[0].trim();
  if (noComment === 'T' || noComment === 'F') {
    return noComment === 'T';
  }
  const n = Number(noComment.replace(/D/i, 'E'));
  return Number.isNaN(n) ? noComment : n;
}

function num(h: FitsHdu, key: string, file: string): number {
  const v = h.header.get(key);
  if (typeof v !== 'number') {
    throw new FitsFormatError(`FITS ${file}: HDU ${h.index} has no numeric ${key}.`, {
      context: { file, hdu: h.index, key }
    });
  }
  return v;
}

/** Lists the HDUs of a FITS file held in memory. */
export function readFitsHdus(buf: Uint8Array, file = '<buffer>'): FitsHdu[] {
  const hdus: FitsHdu[] = [];
  const dec = new TextDecoder('latin1');
  let pos = 0;
  while (pos + BLOCK <= buf.length) {
    const header = new Map<string, FitsValue>();
    let ended = false;
    while (!ended) {
      if (pos + BLOCK > buf.length) {
        throw new FitsFormatError(`FITS ${file}: header ${hdus.length} has no END card.`, {
          context: { file }
        });
      }
      const block = dec.decode(buf.subarray(pos, pos + BLOCK));
      pos += BLOCK;
      for (let c = 0; c < BLOCK; c += CARD) {
        const card = block.slice(c, c + CARD);
        const key = card.slice(0, 8).trim();
        if (key === 'END') {
          ended = true;
          break;
        }
        if (key && card.slice(8, 10) === '= ') {
          header.set(key, parseValue(card.slice(10)));
        }
      }
    }
    if (hdus.length === 0 && header.get('SIMPLE') !== true) {
      throw new FitsFormatError(`${file} is not a FITS file (no SIMPLE = T).`, {
        context: { file }
      });
    }
    const hdu: FitsHdu = { index: hdus.length, header, dataOffset: pos, dataBytes: 0 };
    const naxis = (header.get('NAXIS') as number | undefined) ?? 0;
    if (naxis > 0) {
      let size = 1;
      for (let i = 1; i <= naxis; i++) {
        size *= num(hdu, `NAXIS${i}`, file);
      }
      size *= Math.abs(num(hdu, 'BITPIX', file)) / 8;
      size += (header.get('PCOUNT') as number | undefined) ?? 0;
      hdu.dataBytes = size;
    }
    hdus.push(hdu);
    pos += Math.ceil(hdu.dataBytes / BLOCK) * BLOCK;
  }
  return hdus;
}

/** Byte size of one element of a TFORM letter. */
const FORM_BYTES: Record<string, number> = {
  L: 1,
  X: 1,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16
};

/** A binary-table column located in the file: rows of `width` bytes every `rowBytes` bytes. */
export interface FitsColumn {
  name: string;
  /** TFORM letter (E, D, J, A, ...). */
  type: string;
  repeat: number;
  rows: number;
  rowBytes: number;
  /** Absolute offset of the column's first byte in the file. */
  offset: number;
  width: number;
}

/** Locates a column of a BINTABLE HDU by name (case-insensitive). */
export function fitsColumn(hdu: FitsHdu, name: string, file = '<buffer>'): FitsColumn {
  if (hdu.header.get('XTENSION') !== 'BINTABLE') {
    throw new FitsFormatError(`FITS ${file}: HDU ${hdu.index} is not a binary table.`, {
      context: { file, hdu: hdu.index }
    });
  }
  const nfields = num(hdu, 'TFIELDS', file);
  let offset = 0;
  for (let i = 1; i <= nfields; i++) {
    const form = String(hdu.header.get(`TFORM${i}`) ?? '');
    const m = /^(\d*)([LXBIJKAEDCMPQ])/.exec(form.trim());
    if (!m) {
      throw new FitsFormatError(`FITS ${file}: unsupported TFORM${i} "${form}".`, {
        context: { file, hdu: hdu.index }
      });
    }
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const width = m[2] === 'X' ? Math.ceil(repeat / 8) : repeat * FORM_BYTES[m[2]];
    const ttype = String(hdu.header.get(`TTYPE${i}`) ?? '');
    if (ttype.toLowerCase() === name.toLowerCase()) {
      return {
        name: ttype,
        type: m[2],
        repeat,
        rows: num(hdu, 'NAXIS2', file),
        rowBytes: num(hdu, 'NAXIS1', file),
        offset: hdu.dataOffset + offset,
        width
      };
    }
    offset += width;
  }
  throw new FitsFormatError(`FITS ${file}: HDU ${hdu.index} has no column "${name}".`, {
    context: { file, hdu: hdu.index, column: name }
  });
}

/** Finds the BINTABLE HDU whose first column is named `name`. */
export function findTableHdu(hdus: FitsHdu[], name: string, file = '<buffer>'): FitsHdu {
  const hdu = hdus.find(h => String(h.header.get('TTYPE1') ?? '').toLowerCase() === name);
  if (!hdu) {
    throw new FitsFormatError(`FITS ${file}: no binary table with column "${name}".`, {
      context: { file, table: name }
    });
  }
  return hdu;
}

/** Reads a scalar E (float32) or D (float64) column, big-endian as FITS stores it. */
export function readFloatColumn(buf: Uint8Array, col: FitsColumn): Float64Array {
  const out = new Float64Array(col.rows);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < col.rows; i++) {
    const at = col.offset + i * col.rowBytes;
    out[i] = col.type === 'E' ? view.getFloat32(at, false) : view.getFloat64(at, false);
  }
  return out;
}
