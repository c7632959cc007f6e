/**
 * Small pieces of the realistic mode: the diaObject summary record and Avro varint helpers.
 */
import { BANDS6 } from './realistic-rows.js';
import type { Rng } from './rng.js';
import type { RubinAlert } from './rubin-encoder.js';

export function zigzagLength(n: number): number {
  let v = n * 2;
  let len = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    len++;
  }
  return len;
}

export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  let v = n * 2;
  while (v >= 128) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

export function dayObs(mjd: number): number {
  const d = new Date(Math.round((Math.floor(mjd) - 40587) * 86400000));
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** A diaObject record with per-band summaries for a few bands. */
export function syntheticDiaObject(
  rng: Rng,
  id: bigint,
  ra: number,
  dec: number,
  mjd: number,
  n: number
): RubinAlert {
  const o: RubinAlert = {
    diaObjectId: id,
    validityStartMjdTai: mjd,
    ra,
    raErr: 1e-5,
    dec,
    decErr: 1e-5,
    ra_dec_Cov: -1e-11,
    nDiaSources: n,
    firstDiaSourceMjdTai: mjd - n * 1.7,
    lastDiaSourceMjdTai: mjd
  };
  for (const b of BANDS6) {
    const nb = rng.next() < 0.6 ? rng.int(n) : 0;
    o[`${b}_psfFluxNdata`] = nb;
    if (nb === 0) {
      continue;
    }
    const mean = rng.uniform(-2e4, 2e4);
    o[`${b}_psfFluxMean`] = mean;
    o[`${b}_psfFluxMeanErr`] = rng.uniform(20, 80);
    o[`${b}_psfFluxSigma`] = rng.uniform(100, 2e4);
    o[`${b}_psfFluxMin`] = mean - rng.uniform(0, 3e4);
    o[`${b}_psfFluxMax`] = mean + rng.uniform(0, 3e4);
    o[`${b}_psfFluxMaxSlope`] = rng.uniform(0, 1e7);
    o[`${b}_psfFluxErrMean`] = rng.uniform(200, 900);
    o[`${b}_scienceFluxMean`] = rng.uniform(1e5, 3e5);
    o[`${b}_scienceFluxMeanErr`] = rng.uniform(20, 80);
    o[`${b}_fpFluxMean`] = mean;
    o[`${b}_fpFluxMeanErr`] = rng.uniform(20, 80);
  }
  return o;
}
