/**
 * Variable-length column builders (Utf8, Binary): offsets + bytes, copied straight from the input
 * buffer. Strings are never decoded to JS strings on the hot path.
 */
import { Binary, Utf8, makeData } from 'apache-arrow';
import { ColumnBuilder } from './columns.js';
const INITIAL_ROWS = 64;
const INITIAL_BYTES = 1024;
const encoder = new TextEncoder();
class VarLenColumn extends ColumnBuilder {
    offsets = new Int32Array(INITIAL_ROWS + 1);
    bytes = new Uint8Array(INITIAL_BYTES);
    /** Appends `len` bytes of `src` starting at `start`. */
    appendBytes(src, start, len) {
        const n = this.length;
        if (n + 1 >= this.offsets.length) {
            const next = new Int32Array(this.offsets.length * 2);
            next.set(this.offsets);
            this.offsets = next;
        }
        this.ensureValid();
        const at = this.offsets[n];
        const end = at + len;
        if (end > this.bytes.length) {
            let cap = this.bytes.length * 2;
            while (cap < end) {
                cap *= 2;
            }
            const next = new Uint8Array(cap);
            next.set(this.bytes.subarray(0, at));
            this.bytes = next;
        }
        const bytes = this.bytes;
        if (len < 32) {
            for (let i = 0; i < len; i++) {
                bytes[at + i] = src[start + i];
            }
        }
        else {
            bytes.set(src.subarray(start, start + len), at);
        }
        this.offsets[n + 1] = end;
        this.valid[n] = 1;
        this.length = n + 1;
    }
    appendNull() {
        this.appendBytes(this.bytes, 0, 0);
        this.valid[this.length - 1] = 0;
    }
    truncate(rows) {
        this.length = Math.min(this.length, rows);
    }
    takeBuffers() {
        const n = this.length;
        const out = {
            length: n,
            valueOffsets: this.offsets.subarray(0, n + 1),
            data: this.bytes.subarray(0, this.offsets[n]),
            ...this.takeValidity()
        };
        this.offsets = new Int32Array(Math.max(INITIAL_ROWS, n) + 1);
        this.bytes = new Uint8Array(Math.max(INITIAL_BYTES, out.data.length));
        this.length = 0;
        return out;
    }
}
/** Utf8 column. */
export class Utf8Column extends VarLenColumn {
    type = new Utf8();
    /** Appends a JS string (encoded to UTF-8); for the cold path only. */
    appendString(s) {
        const b = encoder.encode(s);
        this.appendBytes(b, 0, b.length);
    }
    finish() {
        return makeData({ type: this.type, ...this.takeBuffers() });
    }
}
/** Binary column (cutouts, Avro `bytes` and `fixed`). */
export class BinaryColumn extends VarLenColumn {
    type = new Binary();
    finish() {
        return makeData({ type: this.type, ...this.takeBuffers() });
    }
}
