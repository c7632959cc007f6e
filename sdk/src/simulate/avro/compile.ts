/**
 * Compiles a parsed Avro schema (`parseAvroSchema`) into a writer function: one closure per type
 * node, built once, so encoding an alert walks no schema. Values: records are plain objects keyed
 * by field name (a missing or `undefined` field is written as null when its type is a union with
 * null, and is an error otherwise); `long` takes a bigint or a safe integer; `bytes`/`fixed` take a
 * Uint8Array; enums take the symbol; maps take a plain object or a Map.
 */
import type { AvroType } from '../../alerts/index.js';
import { AvroEncodeError } from '../../errors.js';
import type { ByteWriter } from './bytes.js';

/** Writes one value of a compiled type. */
export type DatumWriter = (w: ByteWriter, value: unknown) => void;

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/** Thrown inside the writers; records and arrays add their part of the path on the way out. */
class Failure extends Error {
  readonly segments: string[] = [];
  constructor(
    readonly type: string,
    readonly value: unknown
  ) {
    super(type);
  }
}

function fail(type: string, value: unknown): never {
  throw new Failure(type, value);
}

function addSegment(error: unknown, segment: string): unknown {
  if (error instanceof Failure) {
    error.segments.unshift(segment);
  }
  return error;
}

function toEncodeError(error: Failure, root: string): AvroEncodeError {
  const v = error.value;
  const shown = typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v));
  const path = root + error.segments.join('');
  return new AvroEncodeError(
    `Cannot encode ${path}: expected Avro ${error.type}, got ${shown.slice(0, 80)}. Fix the value or the schema.`,
    { context: { path, type: error.type } }
  );
}

/** True when `value` can be written as `type` (used to pick a union branch). */
function accepts(type: AvroType, value: unknown): boolean {
  switch (type.kind) {
    case 'null':
      return value === null || value === undefined;
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'long':
      return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
    case 'float':
    case 'double':
      return typeof value === 'number';
    case 'string':
    case 'enum':
      return typeof value === 'string';
    case 'bytes':
    case 'fixed':
      return value instanceof Uint8Array;
    case 'array':
      return Array.isArray(value);
    case 'map':
      return value instanceof Map || (typeof value === 'object' && value !== null);
    case 'record':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'union':
      return type.branches.some(b => accepts(b, value));
  }
}

function writeLong(w: ByteWriter, v: unknown): void {
  if (typeof v === 'bigint') {
    if (v < -(2n ** 63n) || v >= 2n ** 63n) {
      fail('long', v);
    }
    w.bigLong(v);
  } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
    w.long(v);
  } else {
    fail('long', v);
  }
}

function compileUnion(branches: AvroType[], memo: Map<AvroType, DatumWriter>): DatumWriter {
  const writers = branches.map(b => compileType(b, memo));
  const nullIndex = branches.findIndex(b => b.kind === 'null');
  if (branches.length === 2 && nullIndex >= 0) {
    const other = 1 - nullIndex;
    const write = writers[other];
    return (w, v) => {
      if (v === null || v === undefined) {
        w.long(nullIndex);
      } else {
        w.long(other);
        write(w, v);
      }
    };
  }
  return (w, v) => {
    const i = branches.findIndex(b => accepts(b, v));
    if (i < 0) {
      fail(`union of ${branches.map(b => b.kind).join('|')}`, v);
    }
    w.long(i);
    writers[i](w, v);
  };
}

