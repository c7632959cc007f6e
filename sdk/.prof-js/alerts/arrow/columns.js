/**
 * Growable column builders that write straight into typed arrays (capacity doubles), then hand
 * their buffers to Arrow without copying values one by one. Validity is kept as one byte per row
 * while appending and packed into Arrow's bitmap in `finish()`.
 */
import { Bool, Float32, Float64, Int32, Int64, makeData } from 'apache-arrow';
const INITIAL_ROWS = 64;
/** Packs one-byte-per-row flags into an LSB-first bitmap; returns null when every flag is set. */
export function packBits(flags, length) {
    const bits = new Uint8Array((length + 7) >> 3);
    let unset = 0;
    for (let i = 0; i < length; i++) {
        if (flags[i] !== 0) {
            bits[i >> 3] |= 1 << (i & 7);
        }
        else {
            unset++;
        }
    }
    return { bits, unset };
}
function grow(arr, need) {
    let cap = arr.length * 2;
    while (cap < need) {
        cap *= 2;
    }
    const next = new arr.constructor(cap);
    next.set(arr);
    return next;
}
/** Base of all column builders: row count and validity bytes. */
export class ColumnBuilder {
    length = 0;
    valid = new Uint8Array(INITIAL_ROWS);
    ensureValid() {
        if (this.length >= this.valid.length) {
            this.valid = grow(this.valid, this.length + 1);
        }
    }
    takeValidity() {
        const { bits, unset } = packBits(this.valid, this.length);
        this.valid = new Uint8Array(Math.max(INITIAL_ROWS, this.length));
        return unset === 0 ? { nullCount: 0 } : { nullBitmap: bits, nullCount: unset };
    }
}
/** Float64 (also used for Avro `double`). */
export class Float64Column extends ColumnBuilder {
    type = new Float64();
    values = new Float64Array(INITIAL_ROWS);
    append(v) {
        if (this.length >= this.values.length) {
            this.values = grow(this.values, this.length + 1);
        }
        this.ensureValid();
        this.values[this.length] = v;
        this.valid[this.length++] = 1;
    }
    /** Appends `v`, or null when `isNull` is true. */
    appendOrNull(v, isNull) {
        if (isNull) {
            this.appendNull();
        }
        else {
            this.append(v);
        }
    }
    appendNull() {
        if (this.length >= this.values.length) {
            this.values = grow(this.values, this.length + 1);
        }
        this.ensureValid();
        this.values[this.length] = 0;
        this.valid[this.length++] = 0;
    }
    truncate(rows) {
        this.length = Math.min(this.length, rows);
    }
    finish() {
        const n = this.length;
        const data = makeData({
            type: this.type,
            length: n,
            data: this.values.subarray(0, n),
            ...this.takeValidity()
        });
        this.values = new Float64Array(Math.max(INITIAL_ROWS, n));
        this.length = 0;
        return data;
    }
}
/** Float32 (Avro `float`, kept exact). */
export class Float32Column extends ColumnBuilder {
    type = new Float32();
    values = new Float32Array(INITIAL_ROWS);
    append(v) {
        if (this.length >= this.values.length) {
            this.values = grow(this.values, this.length + 1);
        }
        this.ensureValid();
        this.values[this.length] = v;
        this.valid[this.length++] = 1;
    }
    appendNull() {
        if (this.length >= this.values.length) {
            this.values = grow(this.values, this.length + 1);
        }
        this.ensureValid();
        this.values[this.length] = 0;
        this.valid[this.length++] = 0;
    }
    truncate(rows) {
        this.length = Math.min(this.length, rows);
    }
    finish() {
        const n = this.length;
        const data = makeData({
            type: this.type,
            length: n,
            data: this.values.subarray(0, n),
            ...this.takeValidity()
        });
        this.values = new Float32Array(Math.max(INITIAL_ROWS, n));
        this.length = 0;
        return data;
    }
}
/** Int32 (Avro `int`). */
export class Int32Column extends ColumnBuilder {
    type = new Int32();
    values = new Int32Array(INITIAL_ROWS);
    append(v) {
        if (this.length >= this.values.length) {
            this.values = grow(this.values, this.length + 1);
        }
        this.ensureValid();
        this.values[this.length] = v;
        this.valid[this.length++] = 1;
    }
    appendNull() {
        if (this.length >= this.values.length) {
            this.values = grow(this.values, this.length + 1);
        }
        this.ensureValid();
        this.values[this.length] = 0;
        this.valid[this.length++] = 0;
    }
    truncate(rows) {
        this.length = Math.min(this.length, rows);
    }
    finish() {
        const n = this.length;
        const data = makeData({
            type: this.type,
            length: n,
            data: this.values.subarray(0, n),
            ...this.takeValidity()
        });
        this.values = new Int32Array(Math.max(INITIAL_ROWS, n));
        this.length = 0;
        return data;
    }
}
/**
 * Int64 kept exact: values are written as two 32-bit halves (little-endian) into an Int32Array
 * whose buffer becomes the BigInt64Array handed to Arrow. No BigInt is created while appending.
 */
export class Int64Column extends ColumnBuilder {
    type = new Int64();
    halves = new Int32Array(INITIAL_ROWS * 2);
    /** Appends the 64-bit value whose low and high 32 bits are `lo` and `hi`. */
    appendHalves(lo, hi) {
        if (2 * this.length + 2 > this.halves.length) {
            this.halves = grow(this.halves, 2 * this.length + 2);
        }
        this.ensureValid();
        this.halves[2 * this.length] = lo;
        this.halves[2 * this.length + 1] = hi;
        this.valid[this.length++] = 1;
    }
    /** Appends a bigint (wrapped to signed 64 bits). */
    appendBigInt(v) {
        const u = BigInt.asUintN(64, v);
        this.appendHalves(Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
    }
    appendNull() {
        this.appendHalves(0, 0);
        this.valid[this.length - 1] = 0;
    }
    truncate(rows) {
        this.length = Math.min(this.length, rows);
    }
    finish() {
        const n = this.length;
        const data = makeData({
            type: this.type,
            length: n,
            data: new BigInt64Array(this.halves.buffer, 0, n),
            ...this.takeValidity()
        });
        this.halves = new Int32Array(Math.max(INITIAL_ROWS, n) * 2);
        this.length = 0;
        return data;
    }
}
/** Bool (values kept one byte per row, packed at finish). */
export class BoolColumn extends ColumnBuilder {
    type = new Bool();
    values = new Uint8Array(INITIAL_ROWS);
    append(v) {
        if (this.length >= this.values.length) {
            this.values = grow(this.values, this.length + 1);
        }
        this.ensureValid();
        this.values[this.length] = v ? 1 : 0;
        this.valid[this.length++] = 1;
    }
    appendNull() {
        this.append(0);
        this.valid[this.length - 1] = 0;
    }
    truncate(rows) {
        this.length = Math.min(this.length, rows);
    }
    finish() {
        const n = this.length;
        const data = makeData({
            type: this.type,
            length: n,
            data: packBits(this.values, n).bits,
            ...this.takeValidity()
        });
        this.values = new Uint8Array(Math.max(INITIAL_ROWS, n));
        this.length = 0;
        return data;
    }
}
