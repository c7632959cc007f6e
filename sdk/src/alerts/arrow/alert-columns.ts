/**
 * All column builders of one decoder: the canonical columns, the flattened survey fields (created
 * on first sight, backfilled with nulls), the lightcurve and the cutouts. One row per accepted
 * alert; a rejected alert is undone with `rollback()`.
 */
import { Field, RecordBatch, Schema, Struct, makeData, type Data } from 'apache-arrow';
import type { ScalarKind } from '../avro/codegen.js';
import { CANONICAL_COLUMNS, CUTOUT_COLUMNS } from '../schema.js';
import {
  BoolColumn,
  ColumnBuilder,
  Float32Column,
  Float64Column,
  Int32Column,
  Int64Column
} from './columns.js';
import { LightcurveColumn } from './lightcurve.js';
import { BinaryColumn, Utf8Column } from './varlen.js';
import { accountExternalMemoryInHeapLimit } from '../external-memory.js';

/** Makes the builder for an Avro scalar kind. */
export function builderForKind(kind: ScalarKind): ColumnBuilder {
  switch (kind) {
    case 'boolean':
      return new BoolColumn();
    case 'int':
      return new Int32Column();
    case 'long':
      return new Int64Column();
    case 'float':
      return new Float32Column();
    case 'double':
      return new Float64Column();
    case 'string':
    case 'enum':
      return new Utf8Column();
    default:
      return new BinaryColumn();
  }
}

export class AlertColumns {
  constructor() {
    // each finished batch's lightcurve is fresh external memory: see external-memory.ts
    accountExternalMemoryInHeapLimit();
  }
  readonly survey = new Utf8Column();
  readonly alertId = new Int64Column();
  readonly objectId = new Utf8Column();
  readonly diaObjectId = new Int64Column();
  readonly ra = new Float64Column();
  readonly dec = new Float64Column();
  readonly mjd = new Float64Column();
  readonly band = new Utf8Column();
  readonly mag = new Float64Column();
  readonly magErr = new Float64Column();
  readonly totalMag = new Float64Column();
  readonly totalMagErr = new Float64Column();
  readonly psfFlux = new Float64Column();
  readonly psfFluxErr = new Float64Column();
  readonly ssObjectId = new Int64Column();
  readonly ssnamenr = new Utf8Column();
  readonly ssdistnr = new Float64Column();
  readonly isMovingObject = new BoolColumn();
  readonly lightcurve = new LightcurveColumn();
  private readonly extra = new Map<string, ColumnBuilder>();
  private readonly cutouts = new Map<string, BinaryColumn>();
  private readonly reserved = new Set<string>([
    ...CANONICAL_COLUMNS,
    'lightcurve',
    ...CUTOUT_COLUMNS
  ]);
  /** Accepted rows so far in this batch. */
  rows = 0;

  private canonical(): ColumnBuilder[] {
    return CANONICAL_COLUMNS.map(name => this[name]);
  }

  /**
   * The flattened column `name` of `kind`, created (and backfilled with nulls) on first use;
   * undefined when the name is canonical or already used with another type.
   */
  column(name: string, kind: ScalarKind): ColumnBuilder | undefined {
    if (this.reserved.has(name)) {
      return undefined;
    }
    const existing = this.extra.get(name);
    const fresh = builderForKind(kind);
    if (existing) {
      return existing.type.typeId === fresh.type.typeId ? existing : undefined;
    }
    for (let i = 0; i < this.rows; i++) {
      fresh.appendNull();
    }
    this.extra.set(name, fresh);
    return fresh;
  }

  /**
   * Drops the flattened columns whose builder is not in `keep` (the readers that wrote them were
   * evicted from the decoder's schema cache), so a stream where every schema has fields of its own
   * does not widen every later batch without end. Only between batches; returns how many went.
   */
  retainColumns(keep: ReadonlySet<unknown>): number {
    if (this.rows !== 0) {
      return 0;
    }
    let dropped = 0;
    for (const [name, c] of this.extra) {
      if (!keep.has(c)) {
        this.extra.delete(name);
        dropped++;
      }
    }
    return dropped;
  }

  /** The flattened column `name` if it exists, whatever its type. */
  existingColumn(name: string): ColumnBuilder | undefined {
    return this.reserved.has(name) ? undefined : this.extra.get(name);
  }

  /** The cutout column `name` (one of CUTOUT_COLUMNS). */
  cutout(name: string): BinaryColumn {
    let c = this.cutouts.get(name);
    if (!c) {
      c = new BinaryColumn();
      for (let i = 0; i < this.rows; i++) {
        c.appendNull();
      }
      this.cutouts.set(name, c);
    }
    return c;
  }

  /** Completes a row: columns this alert's schema did not fill get a null. */
  endRow(): void {
    const n = ++this.rows;
    for (const c of this.extra.values()) {
      if (c.length < n) {
        c.appendNull();
      }
    }
    for (const c of this.cutouts.values()) {
      if (c.length < n) {
        c.appendNull();
      }
    }
  }

  /** Undoes a partly written row. */
  rollback(): void {
    const n = this.rows;
    for (const c of this.canonical()) {
      c.truncate(n);
    }
    for (const c of this.extra.values()) {
      c.truncate(n);
    }
    for (const c of this.cutouts.values()) {
      c.truncate(n);
    }
    this.lightcurve.truncate(n);
  }

  /**
   * Builds the RecordBatch of the rows so far and starts a new batch. Cutout columns are left out
   * unless `includeCutouts` (they hold only nulls in a batch decoded without them); the lightcurve
   * unless `includeLightcurve` (decoded without history arrays it holds only the current points).
   */
  finish(includeCutouts: boolean, includeLightcurve = true): RecordBatch {
    const fields: Field[] = [];
    const children: Data[] = [];
    const add = (name: string, c: { finish(): Data }, nullable = true): void => {
      const data = c.finish();
      fields.push(new Field(name, data.type, nullable));
      children.push(data);
    };
    for (const name of CANONICAL_COLUMNS) {
      add(name, this[name], name !== 'survey' && name !== 'isMovingObject');
    }
    for (const [name, c] of this.extra) {
      add(name, c);
    }
    if (includeLightcurve) {
      add('lightcurve', this.lightcurve, false);
    } else {
      this.lightcurve.finish();
    }
    for (const name of CUTOUT_COLUMNS) {
      const c = this.cutouts.get(name);
      if (c && includeCutouts) {
        add(name, c);
      } else {
        c?.finish();
      }
    }
    const length = this.rows;
    this.rows = 0;
    const wrong = children.findIndex(c => c.length !== length);
    if (wrong >= 0) {
      throw new Error(
        `internal: column ${fields[wrong].name} has ${children[wrong].length} values for ${length} rows`
      );
    }
    const schema = new Schema(fields);
    const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
    return new RecordBatch(schema, data);
  }
}