function compileRecord(
  type: Extract<AvroType, { kind: 'record' }>,
  memo: Map<AvroType, DatumWriter>
): DatumWriter {
  const names: string[] = [];
  const writers: DatumWriter[] = [];
  const optional: boolean[] = [];
  const self: DatumWriter = (w, v) => {
    if (typeof v !== 'object' || v === null) {
      fail(`record ${type.name}`, v);
    }
    const obj = v as Record<string, unknown>;
    let i = 0;
    try {
      for (; i < names.length; i++) {
        const value = obj[names[i]];
        if (value === undefined && !optional[i]) {
          fail('value for a required field', value);
        }
        writers[i](w, value);
      }
    } catch (error) {
      throw addSegment(error, `.${names[i]}`);
    }
  };
  memo.set(type, self); // before the fields: records may refer to themselves
  for (const f of type.fields) {
    names.push(f.name);
    optional.push(f.type.kind === 'union' && f.type.branches.some(b => b.kind === 'null'));
    writers.push(compileType(f.type, memo));
  }
  return self;
}

function compileType(type: AvroType, memo: Map<AvroType, DatumWriter>): DatumWriter {
  const known = memo.get(type);
  if (known) {
    return known;
  }
  let out: DatumWriter;
  switch (type.kind) {
    case 'null':
      out = (_w, v) => {
        if (v !== null && v !== undefined) {
          fail('null', v);
        }
      };
      break;
    case 'boolean':
      out = (w, v) => (typeof v === 'boolean' ? w.boolean(v) : fail('boolean', v));
      break;
    case 'int':
      out = (w, v) =>
        typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX
          ? w.long(v)
          : fail('int', v);
      break;
    case 'long':
      out = writeLong;
      break;
    case 'float':
      out = (w, v) => (typeof v === 'number' ? w.float(v) : fail('float', v));
      break;
    case 'double':
      out = (w, v) => (typeof v === 'number' ? w.double(v) : fail('double', v));
      break;
    case 'string':
      out = (w, v) => (typeof v === 'string' ? w.string(v) : fail('string', v));
      break;
    case 'bytes':
      out = (w, v) => (v instanceof Uint8Array ? w.bytes(v) : fail('bytes', v));
      break;
    case 'fixed': {
      const size = type.size;
      out = (w, v) =>
        v instanceof Uint8Array && v.length === size ? w.raw(v) : fail(`fixed(${size})`, v);
      break;
    }
    case 'enum': {
      const index = new Map(type.symbols.map((s, i) => [s, i]));
      out = (w, v) => {
        const i = typeof v === 'string' ? index.get(v) : undefined;
        return i === undefined ? fail(`enum ${type.name}`, v) : w.long(i);
      };
      break;
    }
    case 'array': {
      const item = compileType(type.items, memo);
      out = (w, v) => {
        if (!Array.isArray(v)) {
          fail('array', v);
        }
        if (v.length > 0) {
          w.long(v.length);
          let i = 0;
          try {
            for (; i < v.length; i++) {
              item(w, v[i]);
            }
          } catch (error) {
            throw addSegment(error, `[${i}]`);
          }
        }
        w.long(0);
      };
      break;
    }
    case 'map': {
      const value = compileType(type.values, memo);
      out = (w, v) => {
        if (typeof v !== 'object' || v === null) {
          fail('map', v);
        }
        const entries = v instanceof Map ? [...v] : Object.entries(v);
        if (entries.length > 0) {
          w.long(entries.length);
          for (const [k, x] of entries) {
            w.string(String(k));
            try {
              value(w, x);
            } catch (error) {
              throw addSegment(error, `[${JSON.stringify(k)}]`);
            }
          }
        }
        w.long(0);
      };
      break;
    }
    case 'union':
      out = compileUnion(type.branches, memo);
      break;
    case 'record':
      return compileRecord(type, memo);
  }
  memo.set(type, out);
  return out;
}

/**
 * A writer for values of `type`. It throws AvroEncodeError naming the path of the bad value
 * (`alert.diaSource.ra`, with `rootName` first); the writer's position is then undefined.
 */
export function compileWriter(type: AvroType, rootName = 'value'): DatumWriter {
  const write = compileType(type, new Map());
  return (w, v) => {
    try {
      write(w, v);
    } catch (error) {
      throw error instanceof Failure ? toEncodeError(error, rootName) : error;
    }
  };
}
