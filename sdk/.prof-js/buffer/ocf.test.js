import { describe, expect, it } from 'vitest';
import { splitOcfRecords } from '../alerts/index.js';
import { autoFraming, confluentFrame, encodeLong, isOfficialRubinSchema, ocfToRecordValues, writeOcf } from './ocf.js';
const schema = JSON.stringify({
    type: 'record',
    name: 'tiny',
    fields: [
        { name: 'id', type: 'long' },
        { name: 's', type: 'string' }
    ]
});
function body(id, s) {
    const text = new TextEncoder().encode(s);
    return new Uint8Array(Buffer.concat([encodeLong(id), encodeLong(BigInt(text.length)), text]));
}
describe('Avro framing', () => {
    it('encodes zig-zag varints', () => {
        expect([...encodeLong(0n)]).toEqual([0]);
        expect([...encodeLong(-1n)]).toEqual([1]);
        expect([...encodeLong(1n)]).toEqual([2]);
        expect([...encodeLong(64n)]).toEqual([0x80, 0x01]);
        expect(encodeLong(2n ** 61n)).toHaveLength(9);
        expect(encodeLong(2n ** 62n)).toHaveLength(10);
        expect([...encodeLong(-(2n ** 63n))]).toEqual([...encodeLong(2n ** 63n - 1n)].map((b, i) => (i === 0 ? b + 1 : b)));
    });
    it('writes container files that split back into the same bodies', () => {
        const bodies = [body(1n, 'a'), body(170094456272322680n, 'bé'), body(-3n, '')];
        const file = writeOcf(schema, bodies);
        const split = splitOcfRecords(file);
        expect(split.schema).toBe(schema);
        expect(split.records.map(r => [...r])).toEqual(bodies.map(b => [...b]));
    });
    it('frames each record as a body, a one-record container or Confluent wire format', () => {
        const bodies = [body(1n, 'x'), body(2n, 'yy')];
        const file = writeOcf(schema, bodies);
        const asBody = ocfToRecordValues(file, 'body');
        expect(asBody.values.map(v => [...v])).toEqual(bodies.map(b => [...b]));
        const asOcf = ocfToRecordValues(file, 'ocf');
        expect(asOcf.values.map(v => splitOcfRecords(v).records.length)).toEqual([1, 1]);
        expect([...splitOcfRecords(asOcf.values[1]).records[0]]).toEqual([...bodies[1]]);
        const asConfluent = ocfToRecordValues(file, { confluentSchemaId: 258 });
        expect([...asConfluent.values[0].subarray(0, 5)]).toEqual([0, 0, 0, 1, 2]);
        expect([...asConfluent.values[0].subarray(5)]).toEqual([...bodies[0]]);
        expect(() => confluentFrame(-1, bodies[0])).toThrow(/schema id/);
    });
    it("'auto' sends bare bodies only for Rubin's official schema", () => {
        const official = JSON.stringify({
            type: 'record',
            namespace: 'lsst.v10_0',
            name: 'alert',
            fields: [{ name: 'diaSource', type: 'long' }]
        });
        const broker = JSON.stringify({
            type: 'record',
            name: 'topLevelRecord',
            fields: [{ name: 'diaSource', type: 'long' }]
        });
        expect(isOfficialRubinSchema(official)).toBe(true);
        expect(autoFraming(official)).toBe('body');
        expect(autoFraming(broker)).toBe('ocf');
        expect(autoFraming(schema)).toBe('ocf');
    });
});
