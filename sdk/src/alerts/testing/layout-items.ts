/**
 * Test fixture for the learned layouts of skipped runs (avro/layouts.test.ts): a history-like
 * array of records, a tiny Avro writer for it, items in a few repeating shapes, and a reader
 * that keeps one field so the others form skip runs.
 */
import { KEEP_ARRAY, compileReader, type ProjectionPlan } from '../avro/codegen.js';
import { parseAvroSchema, type AvroType } from '../avro/schema.js';
import { Slots } from '../avro/slots.js';

export const ITEM = {
  type: 'record',
  name: 'Item',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'a', type: ['null', 'float'] },
    { name: 'b', type: ['null', 'double'] },
    { name: 'flag', type: ['null', 'boolean'] },
    { name: 'name', type: ['null', 'string'] },
    { name: 'keep', type: 'double' },
    { name: 'c', type: ['null', 'int'] },
    { name: 'd', type: ['null', 'float'] },
    { name: 'e', type: ['null', 'double'] }
  ]
};
export const SCHEMA = parseAvroSchema(
  JSON.stringify({
    type: 'record',
    name: 'Alert',
    fields: [{ name: 'items', type: { type: 'array', items: ITEM } }]
  })
);

/** A tiny Avro writer for the test schema. */
export class Writer {
  out: number[] = [];
  long(v: number): void {
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    while (z >= 128) {
      this.out.push((z % 128) | 128);
      z = Math.floor(z / 128);
    }
    this.out.push(z);
  }
  f32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.out.push(...b);
  }
  f64(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.out.push(...b);
  }
  opt(v: unknown, write: () => void): void {
    this.long(v === null ? 0 : 1);
    if (v !== null) {
      write();
    }
  }
}

export interface Item {
  id: number;
  a: number | null;
  b: number | null;
  flag: boolean | null;
  name: string | null;
  keep: number;
  c: number | null;
  d: number | null;
  e: number | null;
}

export function encode(items: Item[]): Uint8Array {
  const w = new Writer();
  w.long(items.length);
  for (const it of items) {
    w.long(it.id);
    w.opt(it.a, () => w.f32(it.a!));
    w.opt(it.b, () => w.f64(it.b!));
    w.opt(it.flag, () => w.out.push(it.flag ? 1 : 0));
    w.opt(it.name, () => {
      const s = new TextEncoder().encode(it.name!);
      w.long(s.length);
      w.out.push(...s);
    });
    w.f64(it.keep);
    w.opt(it.c, () => w.long(it.c!));
    w.opt(it.d, () => w.f32(it.d!));
    w.opt(it.e, () => w.f64(it.e!));
  }
  w.long(0);
  return Uint8Array.from(w.out);
}

/** Items in three common shapes and, one in ten, a random one. */
export function items(n: number, seed: number): Item[] {
  let s = seed;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: Item[] = [];
  for (let i = 0; i < n; i++) {
    const shape = rnd() < 0.9 ? i % 3 : -1;
    const pick = <T>(v: T): T | null => (shape === -1 ? (rnd() < 0.5 ? v : null) : v);
    out.push({
      id: 1_000_000_000 + i,
      a: shape === 0 ? null : pick(1.5),
      b: shape === 1 ? null : pick(2.5),
      flag: pick(i % 2 === 0),
      name: shape === 2 ? null : pick(shape === -1 && rnd() < 0.5 ? 'longer name' : 'g'),
      keep: i * 0.25,
      c: pick(shape === -1 ? Math.floor(rnd() * 100000) : 7),
      d: shape === 2 ? null : pick(3.5),
      e: pick(4.5)
    });
  }
  return out;
}

/** A reader that keeps `items[].keep` (so the other fields form skip runs) and collects it. */
export function reader() {
  const kept: number[] = [];
  const sink = {
    append: (v: number) => kept.push(v),
    appendNull: () => kept.push(NaN)
  };
  const plan: ProjectionPlan = {
    scalar: path => (path === 'items[].keep' ? { column: sink as never } : undefined),
    arrayHook: path => (path === 'items' ? KEEP_ARRAY : undefined)
  };
  const read = compileReader(SCHEMA as AvroType, plan, new Slots(0));
  const run = (b: Uint8Array, end = b.length): number => {
    kept.length = 0;
    return read(b, 0, end, new DataView(b.buffer, b.byteOffset, b.byteLength));
  };
  return { read, run, kept };
}
