/**
 * Every Rubin schema version lsst-alert-packet ships: its own sample alert (fakeAlert.avro) decodes
 * to the values of its alert.json — from the container file, as a Confluent-framed body (the
 * version chosen by the registry id), and as a schemaless body with the version configured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonExact, type JsonValue } from './bigjson.js';
import { createDecoder, mapSchemaSource, splitOcfRecords } from './index.js';
import { listRubinSchemaVersions, resolveRubinSchemaVersion } from './rubin-versions.js';
import { decodedRows, type DecodedRow } from './testing/rows.js';
import { skipWithoutData } from './testing/samples.js';

function packageMissing(): string | undefined {
  try {
    listRubinSchemaVersions();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
const missing = packageMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

type Obj = Record<string, JsonValue>;
const field = (o: Obj, ...names: string[]): JsonValue => {
  const name = names.find(n => o[n] !== undefined && o[n] !== null);
  return name === undefined ? null : o[name];
};
const idText = (v: JsonValue): string | null => (v === null ? null : String(v));

/** What alert.json says the canonical columns and the lightcurve must hold. */
function expectAlertJson(row: DecodedRow, alert: Obj): void {
  const src = alert.diaSource as Obj;
  expect(row.survey).toBe('rubin');
  expect(row.alertId).toBe(idText(src.diaSourceId));
  expect(row.ra).toBe(src.ra);
  expect(row.dec).toBe(field(src, 'dec', 'decl'));
  expect(row.mjd).toBe(Number(field(src, 'midpointMjdTai', 'midPointTai')));
  expect(row.band).toBe(field(src, 'band', 'filterName'));
  expect(row.psfFlux).toBe(field(src, 'psfFlux', 'psFlux'));
  const obj = alert.diaObject as Obj | null;
  expect(row.diaObjectId).toBe(
    idText(obj ? obj.diaObjectId : null) ?? idText(field(src, 'diaObjectId'))
  );
  const history = [
    ...((alert.prvDiaSources as Obj[] | null) ?? []),
    ...((alert.prvDiaForcedSources as Obj[] | null) ?? [])
  ];
  expect(history.length).toBeGreaterThan(0);
  const mjds = history.map(p => Number(field(p, 'midpointMjdTai', 'midPointTai')));
  const points = row.lightcurve.map(p => p.mjd);
  for (const mjd of mjds) {
    expect(points).toContain(mjd);
  }
  expect(row.lightcurve.length).toBeGreaterThanOrEqual(history.length);
}

function confluent(id: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 5);
  new DataView(out.buffer).setInt32(1, id);
  out.set(body, 5);
  return out;
}

describe.skipIf(skipWithoutData(missing))(title('every Rubin schema version'), () => {
  const versions = missing ? [] : listRubinSchemaVersions();

  it('finds every version the package ships, with Rubin registry ids (major*100 + minor)', () => {
    const names = versions.map(v => v.name);
    for (const n of ['lsst.v10_0', 'lsst.v11_0', 'lsst.v11_1']) {
      expect(names).toContain(n);
    }
    expect(versions.find(v => v.name === 'lsst.v11_1')!.id).toBe(1101);
    expect(versions.find(v => v.name === 'lsst.v10_0')!.id).toBe(1000);
    expect(resolveRubinSchemaVersion('lsst.v11_0').id).toBe(1100);
    expect(resolveRubinSchemaVersion('latest').id).toBe(versions[versions.length - 1].id);
    expect(() => resolveRubinSchemaVersion('99.9')).toThrow(/Use one of: .*11\.1/);
  });

  for (const v of versions) {
    const sample = join(v.dir, 'sample_data');
    it(`${v.name} (id ${v.id}): container, Confluent-framed and configured bodies match alert.json`, () => {
      const alert = parseJsonExact(readFileSync(join(sample, 'alert.json'), 'utf8')) as Obj;
      const file = new Uint8Array(readFileSync(join(sample, 'fakeAlert.avro')));
      const { records } = splitOcfRecords(file);
      expect(records.length).toBe(1);
      const framed = confluent(v.id, records[0]);
      const decodes = [
        createDecoder('rubin').decodeBatch([file]),
        createDecoder('rubin').decodeBatch([framed]),
        createDecoder('auto').decodeBatch([framed]),
        createDecoder('confluent').decodeBatch([framed]),
        // a registry source that lacks the id: the package answers it
        createDecoder('confluent', { schemaSource: mapSchemaSource({}) }).decodeBatch([framed]),
        createDecoder('rubin', { rubinSchemaVersion: `${v.major}.${v.minor}` }).decodeBatch([
          records[0]
        ])
      ];
      for (const d of decodes) {
        expect(d.rejects).toEqual([]);
        const rows = decodedRows(d.batch);
        expect(rows.length).toBe(1);
        expectAlertJson(rows[0], alert);
      }
    });
  }

  it('a v11 body read as the default v10_0 is rejected; framed with its id it decodes', () => {
    const v11 = resolveRubinSchemaVersion('11.1');
    const file = new Uint8Array(readFileSync(join(v11.dir, 'sample_data/fakeAlert.avro')));
    const body = splitOcfRecords(file).records[0];
    expect(createDecoder('rubin').decodeBatch([body]).rejects.length).toBe(1);
    const framed = createDecoder('rubin').decodeBatch([confluent(1101, body)]);
    expect(framed.rejects).toEqual([]);
    expect(framed.batch.numRows).toBe(1);
  });

  it('an id that is no Rubin version and not in the source is rejected as unknown-schema', () => {
    const file = new Uint8Array(
      readFileSync(join(resolveRubinSchemaVersion('10.0').dir, 'sample_data/fakeAlert.avro'))
    );
    const framed = confluent(4242, splitOcfRecords(file).records[0]);
    const r = createDecoder('confluent').decodeBatch([framed]);
    expect(r.rejects.map(x => x.code)).toEqual(['unknown-schema']);
    expect(r.rejects[0].reason).toContain('4242');
  });
});
