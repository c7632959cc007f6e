import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDecoder, loadRubinSchema } from '../alerts/index.js';
import { oracleBench } from '../alerts/testing/samples.js';
import { RealisticAlerts } from './realistic.js';

describe('RealisticAlerts', () => {
  it('makes distinct, real-size lsst.v10 packets that our decoder and fastavro both read', () => {
    const gen = RealisticAlerts.create({ seed: 5 });
    const a = gen.nextBatch(60);
    const b = gen.nextBatch(60);
    const values = [...a.values, ...b.values];
    // every alert distinct, ids unique across batches
    expect(new Set(values.map(v => Buffer.from(v).toString('base64'))).size).toBe(120);
    expect(new Set([...a.diaSourceIds, ...b.diaSourceIds]).size).toBe(120);
    // sizes like the real packets: cutouts of 34.5–46 KB each, histories up to ~600 rows
    const withHistory = a.prvRows.filter(n => n > 0);
    expect(Math.max(...a.prvRows)).toBeLessThanOrEqual(600);
    expect(withHistory.length).toBeGreaterThan(40);
    const meanKb = values.reduce((n, v) => n + v.length, 0) / values.length / 1024;
    expect(meanKb).toBeGreaterThan(150);
    expect(meanKb).toBeLessThan(350);

    const res = createDecoder('rubin').decodeBatch(a.values, { includeCutouts: true });
    expect(res.rejects).toEqual([]);
    expect(res.batch.numRows).toBe(60);
    const lc = res.batch.getChild('lightcurve')!;
    const diff = res.batch.getChild('cutoutDifference')!;
    for (let i = 0; i < 60; i++) {
      expect(res.batch.getChild('alertId')!.get(i)).toBe(a.diaSourceIds[i]);
      expect(res.batch.getChild('ra')!.get(i)).toBeCloseTo(a.raDeg[i], 9);
      // the lightcurve holds the history rows (detections + forced) and the alert's own point
      expect(lc.get(i)!.length).toBe(a.prvRows[i] + a.forcedRows[i] + 1);
      const cut = diff.get(i) as Uint8Array;
      expect(cut.length).toBe(34560);
      const head = Buffer.from(cut.subarray(0, 2880)).toString('latin1');
      expect(head.startsWith('SIMPLE  =')).toBe(true);
      const crval1 = Number(head.slice(19 * 80 + 10, 19 * 80 + 30));
      expect(crval1).toBeCloseTo(a.raDeg[i], 9);
    }

    const dir = mkdtempSync(join(tmpdir(), 'alertlab-realistic-'));
    try {
      const chunks: Uint8Array[] = [];
      for (const v of a.values) {
        const len = Buffer.alloc(4);
        len.writeUInt32LE(v.length);
        chunks.push(len, v);
      }
      writeFileSync(join(dir, 'bodies.bin'), Buffer.concat(chunks));
      writeFileSync(join(dir, 'schema.avsc'), loadRubinSchema().text);
      expect(oracleBench(join(dir, 'bodies.bin'), join(dir, 'schema.avsc'), 1).alerts).toBe(60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic per seed, and fixed history / no cutouts / gzip options hold', () => {
    const one = RealisticAlerts.create({ seed: 9 }).nextBatch(20).values;
    const two = RealisticAlerts.create({ seed: 9 }).nextBatch(20).values;
    expect(two.map(v => Buffer.from(v).toString('hex'))).toEqual(
      one.map(v => Buffer.from(v).toString('hex'))
    );
    const other = RealisticAlerts.create({ seed: 10 }).nextBatch(20).values;
    expect(Buffer.compare(Buffer.from(other[0]), Buffer.from(one[0]))).not.toBe(0);

    const fixed = RealisticAlerts.create({ seed: 9, history: 30, cutouts: 'none' }).nextBatch(10);
    expect([...fixed.prvRows]).toEqual(new Array(10).fill(30));
    const res = createDecoder('rubin').decodeBatch(fixed.values, { includeCutouts: true });
    expect(res.rejects).toEqual([]);
    expect(res.batch.getChild('cutoutDifference')!.get(0)).toBeNull();

    const gz = RealisticAlerts.create({ seed: 9, cutouts: 'fits.gz' }).nextBatch(4);
    const dec = createDecoder('rubin').decodeBatch(gz.values, { includeCutouts: true });
    const cut = dec.batch.getChild('cutoutScience')!.get(0) as Uint8Array;
    expect([cut[0], cut[1]]).toEqual([0x1f, 0x8b]);
  });
});
