/**
 * Generated skip code for Avro values nobody reads (part of the reader compiler, codegen.ts):
 * per primitive type, and the branch test of a union.
 */
import { READ_LEN } from './emit-scalar.js';

/**
 * Skips a varint. Away from the end, finds the first byte without the continuation bit in four
 * bytes at once (no data-dependent loop exit to mispredict); else byte by byte.
 */
const SKIP_VARINT = `if (p + 8 <= end) {
  v = ~dv.getUint32(p, true) & 0x80808080;
  if (v !== 0) { p += ((31 - Math.clz32(v & -v)) >>> 3) + 1; }
  else { v = ~dv.getUint32(p + 4, true) & 0x80808080;
    if (v !== 0) { p += ((31 - Math.clz32(v & -v)) >>> 3) + 5; } else { p += 8; while (b[p++] > 127) {} } }
} else { while (b[p++] > 127) {} }`;

export const SKIP: Record<string, string> = {
  null: '',
  boolean: 'p += 1;',
  int: 'while (b[p++] > 127) {}',
  long: SKIP_VARINT,
  float: 'p += 4;',
  double: 'p += 8;',
  string: `${READ_LEN} p += n;`,
  bytes: `${READ_LEN} p += n;`
};

/** Code that reads a union's branch index and runs that branch's code. */
export function unionSwitch(branches: string[]): string {
  if (branches.length > 63) {
    const cases = branches.map((c, i) => `case ${i}: { ${c} break; }`).join('\n');
    return `t = H.long(b, p); p = H.p;\nswitch (t) {\n${cases}\ndefault: throw H.badUnion(p, t);\n}`;
  }
  // Branch indexes below 64 are one zigzag byte: index i is written as 2i.
  const tests = branches.map((c, i) => `if (t === ${2 * i}) {${c ? ` ${c} ` : ''}}`).join(' else ');
  return `t = b[p++];\n${tests} else { throw H.badUnion(p, t >>> 1); }`;
}
