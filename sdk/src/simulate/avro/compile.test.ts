import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from '../../alerts/index.js';
import { AvroEncodeError } from '../../errors.js';
import { ByteWriter } from './bytes.js';
import { compileWriter } from './compile.js';

const schema = parseAvroSchema({
  type: 'record',
  name: 'T',
  namespace: 'test',
  fields: [
    { name: 'i', type: 'int' },
    { name: 'id', type: 'long' },
    { name: 'maybe', type: ['null', 'string'] },
    { name: 'list', type: { type: 'array', items: 'long' } },
    { name: 'colour', type: { type: 'enum', name: 'Colour', symbols: ['red', 'green'] } },
    { name: 'm', type: { type: 'map', values: 'boolean' } },
    { name: 'f', type: { type: 'fixed', name: 'Two', size: 2 } },
    {
      name: 'inner',
      type: ['null', { type: 'record', name: 'In', fields: [{ name: 'x', type: 'double' }] }]
    },
    { name: 'multi', type: ['null', 'int', 'string'] }
  ]
});

function encode(value: unknown): number[] {
  const w = new ByteWriter(8);
  compileWriter(schema, 'T')(w, value);
  return [...w.toBytes()];
}

describe('compileWriter', () => {
  it('writes every kind of type in schema order, nulls for absent optional fields', () => {
    const bytes = encode({
      i: -2,
      id: 2n ** 62n,
      list: [1, 2n],
      colour: 'green',
      m: { a: true },
      f: Uint8Array.of(7, 8),
      multi: 'z'
    });
    expect(bytes).toEqual([
      3, // i = -2
      ...[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 2^62 zig-zag
      0, // maybe: null branch
      4,
      2,
      4,
      0, // array of 2 longs, then end
      2, // enum index 1
      2,
      2,
      0x61,
      1,
      0, // map: 1 entry "a" -> true, end
      7,
      8, // fixed
      0, // inner: null
      4,
      2,
      0x7a // multi: branch 2 (string) "z"
    ]);
  });

  it('writes a present optional record through its union branch', () => {
    const bytes = encode({
      i: 0,
      id: 0,
      list: [],
      colour: 'red',
      m: {},
      f: Uint8Array.of(0, 0),
      inner: { x: 1 }
    });
    // inner: branch 1, then the double 1.0; multi: null
    expect(bytes.slice(-10)).toEqual([2, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0]);
  });

  it('names the path of a bad value', () => {
    const good = { i: 0, id: 0, list: [], colour: 'red', m: {}, f: Uint8Array.of(0, 0) };
    expect(() => encode({ ...good, i: undefined })).toThrow(
      /T\.i: expected Avro value for a required field/
    );
    expect(() => encode({ ...good, i: 2 ** 31 })).toThrow(/T\.i: expected Avro int/);
    expect(() => encode({ ...good, id: 1.5 })).toThrow(/T\.id: expected Avro long/);
    expect(() => encode({ ...good, list: [1, 'x'] })).toThrow(/T\.list\[1\]: expected Avro long/);
    expect(() => encode({ ...good, inner: { x: 'no' } })).toThrow(
      /T\.inner\.x: expected Avro double/
    );
    expect(() => encode({ ...good, colour: 'blue' })).toThrow(AvroEncodeError);
    expect(() => encode({ ...good, multi: true })).toThrow(/T\.multi: expected Avro union/);
  });
});
