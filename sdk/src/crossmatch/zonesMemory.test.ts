import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, makeVector, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../catalog/store.js';
import { seededRandom } from '../random.js';
import { createMatcher } from './create.js';

const STARS = 12_000;
const ALERTS = 6_000; // more than one chunk of the two passes (CHUNK_ALERTS)
const RADIUS = 60;
let dir = '';
let store: CatalogStore;
const D = Math.PI / 180;
const unit = (ra: number, dec: number): number[] => [
  Math.cos(dec * D) * Math.cos(ra * D),
  Math.cos(dec * D) * Math.sin(ra * D),
  Math.sin(dec * D)
];
const rnd = seededRandom(77);
const starRa = Float64Array.from({ length: STARS }, () => rnd() * 360);
const starDec = Float64Array.from({ length: STARS }, () => Math.asin(2 * rnd() - 1) / D);
// 90 % of the alerts within 5″ of a star (so every chunk's alerts have pairs), 10 % anywhere
const alertRa = new Float64Array(ALERTS);
const alertDec = new Float64Array(ALERTS);
for (let k = 0; k < ALERTS; k++) {
  const i = Math.floor(rnd() * STARS);
  const near = k % 10 !== 9;
  alertDec[k] = near ? Math.max(-90, Math.min(90, starDec[i] + (rnd() - 0.5) / 720)) : starDec[i];
  alertRa[k] = near ? (starRa[i] + (rnd() - 0.5) / 720 + 360) % 360 : rnd() * 360;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertlab-zm-'));
  store = await CatalogStore.open(join(dir, 'c.duckdb'));
  const ids = BigInt64Array.from({ length: STARS }, (_, i) => 2n ** 40n + BigInt(i));
  await store.load('stars', {
    kind: 'arrow',
    table: new Table({
      id: makeVector(ids),
      ra: vectorFromArray(Array.from(starRa), new Float64()),
      dec: vectorFromArray(Array.from(starDec), new Float64())
    })
  });
});

afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('memory zones on a batch larger than one chunk', () => {
  it('finds exactly the brute-force pairs, grouped in alert order, call after call', async () => {
    const m = createMatcher(store, 'memory-zones');
    const chord2 = (2 * Math.sin((RADIUS / 3600) * D * 0.5)) ** 2;
    const sx = new Float64Array(STARS);
    const sy = new Float64Array(STARS);
    const sz = new Float64Array(STARS);
    for (let i = 0; i < STARS; i++) {
      [sx[i], sy[i], sz[i]] = unit(starRa[i], starDec[i]);
    }
    const expected: string[] = [];
    const edge = new Set<string>();
    for (let k = 0; k < ALERTS; k++) {
      const [x, y, z] = unit(alertRa[k], alertDec[k]);
      for (let i = 0; i < STARS; i++) {
        const d2 = (sx[i] - x) ** 2 + (sy[i] - y) ** 2 + (sz[i] - z) ** 2;
        // at the edge the engine's exact-in-degrees trig may differ from this in the last bits
        if (Math.abs(d2 - chord2) <= 1e-15) {
          edge.add(`${k}:${2n ** 40n + BigInt(i)}`);
        } else if (d2 < chord2) {
          expected.push(`${k}:${2n ** 40n + BigInt(i)}`);
        }
      }
    }
    expect(new Set(expected.map(p => p.split(':')[0])).size).toBeGreaterThan(0.9 * ALERTS - 1);
    for (let call = 0; call < 2; call++) {
      const t = await m.match(
        { raDeg: alertRa, decDeg: alertDec },
        { catalogs: [{ name: 'stars', radiusArcsec: RADIUS }] }
      );
      const rows = t.getChild('alertRow')!.toArray() as Int32Array;
      const ids = t.getChild('catalogId')!.toArray() as BigInt64Array;
      expect(rows.every((r, i) => i === 0 || r >= rows[i - 1])).toBe(true);
      const got = new Set(Array.from(rows, (r, i) => `${r}:${ids[i]}`));
      expect(expected.filter(p => !got.has(p))).toEqual([]);
      expect(got.size).toBe(rows.length);
      expect([...got].filter(p => !edge.has(p)).length).toBe(expected.length);
    }
    m.close();
  });
});
