/**
 * Avro schema parsing into a small resolved type tree. Named types (record, enum, fixed) are
 * resolved by full name with namespace inheritance; references may point into other schema files
 * (`external`). Field defaults are ignored (a writer schema needs none), so the old ZTF schemas
 * whose union defaults do not match the first branch parse fine. Logical types decode as their raw
 * underlying type.
 */
import { AvroSchemaError } from '../../errors.js';

export type AvroPrimitive =
  'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export interface AvroRecord {
  kind: 'record';
  name: string;
  fields: AvroField[];
}
export interface AvroField {
  name: string;
  type: AvroType;
}
export interface AvroEnum {
  kind: 'enum';
  name: string;
  symbols: string[];
}
export interface AvroFixed {
  kind: 'fixed';
  name: string;
  size: number;
}
export interface AvroArray {
  kind: 'array';
  items: AvroType;
}
export interface AvroMap {
  kind: 'map';
  values: AvroType;
}
export interface AvroUnion {
  kind: 'union';
  branches: AvroType[];
}
export interface AvroPrimitiveType {
  kind: AvroPrimitive;
}
export type AvroType =
  AvroPrimitiveType | AvroRecord | AvroEnum | AvroFixed | AvroArray | AvroMap | AvroUnion;

const PRIMITIVES = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string'
]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses schema JSON (text or value); `external` supplies named types defined in other files. */
export function parseAvroSchema(
  schema: string | Json,
  external: ReadonlyMap<string, Json> = new Map()
): AvroType {
  const json = typeof schema === 'string' ? (JSON.parse(schema) as Json) : schema;
  const named = new Map<string, AvroType>();
  const fullName = (name: string, ns: string | undefined): string =>
    name.includes('.') || !ns ? name : `${ns}.${name}`;

  const resolve = (ref: string, ns: string | undefined): AvroType => {
    for (const key of [fullName(ref, ns), ref]) {
      const t = named.get(key);
      if (t) {
        return t;
      }
      const ext = external.get(key);
      if (ext !== undefined) {
        const extNs = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : undefined;
        return walk(ext, extNs);
      }
    }
    throw new AvroSchemaError(
      `Avro schema references unknown type "${ref}". Give the schema files that define it.`,
      { context: { type: ref, namespace: ns } }
    );
  };

  const walk = (t: Json, ns: string | undefined): AvroType => {
    if (typeof t === 'string') {
      return PRIMITIVES.has(t) ? { kind: t as AvroPrimitive } : resolve(t, ns);
    }
    if (Array.isArray(t)) {
      return { kind: 'union', branches: t.map(b => walk(b, ns)) };
    }
    if (
      !isObject(t) ||
      (typeof t.type !== 'string' && !Array.isArray(t.type) && !isObject(t.type))
    ) {
      throw new AvroSchemaError(`Avro schema has an invalid type: ${JSON.stringify(t)}`);
    }
    const type = t.type;
    if (typeof type !== 'string') {
      return walk(type, ns);
    }
    if (PRIMITIVES.has(type)) {
      return { kind: type as AvroPrimitive };
    }
    const ownNs = typeof t.namespace === 'string' ? t.namespace : ns;
    const name = typeof t.name === 'string' ? fullName(t.name, ownNs) : '';
    const innerNs = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ownNs;
    switch (type) {
      case 'record':
      case 'error': {
        const rec: AvroRecord = { kind: 'record', name, fields: [] };
        named.set(name, rec);
        const fields = Array.isArray(t.fields) ? t.fields : [];
        for (const f of fields) {
          if (!isObject(f) || typeof f.name !== 'string' || f.type === undefined) {
            throw new AvroSchemaError(`Avro record "${name}" has an invalid field.`);
          }
          rec.fields.push({ name: f.name, type: walk(f.type, innerNs) });
        }
        return rec;
      }
      case 'enum': {
        const symbols = Array.isArray(t.symbols) ? t.symbols.map(String) : [];
        const e: AvroEnum = { kind: 'enum', name, symbols };
        named.set(name, e);
        return e;
      }
      case 'fixed': {
        const f: AvroFixed = { kind: 'fixed', name, size: Number(t.size) };
        named.set(name, f);
        return f;
      }
      case 'array':
        return { kind: 'array', items: walk(t.items ?? null, ns) };
      case 'map':
        return { kind: 'map', values: walk(t.values ?? null, ns) };
      default:
        return resolve(type, ns);
    }
  };
  return walk(json, undefined);
}

/** Collects the named types defined in a schema JSON value, by full name (for `external`). */
export function collectNamedDefinitions(json: Json, into: Map<string, Json>, ns?: string): void {
  if (Array.isArray(json)) {
    json.forEach(j => collectNamedDefinitions(j, into, ns));
    return;
  }
  if (!isObject(json)) {
    return;
  }
  const ownNs = typeof json.namespace === 'string' ? json.namespace : ns;
  if (
    typeof json.name === 'string' &&
    ['record', 'enum', 'fixed', 'error'].includes(String(json.type))
  ) {
    const full = json.name.includes('.') || !ownNs ? json.name : `${ownNs}.${json.name}`;
    into.set(full, json);
  }
  const innerNs = ownNs;
  for (const key of ['type', 'items', 'values', 'fields']) {
    const v = json[key];
    if (v !== undefined && typeof v !== 'string') {
      collectNamedDefinitions(v, into, innerNs);
    }
  }
}

export type { Json as AvroJson };

/**
 * Returns `json` as one self-contained schema: each reference to a type from `external` is
 * replaced by its definition where first used (as a Schema Registry stores a flattened schema).
 */
export function inlineExternalTypes(json: Json, external: ReadonlyMap<string, Json>): Json {
  const seen = new Set<string>();
  const walk = (t: Json, ns: string | undefined): Json => {
    if (typeof t === 'string') {
      const key = external.has(t) ? t : ns && external.has(`${ns}.${t}`) ? `${ns}.${t}` : undefined;
      if (key === undefined || seen.has(key)) {
        return t;
      }
      seen.add(key);
      const def = external.get(key) as Json;
      return walk(def, key.slice(0, Math.max(0, key.lastIndexOf('.'))) || undefined);
    }
    if (Array.isArray(t)) {
      return t.map(x => walk(x, ns));
    }
    if (!isObject(t)) {
      return t;
    }
    const ownNs = typeof t.namespace === 'string' ? t.namespace : ns;
    if (
      typeof t.name === 'string' &&
      ['record', 'enum', 'fixed', 'error'].includes(String(t.type))
    ) {
      seen.add(t.name.includes('.') || !ownNs ? t.name : `${ownNs}.${t.name}`);
    }
    const out: { [k: string]: Json } = { ...t };
    if (t.type !== undefined && typeof t.type !== 'string') {
      out.type = walk(t.type, ownNs);
    } else if (
      typeof t.type === 'string' &&
      !PRIMITIVES.has(t.type) &&
      !['record', 'enum', 'fixed', 'error', 'array', 'map'].includes(t.type)
    ) {
      out.type = walk(t.type, ownNs);
    }
    if (t.items !== undefined) {
      out.items = walk(t.items, ownNs);
    }
    if (t.values !== undefined) {
      out.values = walk(t.values, ownNs);
    }
    if (Array.isArray(t.fields)) {
      out.fields = t.fields.map(f =>
        isObject(f) && f.type !== undefined ? { ...f, type: walk(f.type, ownNs) } : f
      );
    }
    return out;
  };
  return walk(json, undefined);
}
