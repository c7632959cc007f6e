/**
 * Code that reads one scalar (boolean, int, long, float, double, string, bytes, fixed, enum) and
 * writes it to a column builder (variable `col`) and/or a slot. Part of the reader compiler.
 */
import { AvroSchemaError } from '../../errors.js';
import type { AvroType } from './schema.js';
import type { SlotRef } from './slots.js';

/** Reads a byte/string length into `n` and moves `p` past it (one-byte lengths inline). */
export const READ_LEN =
  'n = b[p]; if (n < 128 && (n & 1) === 0) { n >>>= 1; p++; if (p + n > end) { throw H.truncated(p); } } else { n = H.len(b, p, end); p = H.p; }';

/**
 * The read code for `t` and the code writing its nulls. `col` is the generated variable of the
 * column builder; `enumAt` the index of the enum's symbol table `E[enumAt]`.
 */
export function emitScalar(
  t: AvroType,
  path: string,
  col: string | undefined,
  slot: SlotRef | undefined,
  enumAt: number
): { code: string; nulls: string } {
  const w: string[] = [];
  const nulls: string[] = [];
  if (col) {
    nulls.push(`${col}.appendNull();`);
  }
  if (slot) {
    nulls.push(`sn[${slot.index}] = 1;`);
  }
  const setNum = (expr: string): void => {
    if (slot?.kind === 'num') {
      w.push(`sf[${slot.index}] = ${expr}; sn[${slot.index}] = 0;`);
    }
  };
  switch (t.kind) {
    case 'boolean':
    case 'int':
    case 'float':
    case 'double':
      w.push(
        t.kind === 'boolean'
          ? 'v = b[p++];'
          : t.kind === 'int'
            ? 'v = b[p]; if (v < 128) { v = (v >>> 1) ^ -(v & 1); p++; } else { v = H.long(b, p); p = H.p; }'
            : t.kind === 'float'
              ? 'v = dv.getFloat32(p, true); p += 4;'
              : 'v = dv.getFloat64(p, true); p += 8;'
      );
      if (col) {
        w.push(`${col}.append(v);`);
      }
      if (slot?.kind === 'id' && t.kind === 'int') {
        w.push(
          `slo[${slot.index}] = v; shi[${slot.index}] = v < 0 ? -1 : 0; sn[${slot.index}] = 0;`
        );
      }
      setNum('v');
      break;
    case 'long':
      w.push('p = H.long64(b, p);');
      if (col) {
        w.push(`${col}.appendHalves(H.lo, H.hi);`);
      }
      if (slot?.kind === 'id') {
        w.push(`slo[${slot.index}] = H.lo; shi[${slot.index}] = H.hi; sn[${slot.index}] = 0;`);
      }
      setNum('H.num64()');
      break;
    case 'string':
    case 'bytes':
    case 'fixed': {
      w.push(
        t.kind === 'fixed' ? `n = ${t.size};` : READ_LEN,
        t.kind === 'fixed' ? 'if (p + n > end) { throw H.truncated(p); }' : ''
      );
      if (col) {
        w.push(`${col}.appendBytes(b, p, n);`);
      }
      if (slot?.kind === 'str') {
        w.push(`ss[${slot.index}] = p; sl[${slot.index}] = n; sn[${slot.index}] = 0;`);
      }
      w.push('p += n;');
      break;
    }
    case 'enum': {
      const e = enumAt;
      w.push(
        `v = H.long(b, p); p = H.p; if (v < 0 || v >= E[${e}].length) { throw H.badEnum(p, v); }`
      );
      if (col) {
        w.push(`${col}.appendBytes(E[${e}][v], 0, E[${e}][v].length);`);
      }
      setNum('v');
      break;
    }
    default:
      throw new AvroSchemaError(`Cannot project Avro type "${t.kind}" at ${path}.`);
  }
  return { code: w.join('\n'), nulls: nulls.join('\n') };
}
