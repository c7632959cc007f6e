/**
 * The `lightcurve` column: List<Struct<mjd, band, flux, fluxErr, mag, magErr, isDetection,
 * upperLimitMag, forced>>, one list per alert (history + current detection). Points are kept in
 * plain typed arrays (NaN stands for null in the numeric fields) and grow together, one capacity
 * check per point; the next batch starts at the capacity the last one needed.
 */
import { Bool, Field, Float64, List, Struct, Utf8, makeData } from 'apache-arrow';
import { packBits } from './columns.js';
const F64 = ['mjd', 'flux', 'fluxErr', 'mag', 'magErr', 'upperLimitMag'];
function nanBitmap(values) {
    const n = values.length;
    const bits = new Uint8Array((n + 7) >> 3);
    let nulls = 0;
    for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === v) {
            bits[i >> 3] |= 1 << (i & 7);
        }
        else {
            nulls++;
        }
    }
    return nulls === 0 ? { nullCount: 0 } : { nullBitmap: bits, nullCount: nulls };
}
export class LightcurveColumn {
    cap = 256;
    mjd = new Float64Array(this.cap);
    flux = new Float64Array(this.cap);
    fluxErr = new Float64Array(this.cap);
    mag = new Float64Array(this.cap);
    magErr = new Float64Array(this.cap);
    upperLimitMag = new Float64Array(this.cap);
    isDetection = new Uint8Array(this.cap);
    forced = new Uint8Array(this.cap);
    bandValid = new Uint8Array(this.cap);
    bandOffsets = new Int32Array(this.cap + 1);
    bandBytes = new Uint8Array(this.cap);
    offsets = new Int32Array(65);
    /** Closed rows (alerts). */
    length = 0;
    /** Points so far. */
    points = 0;
    growPoints() {
        const cap = this.cap * 2;
        for (const k of F64) {
            const next = new Float64Array(cap);
            next.set(this[k]);
            this[k] = next;
        }
        for (const k of ['isDetection', 'forced', 'bandValid']) {
            const next = new Uint8Array(cap);
            next.set(this[k]);
            this[k] = next;
        }
        const offsets = new Int32Array(cap + 1);
        offsets.set(this.bandOffsets);
        this.bandOffsets = offsets;
        this.cap = cap;
    }
    /**
     * Appends one point to the open row. Numeric NaN → null; the band is `bandLen` bytes of
     * `band` from `bandStart`, or null when `band` is null.
     */
    push(mjd, flux, fluxErr, mag, magErr, isDetection, upperLimitMag, forced, band, bandStart, bandLen) {
        const i = this.points;
        if (i >= this.cap) {
            this.growPoints();
        }
        this.mjd[i] = mjd;
        this.flux[i] = flux;
        this.fluxErr[i] = fluxErr;
        this.mag[i] = mag;
        this.magErr[i] = magErr;
        this.upperLimitMag[i] = upperLimitMag;
        this.isDetection[i] = isDetection ? 1 : 0;
        this.forced[i] = forced ? 1 : 0;
        const at = this.bandOffsets[i];
        if (band === null) {
            this.bandValid[i] = 0;
            this.bandOffsets[i + 1] = at;
        }
        else {
            if (at + bandLen > this.bandBytes.length) {
                const next = new Uint8Array(Math.max(this.bandBytes.length * 2, at + bandLen));
                next.set(this.bandBytes);
                this.bandBytes = next;
            }
            for (let k = 0; k < bandLen; k++) {
                this.bandBytes[at + k] = band[bandStart + k];
            }
            this.bandValid[i] = 1;
            this.bandOffsets[i + 1] = at + bandLen;
        }
        this.points = i + 1;
    }
    /** Ends the current alert's list. */
    closeRow() {
        if (this.length + 2 > this.offsets.length) {
            const next = new Int32Array(this.offsets.length * 2);
            next.set(this.offsets);
            this.offsets = next;
        }
        this.offsets[++this.length] = this.points;
    }
    /** Undoes everything after `rows` closed rows (a rejected alert). */
    truncate(rows) {
        this.length = Math.min(this.length, rows);
        this.points = this.offsets[this.length];
    }
    /** The Arrow type of this column. */
    static type() {
        return new List(new Field('item', new Struct(lightcurveFields()), false));
    }
    /** Builds the Arrow data and starts a new batch with the same capacity. */
    finish() {
        const n = this.length;
        const m = this.points;
        const f64 = (v) => makeData({
            type: new Float64(),
            length: m,
            data: v.subarray(0, m),
            ...nanBitmap(v.subarray(0, m))
        });
        const bool = (v) => makeData({ type: new Bool(), length: m, nullCount: 0, data: packBits(v, m).bits });
        const valid = packBits(this.bandValid, m);
        const band = makeData({
            type: new Utf8(),
            length: m,
            valueOffsets: this.bandOffsets.subarray(0, m + 1),
            data: this.bandBytes.subarray(0, this.bandOffsets[m]),
            ...(valid.unset === 0 ? { nullCount: 0 } : { nullBitmap: valid.bits, nullCount: valid.unset })
        });
        const children = [
            f64(this.mjd),
            band,
            f64(this.flux),
            f64(this.fluxErr),
            f64(this.mag),
            f64(this.magErr),
            bool(this.isDetection),
            f64(this.upperLimitMag),
            bool(this.forced)
        ];
        const struct = makeData({
            type: new Struct(lightcurveFields()),
            length: m,
            nullCount: 0,
            children
        });
        const data = makeData({
            type: LightcurveColumn.type(),
            length: n,
            nullCount: 0,
            valueOffsets: this.offsets.subarray(0, n + 1),
            child: struct
        });
        this.reset(Math.max(256, m), Math.max(64, n));
        return data;
    }
    reset(points, rows) {
        this.cap = points;
        for (const k of F64) {
            this[k] = new Float64Array(points);
        }
        this.isDetection = new Uint8Array(points);
        this.forced = new Uint8Array(points);
        this.bandValid = new Uint8Array(points);
        this.bandOffsets = new Int32Array(points + 1);
        this.bandBytes = new Uint8Array(points);
        this.offsets = new Int32Array(rows + 1);
        this.length = 0;
        this.points = 0;
    }
}
/** The struct fields of a lightcurve point, in order. */
export function lightcurveFields() {
    const f = (name, type) => new Field(name, type, true);
    return [
        f('mjd', new Float64()),
        f('band', new Utf8()),
        f('flux', new Float64()),
        f('fluxErr', new Float64()),
        f('mag', new Float64()),
        f('magErr', new Float64()),
        f('isDetection', new Bool()),
        f('upperLimitMag', new Float64()),
        f('forced', new Bool())
    ];
}
