/**
 * Walks Avro binary data by schema without decoding it: enough to find where each record of an
 * object container file ends (to split a file into one Kafka record per alert) and where a
 * record's fields start and end (to rewrite ids for benchmarks). Values are never materialised.
 */
import { ConfigError } from '../../sdk/src/errors.js';

/** A parsed Avro schema (JSON). */
export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

/** Reads past one value starting at `pos`; returns the position after it. */
export type Skipper = (buf: Uint8Array, pos: number) => number;

/** Reads a zig-zag varint long at `pos` as a number (exact below 2^53). */
export function readLong(buf: Uint8Array, pos: number): { value: number; next: number } {
  let n = 0;
  let shift = 1;
  let b: number;
  let p = pos;
  do {
    if (p >= buf.length) {
      throw new RangeError(`Avro data ends inside a varint at byte ${pos}`);
    }
    b = buf[p++];
    n += (b & 0x7f) * shift;
    shift *= 128;
  } while (b & 0x80);
  const value = n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  return { value, next: p };
}

const fixedSkip =
  (size: number): Skipper =>
  (buf, pos) => {
    if (pos + size > buf.length) {
      throw new RangeError(`Avro data ends at byte ${buf.length}, needed ${pos + size}`);
    }
    return pos + size;
  };

const skipVarint: Skipper = (buf, pos) => readLong(buf, pos).next;
const skipBytes: Skipper = (buf, pos) => {
  const { value, next } = readLong(buf, pos);
  if (value < 0 || next + value > buf.length) {
    throw new RangeError(`Bad Avro length ${value} at byte ${pos}`);
  }
  return next + value;
};

function skipBlocks(item: Skipper): Skipper {
  return (buf, pos) => {
    let p = pos;
    for (;;) {
      const { value: count, next } = readLong(buf, p);
      p = next;
      if (count === 0) {
        return p;
      }
      if (count < 0) {
        const size = readLong(buf, p);
        p = size.next + size.value;
        continue;
      }
      for (let i = 0; i < count; i++) {
        p = item(buf, p);
      }
    }
  };
}

const primitives: Record<string, Skipper> = {
  null: (_buf, pos) => pos,
  boolean: fixedSkip(1),
  int: skipVarint,
  long: skipVarint,
  float: fixedSkip(4),
  double: fixedSkip(8),
  bytes: skipBytes,
  string: skipBytes
};

/** Compiles skippers for a schema, resolving named types (records, enums, fixed) by full name. */
export class AvroSkipCompiler {
  private readonly named = new Map<string, { skip: Skipper }>();

  compile(schema: AvroSchema, namespace = ''): Skipper {
    if (typeof schema === 'string') {
      const prim = primitives[schema];
      if (prim) {
        return prim;
      }
      const full = schema.includes('.') || namespace === '' ? schema : `${namespace}.${schema}`;
      const ref = this.named.get(full) ?? this.named.get(schema);
      if (!ref) {
        throw new ConfigError(`Avro schema refers to unknown type "${schema}"`);
      }
      return (buf, pos) => ref.skip(buf, pos);
    }
    if (Array.isArray(schema)) {
      const branches = schema.map(s => this.compile(s, namespace));
      return (buf, pos) => {
        const { value, next } = readLong(buf, pos);
        const branch = branches[value];
        if (!branch) {
          throw new RangeError(`Avro union index ${value} out of range at byte ${pos}`);
        }
        return branch(buf, next);
      };
    }
    const type = schema.type as AvroSchema;
    switch (type) {
      case 'record':
      case 'error': {
        const { slot, ns } = this.declare(schema, namespace);
        const fields = (schema.fields as { name: string; type: AvroSchema }[]).map(f =>
          this.compile(f.type, ns)
        );
        slot.skip = (buf, pos) => {
          let p = pos;
          for (const f of fields) {
            p = f(buf, p);
          }
          return p;
        };
        return slot.skip;
      }
      case 'enum':
        return (this.declare(schema, namespace).slot.skip = skipVarint);
      case 'fixed':
        return (this.declare(schema, namespace).slot.skip = fixedSkip(Number(schema.size)));
      case 'array':
        return skipBlocks(this.compile(schema.items as AvroSchema, namespace));
      case 'map': {
        const value = this.compile(schema.values as AvroSchema, namespace);
        return skipBlocks((buf, pos) => value(buf, skipBytes(buf, pos)));
      }
      default:
        return this.compile(type, namespace);
    }
  }

  private declare(schema: { [key: string]: unknown }, namespace: string) {
    const name = String(schema.name);
    const ns =
      typeof schema.namespace === 'string'
        ? schema.namespace
        : name.includes('.')
          ? name.slice(0, name.lastIndexOf('.'))
          : namespace;
    const full = name.includes('.') || ns === '' ? name : `${ns}.${name}`;
    const slot: { skip: Skipper } = { skip: fixedSkip(0) };
    this.named.set(full, slot);
    return { slot, ns };
  }
}

/** Compiles a skipper for one value of `schema`. */
export function compileSkipper(schema: AvroSchema): Skipper {
  return new AvroSkipCompiler().compile(schema);
}

/** Byte span of one field of a record value. */
export interface FieldSpan {
  name: string;
  start: number;
  end: number;
}

/** Finds the byte spans of a record's fields; compiled once per schema, reused per value. */
export class RecordSpanner {
  private readonly names: string[];
  private readonly skippers: Skipper[];

  constructor(
    schema: AvroSchema,
    compiler: AvroSkipCompiler = new AvroSkipCompiler(),
    namespace = ''
  ) {
    if (typeof schema !== 'object' || Array.isArray(schema) || schema.type !== 'record') {
      throw new ConfigError('RecordSpanner needs a record schema');
    }
    compiler.compile(schema, namespace);
    const name = String(schema.name);
    const ns =
      typeof schema.namespace === 'string'
        ? schema.namespace
        : name.includes('.')
          ? name.slice(0, name.lastIndexOf('.'))
          : namespace;
    const fields = schema.fields as { name: string; type: AvroSchema }[];
    this.names = fields.map(f => f.name);
    // Named types are registered by now, so field types that refer to them resolve.
    this.skippers = fields.map(f => compiler.compile(f.type, ns));
  }

  spans(buf: Uint8Array, pos = 0): FieldSpan[] {
    const out: FieldSpan[] = [];
    let p = pos;
    for (let i = 0; i < this.skippers.length; i++) {
      const end = this.skippers[i](buf, p);
      out.push({ name: this.names[i], start: p, end });
      p = end;
    }
    return out;
  }
}
