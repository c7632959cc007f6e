import { describe, expect, it } from 'vitest';
import { createDecoder } from '../alerts/index.js';
import { applyChangelog, changelogRecords, WATERMARK_KEY } from './changelog.js';
import { withObjectColumns } from './columns.js';
import { FIELD, I64_NULL, bandField, bandIndex } from './schema.js';
import { ObjectStore, PAGE_SIZE } from './store.js';
import { applyChunk } from './update.js';

const JD = 2400000.5;
const FID: Record<string, number> = { g: 1, r: 2, i: 3 };

function ztf(objectId: string, candid: number, mjd: number, band: string, mag: number): Uint8Array {
  const candidate = {
    candid,
    ra: 10,
    dec: 20,
    jd: mjd + JD,
    fid: FID[band],
    magpsf: mag,
    sigmapsf: 0.05
  };
  return Buffer.from(JSON.stringify({ objectId, candid, candidate }));
}

const decode = (values: Uint8Array[]) => createDecoder('json').decodeBatch(values).batch;
const opts = { rateWindowDays: 10 };

describe('object state update', () => {
  it('counts, latest, peak, rate over the window and g-r at the nearest epochs', () => {
    const store = new ObjectStore();
    const batch = decode([
      ztf('A', 1, 60000.0, 'g', 19.0),
      ztf('A', 2, 60000.5, 'r', 18.6),
      ztf('B', 3, 60001.0, 'g', 20.0),
      ztf('A', 4, 60004.0, 'g', 18.0),
      ztf('A', 5, 60020.0, 'g', 18.5)
    ]);
    const applied = applyChunk(store, batch, opts);
    expect(store.size).toBe(2);
    expect(applied.touched.length).toBe(2);
    const a = store.find('A');
    const g = bandIndex('g');
    expect(store.get(a, FIELD.nAlerts)).toBe(4);
    expect(store.get(a, bandField('ndet', g))).toBe(3);
    expect(store.get(a, bandField('ndet', bandIndex('r')))).toBe(1);
    expect(store.get(a, bandField('peakMag', g))).toBe(18);
    expect(store.get(a, bandField('peakMjd', g))).toBe(60004);
    expect(store.get(a, FIELD.firstMjd)).toBe(60000);
    expect(store.get(a, FIELD.lastMjd)).toBe(60020);
    expect(store.getId64(a, FIELD.lastAlertId)).toBe(5n);
    // at mjd 60020 the window [60010, 60020) holds no earlier g point: no rate
    expect(store.get(a, bandField('rate', g))).toBeNaN();
    // per-row snapshots: after alert 4 (row 3) the g rate is (18 - 19) / 4 days
    const byName = (name: string) =>
      withObjectColumns(batch, applied, store, [], () => undefined).getChild(name);
    expect(byName('obj_rate_g')?.get(3)).toBeCloseTo(-0.25, 6);
    expect(byName('obj_nAlerts')?.get(0)).toBe(1);
    expect(byName('obj_nAlerts')?.get(4)).toBe(4);
    // g-r from g at 60000.0 and r at 60000.5 (row 1), kept when g moves more than 1 day away
    expect(byName('obj_gMinusR')?.get(1)).toBeCloseTo(0.4, 5);
    expect(byName('obj_gMinusRDtDays')?.get(1)).toBeCloseTo(0.5, 5);
    expect(byName('obj_gMinusR')?.get(0)).toBeNull();
    expect(byName('obj_lastAlertId')?.get(2)).toBe(3n);
    expect(byName('obj_mag_r')?.get(2)).toBeNull(); // object B has no r detection
  });

  it('a changelog read back gives the same state, and the watermark', () => {
    const store = new ObjectStore();
    const values = Array.from({ length: 300 }, (_, i) =>
      ztf(`O${i % 70}`, i + 1, 60000 + i * 0.1, i % 3 === 0 ? 'r' : 'g', 18 + (i % 7) * 0.1)
    );
    const applied = applyChunk(store, decode(values), opts);
    const records = changelogRecords('t', 0, store, applied.touched, 1234n);
    expect(records.length).toBe(71);
    expect(records[70].key).toBe(WATERMARK_KEY);
    const copy = new ObjectStore();
    const consumed = records.map((r, i) => ({
      offset: BigInt(i),
      timestampMs: 0,
      key: Buffer.from(r.key as string),
      value: r.value,
      headers: {}
    }));
    expect(applyChangelog(copy, consumed)).toBe(1234n);
    expect(copy.size).toBe(70);
    for (let i = 0; i < 70; i++) {
      const [s, t] = [store.find(`O${i}`), copy.find(`O${i}`)];
      for (const f of Object.values(FIELD)) {
        if (f === FIELD.lastAlertId) {
          expect(copy.getId64(t, f)).toBe(store.getId64(s, f));
        } else {
          expect(Object.is(copy.get(t, f), store.get(s, f))).toBe(true);
        }
      }
    }
  });

  it('keeps the latest total-flux magnitude per band (ZTF DC magnitude from the alert)', () => {
    const store = new ObjectStore();
    const candidate = (candid: number, mjd: number, mag: number) =>
      `{"candid":${candid},"ra":10,"dec":20,"jd":${mjd + JD},"fid":1,"magpsf":${mag},` +
      `"sigmapsf":0.05,"magnr":17,"sigmagnr":0.02,"isdiffpos":"t"}`;
    const values = [
      Buffer.from(`{"objectId":"T","candid":1,"candidate":${candidate(1, 60000, 18)}}`),
      Buffer.from(`{"objectId":"T","candid":2,"candidate":${candidate(2, 60001, 19)}}`)
    ];
    const batch = decode(values);
    applyChunk(store, batch, opts);
    const total = batch.getChild('totalMag')?.get(1) as number;
    expect(Number.isFinite(total)).toBe(true);
    // DC flux of a positive difference: 10^(-0.4*17) + 10^(-0.4*19)
    expect(total).toBeCloseTo(-2.5 * Math.log10(10 ** (-0.4 * 17) + 10 ** (-0.4 * 19)), 5);
    expect(store.get(store.find('T'), bandField('totalMag', bandIndex('g')))).toBeCloseTo(total, 4);
  });

  it('spans pages and keeps new objects empty', () => {
    const store = new ObjectStore();
    for (let i = 0; i < PAGE_SIZE + 10; i++) {
      store.slotOf(`x${i}`);
    }
    const last = store.find(`x${PAGE_SIZE + 9}`);
    expect(last).toBe(PAGE_SIZE + 9);
    expect(store.get(last, FIELD.nAlerts)).toBe(0);
    expect(store.get(last, FIELD.firstMjd)).toBeNaN();
    expect(store.getId64(last, FIELD.lastAlertId)).toBe(I64_NULL);
  });
});
