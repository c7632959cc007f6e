/**
 * The codecs on the real alert samples (../shared/data/alerts), checked against an independent
 * decode of the same packets with Python's fastavro.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createDecoder, splitOcfRecords } from './index.js';
import { decodedRows, type DecodedRow } from './testing/rows.js';
import {
  SAMPLE_FILES,
  oracleDeflate,
  oracleDump,
  oracleRubinBodies,
  readSample,
  samplesMissing,
  skipWithoutData,
  type OracleAlert
} from './testing/samples.js';

const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

function expectMatches(rows: DecodedRow[], oracle: OracleAlert[]): void {
  expect(rows.length).toBe(oracle.length);
  rows.forEach((row, i) => {
    const o = oracle[i];
    expect(row.survey).toBe(o.survey);
    expect(row.alertId).toBe(o.alertId);
    expect(row.objectId).toBe(o.objectId);
    expect(row.ra).toBe(o.ra);
    expect(row.dec).toBe(o.dec);
    expect(row.band).toBe(o.band);
    expect(row.mjd).toBeCloseTo(o.mjd, 9);
    if (o.mag === null) {
      expect(row.mag).toBeNull();
    } else {
      expect(row.mag).toBeCloseTo(o.mag, 5);
    }
    expect(row.lightcurve.length).toBe(o.lightcurveLength);
    expect(row.lightcurve.map(p => p.band)).toEqual(o.lightcurveBands);
    if (o.survey === 'rubin') {
      expect(row.diaObjectId).toBe(o.diaObjectId);
      expect(row.ssObjectId).toBe(o.ssObjectId);
      expect(row.lightcurve.filter(p => p.forced).length).toBe(o.forcedCount);
    } else {
      expect(row.lightcurve.filter(p => !p.isDetection).length).toBe(o.nonDetections);
      const limits = row.lightcurve.filter(p => !p.isDetection).map(p => p.upperLimitMag);
      expect(limits.every(l => typeof l === 'number')).toBe(true);
    }
  });
}

describe.skipIf(skipWithoutData(missing))(title('real samples vs fastavro'), () => {
  let rubinOracle: OracleAlert[];
  let ztfOracle: OracleAlert[];
  beforeAll(() => {
    rubinOracle = oracleDump([SAMPLE_FILES.rubin]);
    ztfOracle = oracleDump([SAMPLE_FILES.ztf, ...SAMPLE_FILES.ztfSingles]);
  });

  it('decodes the Rubin container file (7 alerts, schema inside)', () => {
    const { batch, rejects, rowIndex } = createDecoder('rubin').decodeBatch([
      readSample(SAMPLE_FILES.rubin)
    ]);
    expect(rejects).toEqual([]);
    expect([...rowIndex]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expectMatches(decodedRows(batch), rubinOracle);
    const lc = decodedRows(batch).reduce((n, r) => n + r.lightcurve.length - 1, 0);
    expect(lc).toBe(4055);
  });

  it('keeps 64-bit ids above 2^53 exact', () => {
    const { batch } = createDecoder('auto').decodeBatch([readSample(SAMPLE_FILES.rubin)]);
    const ids = [...(batch.getChild('alertId')!.toArray() as BigInt64Array)];
    expect(ids.some(id => id > 2n ** 53n)).toBe(true);
    expect(ids.map(String)).toEqual(rubinOracle.map(o => o.alertId));
    const flat = batch.getChild('diaObject_diaObjectId')!;
    expect(String(flat.get(0))).toBe(rubinOracle[0].diaObjectId);
  });

  it('decodes each Rubin alert re-encoded by fastavro as an lsst.v10_0 schemaless body', () => {
    const bodies = oracleRubinBodies();
    const decoder = createDecoder('rubin');
    const raw = decoder.decodeBatch(bodies);
    expect(raw.rejects).toEqual([]);
    expectMatches(decodedRows(raw.batch), rubinOracle);
    const fromFile = decodedRows(
      createDecoder('rubin').decodeBatch([readSample(SAMPLE_FILES.rubin)]).batch
    );
    expect(decodedRows(raw.batch)).toEqual(fromFile);
  });

  it('decodes ZTF: a 31-alert container and 4 single-alert packets (schema 3.3)', () => {
    const values = [readSample(SAMPLE_FILES.ztf), ...SAMPLE_FILES.ztfSingles.map(readSample)];
    const { batch, rejects, rowIndex } = createDecoder('ztf').decodeBatch(values);
    expect(rejects).toEqual([]);
    expect(batch.numRows).toBe(35);
    expect([...rowIndex].slice(-4)).toEqual([1, 2, 3, 4]);
    expectMatches(decodedRows(batch), ztfOracle);
    expect(batch.getChild('schemavsn')!.get(34)).toBe('3.3');
    expect(batch.getChild('rb')).toBeTruthy();
  });

  it('reads deflate-compressed container files with several blocks', () => {
    const deflated = oracleDeflate(SAMPLE_FILES.ztf);
    expect(deflated.length).toBeLessThan(readSample(SAMPLE_FILES.ztf).length);
    const { batch, rejects } = createDecoder('ztf').decodeBatch([deflated]);
    expect(rejects).toEqual([]);
    expectMatches(decodedRows(batch), ztfOracle.slice(0, 31));
  });

  it('keeps cutouts as Binary columns only when asked', () => {
    const values = [SAMPLE_FILES.ztfSingles[0], SAMPLE_FILES.rubin].map(readSample);
    const decoder = createDecoder('auto');
    const without = decoder.decodeBatch(values);
    expect(without.batch.getChild('cutoutScience')).toBeNull();
    const withCutouts = decoder.decodeBatch(values, { includeCutouts: true });
    expect(decoder.decodeBatch(values).batch.getChild('cutoutScience')).toBeNull();
    const science = withCutouts.batch.getChild('cutoutScience')!;
    expect(science.type.toString()).toBe('Binary');
    const stamp = science.get(0) as Uint8Array;
    expect([stamp[0], stamp[1]]).toEqual([0x1f, 0x8b]); // ZTF stamps are gzipped FITS
    expect((science.get(1) as Uint8Array).length).toBeGreaterThan(1000);
  });

  it('splits a container file into schemaless records that decode alone with its schema', () => {
    const { schema, records } = splitOcfRecords(readSample(SAMPLE_FILES.ztf));
    expect(records.length).toBe(31);
    const decoder = createDecoder('ztf', { ztfSchema: schema });
    const { batch, rejects } = decoder.decodeBatch(records);
    expect(rejects).toEqual([]);
    expectMatches(decodedRows(batch), ztfOracle.slice(0, 31));
  });
});
