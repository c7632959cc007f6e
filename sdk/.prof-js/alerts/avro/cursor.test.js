import { describe, expect, it } from 'vitest';
import { AvroCursor, bigintFromHalves } from './cursor.js';
/** Zigzag varint encoding of a signed 64-bit value (test-side encoder). */
function encodeLong(v) {
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    const out = [];
    do {
        let byte = Number(z & 0x7fn);
        z >>= 7n;
        if (z !== 0n) {
            byte |= 0x80;
        }
        out.push(byte);
    } while (z !== 0n);
    return Uint8Array.from(out);
}
const CASES = [
    0n,
    1n,
    -1n,
    63n,
    -64n,
    64n,
    2n ** 31n - 1n,
    -(2n ** 31n),
    2n ** 32n + 5n,
    2n ** 53n + 1n,
    -(2n ** 53n) - 3n,
    170094456272322680n,
    3367463101415010117n,
    2n ** 63n - 1n,
    -(2n ** 63n)
];
describe('AvroCursor', () => {
    it('reads longs exactly through 32-bit halves, beyond 2^53', () => {
        const h = new AvroCursor();
        for (const v of CASES) {
            const bytes = encodeLong(v);
            const end = h.long64(bytes, 0);
            expect(end).toBe(bytes.length);
            expect(bigintFromHalves(h.lo, h.hi)).toBe(v);
        }
    });
    it('reads safe-integer longs as numbers', () => {
        const h = new AvroCursor();
        for (const v of CASES.filter(c => c >= -(2n ** 53n) && c <= 2n ** 53n)) {
            const bytes = encodeLong(v);
            expect(h.long(bytes, 0)).toBe(Number(v));
            expect(h.p).toBe(bytes.length);
        }
    });
    it('rejects lengths that run past the end', () => {
        const h = new AvroCursor();
        const bytes = Uint8Array.of(...encodeLong(10n), 1, 2, 3);
        expect(() => h.len(bytes, 0, bytes.length)).toThrow(/truncated/);
        expect(() => h.len(encodeLong(-4n), 0, 1)).toThrow(/truncated/);
    });
});
