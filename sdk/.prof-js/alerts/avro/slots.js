export class Slots {
    size;
    num;
    isNull;
    lo;
    hi;
    start;
    len;
    constructor(size) {
        this.size = size;
        this.num = new Float64Array(size);
        this.isNull = new Uint8Array(size).fill(1);
        this.lo = new Int32Array(size);
        this.hi = new Int32Array(size);
        this.start = new Int32Array(size);
        this.len = new Int32Array(size);
    }
    /** Marks every slot null (before each row). */
    reset() {
        this.isNull.fill(1);
    }
    /** Numeric value or NaN when null. */
    numOrNaN(i) {
        return this.isNull[i] ? NaN : this.num[i];
    }
}
