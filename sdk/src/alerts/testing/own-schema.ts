/**
 * Alerts where every message carries its own writer schema (a small Rubin-shaped record with its
 * own namespace and doc), for the tests of the bounded schema caches: the Avro bodies, Confluent
 * framing and single-record container files are written here byte by byte.
 */

/**
 * A small Rubin-shaped writer schema of its own for `id` (its own namespace and doc); with
 * `ownField`, also a diaSource field of its own, `f<id>` (a column of its own once flattened).
 */
export function schemaFor(id: number, ownField = false): string {
  return JSON.stringify({
    type: 'record',
    name: 'alert',
    namespace: `test.v${id}`,
    doc: `Schema ${id} of a stream where every message has its own. ${'x'.repeat(1000)}`,
    fields: [
      { name: 'alertId', type: 'long' },
      {
        name: 'diaSource',
        type: {
          type: 'record',
          name: 'diaSource',
          fields: [
            { name: 'diaSourceId', type: 'long' },
            { name: 'ra', type: 'double' },
            { name: 'dec', type: 'double' },
            { name: 'midpointMjdTai', type: 'double' },
            { name: 'band', type: 'string' },
            { name: 'psfFlux', type: ['null', 'float'], default: null },
            ...(ownField ? [{ name: `f${id}`, type: 'double' }] : [])
          ]
        }
      }
    ]
  });
}

function zigzag(out: number[], v: bigint): void {
  let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
}

function double(out: number[], v: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  out.push(...b);
}

/** The Avro body of alert `i` under schemaFor(any id, ownField); the own field holds i / 2. */
export function body(i: number, ownField = false): number[] {
  const out: number[] = [];
  const id = 170_000_000_000_000_000n + BigInt(i);
  zigzag(out, id);
  zigzag(out, id);
  double(out, (i * 0.017) % 360);
  double(out, -30 + (i % 600) * 0.1);
  double(out, 61000 + i / 1e4);
  zigzag(out, 1n);
  out.push('r'.charCodeAt(0));
  zigzag(out, 1n);
  const f = new Uint8Array(4);
  new DataView(f.buffer).setFloat32(0, 1000 + i, true);
  out.push(...f);
  if (ownField) {
    double(out, i / 2);
  }
  return out;
}

export function confluent(id: number, i: number, ownField = false): Uint8Array {
  const b = body(i, ownField);
  const out = new Uint8Array(5 + b.length);
  new DataView(out.buffer).setInt32(1, id);
  out.set(b, 5);
  return out;
}

/** An object container file holding alert `i` under its own schema (no codec, one block). */
export function container(id: number, i: number): Uint8Array {
  const out: number[] = [0x4f, 0x62, 0x6a, 0x01];
  const meta = new TextEncoder().encode(schemaFor(id));
  const key = new TextEncoder().encode('avro.schema');
  zigzag(out, 1n);
  zigzag(out, BigInt(key.length));
  out.push(...key);
  zigzag(out, BigInt(meta.length));
  out.push(...meta);
  zigzag(out, 0n);
  const sync = Array.from({ length: 16 }, (_, k) => (k * 37 + id) & 0xff);
  out.push(...sync);
  const b = body(i);
  zigzag(out, 1n);
  zigzag(out, BigInt(b.length));
  out.push(...b, ...sync);
  return Uint8Array.from(out);
}
