/**
 * Learned layouts of skipped runs in array items (layouts.ts, run-tuner.ts): checks, reads before
 * and after tuning, row counts, damaged and cut input; fixture in testing/layout-items.ts.
 */
import { describe, expect, it } from 'vitest';
import { AlertDecodeError } from '../../errors.js';
import { LightcurveColumn } from '../arrow/lightcurve.js';
import { KEEP_ARRAY, compileReader } from './codegen.js';
import { layoutCheck, traceLayout } from './layouts.js';
import { parseAvroSchema, type AvroType } from './schema.js';
import { Slots } from './slots.js';
import { ITEM, SCHEMA, Writer, encode, items, reader } from '../testing/layout-items.js';

describe('learned layouts of skipped runs', () => {
  it('a layout check holds for bytes of that shape and not for another null pattern', () => {
    const item = (SCHEMA as { fields: Array<{ type: { items: AvroType } }> }).fields[0].type.items;
    const fields = (item as { fields: Array<{ type: AvroType }> }).fields.map(f => f.type);
    const [x, y] = items(2, 1);
    const bx = encode([x]).subarray(1);
    const layout = traceLayout(fields.slice(0, 5), bx, 0, bx.length)!;
    expect(layout).toBeDefined();
    const check = new Function('b', 'dv', 'p', `return ${layoutCheck(layout)};`) as (
      b: Uint8Array,
      dv: DataView,
      p: number
    ) => boolean;
    const dvx = new DataView(bx.buffer, bx.byteOffset, bx.byteLength);
    expect(check(bx, dvx, 0)).toBe(true);
    const by = encode([y]).subarray(1); // item 1 has shape 1: b is null
    expect(check(by, new DataView(by.buffer, by.byteOffset, by.byteLength), 0)).toBe(false);
  });

  it('reads the same values before and after tuning, over shapes that come and go', () => {
    const r = reader();
    const data = [items(3000, 7), items(3000, 8), items(500, 9).map(i => ({ ...i, e: null }))];
    for (let round = 0; round < 6; round++) {
      for (const list of data) {
        const b = encode(list);
        expect(r.run(b)).toBe(b.length);
        expect(r.kept).toEqual(list.map(i => i.keep));
        r.read.tune();
      }
    }
    const stats = r.read.tuner.stats();
    expect(stats.length).toBeGreaterThan(0);
    expect(stats.some(s => s.layouts > 0)).toBe(true);
  });

  it('most rows of a repetitive array hit a learned layout', () => {
    const r = reader();
    const list = items(4000, 3);
    const b = encode(list);
    r.run(b);
    r.read.tune(); // learns from the sampled misses
    r.run(b);
    const stats = r.read.tuner.stats();
    const rows = stats.reduce((n, s) => n + s.rows, 0);
    const misses = stats.reduce((n, s) => n + s.misses, 0);
    expect(rows).toBeGreaterThan(0);
    expect(misses / rows).toBeLessThan(0.25);
  });

  it('counts every item of every run once, learned or not (rows counted per block of items)', () => {
    const r = reader();
    const list = items(4000, 3);
    const b = encode(list);
    for (let round = 0; round < 3; round++) {
      r.run(b);
      const stats = r.read.tuner.stats();
      expect(stats.length).toBeGreaterThan(0);
      expect(stats.map(s => s.rows)).toEqual(stats.map(() => list.length));
      r.read.tune();
    }
  });

  it('skips a nullable array of records nobody reads through learned runs, before and after tuning', () => {
    const schema = parseAvroSchema(
      JSON.stringify({
        type: 'record',
        name: 'Outer',
        fields: [
          { name: 'items', type: ['null', { type: 'array', items: ITEM }] },
          { name: 'after', type: 'double' }
        ]
      })
    );
    const got: number[] = [];
    const sink = { append: (v: number) => got.push(v), appendNull: () => got.push(NaN) };
    const read = compileReader(
      schema as AvroType,
      {
        scalar: path => (path === 'after' ? { column: sink as never } : undefined),
        arrayHook: () => undefined
      },
      new Slots(0)
    );
    for (let round = 0; round < 4; round++) {
      const list = items(3000, 20 + round);
      const body = encode(list); // count, items, 0
      const tail = new Uint8Array(new Float64Array([round + 0.5]).buffer);
      const b = new Uint8Array(1 + body.length + 8);
      b[0] = 2; // the array branch
      b.set(body, 1);
      b.set(tail, 1 + body.length);
      got.length = 0;
      expect(read(b, 0, b.length, new DataView(b.buffer))).toBe(b.length);
      expect(got).toEqual([round + 0.5]);
      const stats = read.tuner.stats();
      expect(stats.length).toBeGreaterThan(0); // the items' fields are runs of their own reader
      expect(stats.every(x => x.rows === list.length)).toBe(true);
      read.tune();
    }
    expect(read.tuner.stats().some(x => x.layouts > 0)).toBe(true);
    const nul = Uint8Array.from([0, ...new Uint8Array(new Float64Array([7.25]).buffer)]);
    got.length = 0;
    expect(read(nul, 0, nul.length, new DataView(nul.buffer))).toBe(nul.length);
    expect(got).toEqual([7.25]);
  });

  it('a damaged union byte or a cut record still fails as with no layouts', () => {
    const r = reader();
    const list = items(3000, 5);
    const b = encode(list);
    for (let i = 0; i < 3; i++) {
      r.run(b);
      r.read.tune();
    }
    // item 1500: find its union byte for `b` (after id and a) and set it to an invalid branch
    const before = encode(list.slice(0, 1500)).length - 1; // minus the end-of-array zero
    const damaged = b.slice();
    const aByte = before + 5; // id is 5 varint bytes (1e9+i zigzag), then a's union byte
    expect(damaged[aByte]).toBe(list[1500].a === null ? 0 : 2);
    damaged[aByte] = 9;
    expect(() => r.run(damaged)).toThrow(AlertDecodeError);
    // a record cut short: the same outcome as a reader that never learned a layout, and a failure
    // (an error, or a position past the end, which the decoder reports as truncated)
    const outcome = (x: ReturnType<typeof reader>, end: number): string => {
      try {
        const p = x.run(b, end);
        return p > end ? 'past end' : `ended at ${p}`;
      } catch (e) {
        return e instanceof AlertDecodeError ? 'decode error' : String(e);
      }
    };
    for (const cut of [40, 333, 1001]) {
      const got = outcome(r, b.length - cut);
      expect(got).toBe(outcome(reader(), b.length - cut));
      expect(['past end', 'decode error']).toContain(got);
    }
  });

  it('skips a nested record inside a run, before and after learning its layout', () => {
    const schema = parseAvroSchema(
      JSON.stringify({
        type: 'record',
        name: 'A',
        fields: [
          {
            name: 'items',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'I',
                fields: [
                  { name: 'a', type: ['null', 'double'] },
                  {
                    name: 'pos',
                    type: {
                      type: 'record',
                      name: 'P',
                      fields: [
                        { name: 'ra', type: 'double' },
                        { name: 'dec', type: ['null', 'double'] }
                      ]
                    }
                  },
                  { name: 'keep', type: 'double' }
                ]
              }
            }
          }
        ]
      })
    );
    const kept: number[] = [];
    const read = compileReader(
      schema,
      {
        scalar: path =>
          path === 'items[].keep'
            ? { column: { append: (v: number) => kept.push(v), appendNull: () => 0 } as never }
            : undefined,
        arrayHook: path => (path === 'items' ? KEEP_ARRAY : undefined)
      },
      new Slots(0)
    );
    const w = new Writer();
    w.long(200);
    for (let i = 0; i < 200; i++) {
      w.opt(i % 7 === 0 ? null : 1, () => w.f64(1));
      w.f64(2);
      w.opt(i % 5 === 0 ? null : 3, () => w.f64(3));
      w.f64(i);
    }
    w.long(0);
    const b = Uint8Array.from(w.out);
    for (let round = 0; round < 3; round++) {
      kept.length = 0;
      expect(read(b, 0, b.length, new DataView(b.buffer))).toBe(b.length);
      expect(kept).toEqual(Array.from({ length: 200 }, (_, i) => i));
      read.tune();
    }
  });

  it('a damaged item count is not reserved in the lightcurve buffers before it fails', () => {
    const lc = new LightcurveColumn();
    const read = compileReader(
      SCHEMA as AvroType,
      {
        scalar: path => (path === 'items[].keep' ? { column: lc.sinks.mjd } : undefined),
        arrayHook: path => (path === 'items' ? KEEP_ARRAY : undefined)
      },
      new Slots(0)
    );
    const good = encode(items(3, 1));
    const bad = good.slice();
    bad.set([0xfe, 0xff, 0xff, 0xff, 0x0f], 0); // a count of 2^31 - 1 where 3 was
    const fixed = Uint8Array.from([...bad.subarray(0, 5), ...good.subarray(1)]);
    const dv = new DataView(fixed.buffer);
    lc.beginPoints();
    let outcome = 'returned';
    try {
      if (read(fixed, 0, fixed.length, dv) > fixed.length) {
        outcome = 'past end';
      }
    } catch (e) {
      outcome = e instanceof AlertDecodeError ? 'decode error' : String(e);
    }
    expect(['past end', 'decode error']).toContain(outcome);
    expect(lc.sinks.mjd.v.length).toBeLessThan(4096);
  });

  it('a union index in two bytes (not canonical) is never learned as a layout', () => {
    const r = reader();
    const list = items(3000, 11).map(i => ({ ...i, a: 1.5 }));
    const b = encode(list);
    // item 0's `a` branch: 0x02 → 0x82 0x00, the same number as a two-byte varint
    const at = 2 + 5; // after the count (2 bytes) and item 0's id (5 bytes)
    expect(b[at]).toBe(2);
    const odd = Uint8Array.from([...b.subarray(0, at), 0x82, 0x00, ...b.subarray(at + 1)]);
    const outcome = (): string => {
      try {
        return `ended at ${r.run(odd)}`;
      } catch (e) {
        return e instanceof AlertDecodeError ? 'decode error' : String(e);
      }
    };
    // enough failed reads for the tuner to judge the run and to sample the odd row
    for (let i = 0; i < 200; i++) {
      expect(outcome()).toBe('decode error');
    }
    r.read.tune();
    expect(outcome()).toBe('decode error');
  });
});
