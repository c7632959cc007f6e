/**
 * Tycho-2 from Debian's astrometry.net index files (`astrometry-data-tycho2-*-littleendian`).
 *
 * Where the stars live: an index file's star kd-tree is stored as binary tables whose single column
 * names the part. `kdtree_header_stars` (no rows) carries KDT_NDAT (star count), KDT_NDIM = 3 and
 * KDT_DATA (u32, u16 or double); `kdtree_range_stars` holds 2·D + 1 native-endian doubles —
 * minval[D], maxval[D], scale; `kdtree_data_stars` holds one row per star, D native-endian values
 * (the primary header's ENDIAN card says the byte order). A star's unit vector is
 * minval[d] + value[d] / scale. The stars were "unpermuted", so row i of the data table is star i,
 * and tag-along tables (here `MAG_VT`, standard big-endian FITS) follow the same order. The files
 * hold no TYC numbers: the catalog id is the star's row in the file. Positions are Tycho-2's
 * observed-epoch (~J1991.5) positions, so high proper-motion stars sit several arcseconds (Arcturus
 * ~21″) from their J2000 places.
 */
import { readFile } from 'node:fs/promises';
import { CatalogLoadError } from '../errors.js';
import type { ColumnarCatalog } from './columns.js';
import { fitsColumn, findTableHdu, readFitsHdus, readFloatColumn } from './fits.js';
import { DEG, normalizeRaDeg } from './sky.js';

/** Reads the stars of one astrometry.net index file into catalog columns (id, ra, dec, mag). */
export async function readAstrometryIndex(file: string): Promise<ColumnarCatalog> {
  let buf: Uint8Array;
  try {
    buf = await readFile(file);
  } catch (cause) {
    throw new CatalogLoadError(
      `Cannot read Tycho-2 index ${file}. Install it with: apt-get install astrometry-data-tycho2-10-19-littleendian`,
      { cause, context: { file } }
    );
  }
  const hdus = readFitsHdus(buf, file);
  const littleEndian = (hdus[0].header.get('ENDIAN') ?? '04:03:02:01') === '04:03:02:01';
  const head = findTableHdu(hdus, 'kdtree_header_stars', file).header;
  const dims = Number(head.get('KDT_NDIM') ?? 3);
  const dataType = String(head.get('KDT_DATA') ?? 'u32');
  if (dims !== 3) {
    throw new CatalogLoadError(`${file}: star kd-tree has ${dims} dimensions, expected 3.`, {
      context: { file }
    });
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const range = fitsColumn(findTableHdu(hdus, 'kdtree_range_stars', file), 'kdtree_range_stars');
  const r = (i: number): number => view.getFloat64(range.offset + i * 8, littleEndian);
  const minval = [r(0), r(1), r(2)];
  const invScale = 1 / r(6);
  const data = fitsColumn(findTableHdu(hdus, 'kdtree_data_stars', file), 'kdtree_data_stars');
  const n = data.rows;
  const bytes = dataType === 'double' ? 8 : dataType === 'u16' ? 2 : 4;
  if (data.rowBytes !== 3 * bytes) {
    throw new CatalogLoadError(
      `${file}: star rows are ${data.rowBytes} bytes, expected ${3 * bytes}.`,
      {
        context: { file, dataType }
      }
    );
  }
  const get = (at: number): number =>
    bytes === 8
      ? view.getFloat64(at, littleEndian)
      : bytes === 2
        ? view.getUint16(at, littleEndian)
        : view.getUint32(at, littleEndian);
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  const ids = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const at = data.offset + i * data.rowBytes;
    const v = [0, 1, 2].map(d =>
      bytes === 8 ? get(at + d * 8) : minval[d] + get(at + d * bytes) * invScale
    );
    const norm = Math.hypot(v[0], v[1], v[2]);
    raDeg[i] = normalizeRaDeg(Math.atan2(v[1], v[0]) / DEG);
    decDeg[i] = Math.asin(Math.max(-1, Math.min(1, v[2] / norm))) / DEG;
    ids[i] = BigInt(i);
  }
  const columns: ColumnarCatalog['columns'] = {};
  const magHdu = hdus.find(h => String(h.header.get('TTYPE1') ?? '').toUpperCase() === 'MAG_VT');
  if (magHdu) {
    const mag = readFloatColumn(buf, fitsColumn(magHdu, 'MAG_VT', file));
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      valid[i] = Number.isFinite(mag[i]) ? 1 : 0;
    }
    columns.mag = { kind: 'double', values: mag, valid };
  }
  return { ids, raDeg, decDeg, columns };
}
