/**
 * Writes the history arrays of realistic alerts (see realistic.ts): template rows copied and
 * patched — each row its own id (9-byte varint), the alert's diaObjectId, a visit id and time
 * walking back from the alert at the object's cadence, a position jittered around the alert's,
 * and fluxes on a periodic lightcurve with noise.
 */
import { dayObs, writeVarint } from './realistic-head.js';
import { splitId, writeVarintFixed, type RowPool } from './realistic-rows.js';
import type { Rng } from './rng.js';

/** High 32 bits of history rows' ids (diaSourceId, diaForcedSourceId), before the seed's offset. */
export const ROW_ID_HI = 0x025d0000;
export const FORCED_ID_HI = 0x025e0000;

export class HistoryWriter {
  private readonly dayCache = new Map<number, number>();
  private rowSerial = 0;
  private forcedSerial = 0;

  constructor(
    private readonly rng: Rng,
    private readonly seedHi: number
  ) {}

  /** Rubin-style visit id (YYYYMMDD · 10^5 + seq) of a time. */
  visitOf(mjd: number, seq: number): number {
    const day = Math.floor(mjd);
    let d = this.dayCache.get(day);
    if (d === undefined) {
      d = dayObs(mjd);
      this.dayCache.set(day, d);
    }
    return d * 100000 + (seq % 100000);
  }
  /** Writes one history array (or null) of copied, patched template rows. */
  write(
    buf: Uint8Array,
    pos: number,
    present: boolean,
    tpl: Uint16Array,
    pool: RowPool,
    objectId: bigint,
    ra: number,
    dec: number,
    mjd: number,
    detections: boolean
  ): number {
    if (!present) {
      buf[pos++] = 0;
      return pos;
    }
    buf[pos++] = 2;
    const n = tpl.length;
    if (n > 0) {
      pos = writeVarint(buf, pos, n);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const rng = this.rng;
    const obj = splitId(objectId);
    const cadence = 0.5 + 2.5 * rng.next();
    const amp = rng.logUniform(500, 5e4);
    const period = rng.logUniform(0.2, 300);
    const idHi = (detections ? ROW_ID_HI : FORCED_ID_HI) + this.seedHi;
    // one seeded 32-bit state per history, stepped inline (xorshift): 4 draws per row
    let x = rng.uint32() | 1;
    const step = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) * 2.3283064365386963e-10;
    };
    let day = NaN;
    let visitDay = 0;
    for (let k = 0; k < n; k++) {
      const row = pool.rows[tpl[k]];
      const o = pool.offsets[tpl[k]];
      buf.set(row, pos);
      const t = mjd - (n - k) * cadence - 0.01 * step();
      const serial = detections ? this.rowSerial++ : this.forcedSerial++;
      writeVarintFixed(buf, pos + o.id, idHi, serial >>> 0, 9);
      writeVarintFixed(buf, pos + o.objectId, obj.hi, obj.lo, 9);
      if (Math.floor(t) !== day) {
        day = Math.floor(t);
        visitDay = this.visitOf(t, 0);
      }
      const visit = visitDay + (serial % 100000);
      writeVarintFixed(buf, pos + o.visit, Math.floor(visit / 4294967296), visit >>> 0, 6);
      view.setFloat64(pos + o.mjd, t, true);
      view.setFloat64(pos + o.processedMjd, t + 0.002, true);
      view.setFloat64(pos + o.ra, ra + 3e-5 * (step() - 0.5), true);
      view.setFloat64(pos + o.dec, dec + 3e-5 * (step() - 0.5), true);
      const flux = amp * Math.sin((2 * Math.PI * t) / period) + 300 * (step() - 0.5);
      view.setFloat32(pos + o.psfFlux, flux, true);
      view.setFloat32(pos + o.scienceFlux, 2e5 + flux, true);
      pos += row.length;
    }
    buf[pos++] = 0;
    return pos;
  }
}
