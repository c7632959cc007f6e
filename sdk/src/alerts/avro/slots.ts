/**
 * Scratch slots that a generated reader fills with the values a survey mapper needs to compute the
 * canonical columns (ids exactly as 32-bit halves, numbers, and strings as byte ranges into the
 * input). One index space; `isNull` is 1 until a value is written.
 */
export type SlotKind = 'num' | 'id' | 'str';

export interface SlotRef {
  index: number;
  kind: SlotKind;
}

export class Slots {
  readonly num: Float64Array;
  readonly isNull: Uint8Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly start: Int32Array;
  readonly len: Int32Array;
  constructor(readonly size: number) {
    this.num = new Float64Array(size);
    this.isNull = new Uint8Array(size).fill(1);
    this.lo = new Int32Array(size);
    this.hi = new Int32Array(size);
    this.start = new Int32Array(size);
    this.len = new Int32Array(size);
  }
  /** Marks every slot null (before each row). */
  reset(): void {
    this.isNull.fill(1);
  }
  /** Numeric value or NaN when null. */
  numOrNaN(i: number): number {
    return this.isNull[i] ? NaN : this.num[i];
  }
}
