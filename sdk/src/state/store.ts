/**
 * One input partition's object state, column by column: fixed-size pages of typed arrays (one array
 * per field, no per-object JS objects, no growth copies) and a Map from object id to slot. About
 * 330 bytes of arrays per object plus the Map entry and the id string.
 */
import { STATE_FIELDS, initialValue, type FieldKind } from './schema.js';

/** Objects per page (2^12). */
export const PAGE_BITS = 12;
export const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

export type FieldArray = Float64Array | Float32Array | BigInt64Array;

function newArray(kind: FieldKind): FieldArray {
  switch (kind) {
    case 'f64':
      return new Float64Array(PAGE_SIZE).fill(NaN);
    case 'f32':
      return new Float32Array(PAGE_SIZE).fill(NaN);
    case 'u32':
      // counts in float32 (exact to 2^24): numeric fields then come in two array classes only,
      // which keeps the update loop's element accesses polymorphic rather than megamorphic
      return new Float32Array(PAGE_SIZE);
    case 'i64':
      return new BigInt64Array(PAGE_SIZE).fill(initialValue('i64') as bigint);
  }
}

/** The state of the objects of one partition. */
export class ObjectStore {
  /** pages[p][field] → typed array of PAGE_SIZE values. */
  private readonly pages: FieldArray[][] = [];
  private readonly slots = new Map<string, number>();
  private readonly ids: string[] = [];

  /** Number of objects held. */
  get size(): number {
    return this.ids.length;
  }

  /** Slot of an object, or -1. */
  find(objectId: string): number {
    return this.slots.get(objectId) ?? -1;
  }

  /** Slot of an object, created (all fields initial) when new. */
  slotOf(objectId: string): number {
    let slot = this.slots.get(objectId);
    if (slot === undefined) {
      slot = this.ids.length;
      if ((slot & PAGE_MASK) === 0) {
        this.pages.push(STATE_FIELDS.map(f => newArray(f.kind)));
      }
      this.slots.set(objectId, slot);
      this.ids.push(objectId);
    }
    return slot;
  }

  idOf(slot: number): string {
    return this.ids[slot];
  }

  /** The arrays of the page holding `slot` (index them with {@link offsetIn}). */
  page(slot: number): FieldArray[] {
    return this.pages[slot >>> PAGE_BITS];
  }

  /** Numeric field (f64/f32/u32) of a slot. */
  get(slot: number, field: number): number {
    return this.pages[slot >>> PAGE_BITS][field][slot & PAGE_MASK] as number;
  }

  set(slot: number, field: number, value: number): void {
    (this.pages[slot >>> PAGE_BITS][field] as Float64Array)[slot & PAGE_MASK] = value;
  }

  getId64(slot: number, field: number): bigint {
    return (this.pages[slot >>> PAGE_BITS][field] as BigInt64Array)[slot & PAGE_MASK];
  }

  setId64(slot: number, field: number, value: bigint): void {
    (this.pages[slot >>> PAGE_BITS][field] as BigInt64Array)[slot & PAGE_MASK] = value;
  }

  /** Every object id with its slot. */
  entries(): IterableIterator<[string, number]> {
    return this.slots.entries();
  }
}

/** Index of `slot` inside its page. */
export function offsetIn(slot: number): number {
  return slot & PAGE_MASK;
}
