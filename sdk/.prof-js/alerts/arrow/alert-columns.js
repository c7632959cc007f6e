/**
 * All column builders of one decoder: the canonical columns, the flattened survey fields (created
 * on first sight, backfilled with nulls), the lightcurve and the cutouts. One row per accepted
 * alert; a rejected alert is undone with `rollback()`.
 */
import { Field, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { CANONICAL_COLUMNS, CUTOUT_COLUMNS } from '../schema.js';
import { BoolColumn, Float32Column, Float64Column, Int32Column, Int64Column } from './columns.js';
import { LightcurveColumn } from './lightcurve.js';
import { BinaryColumn, Utf8Column } from './varlen.js';
/** Makes the builder for an Avro scalar kind. */
export function builderForKind(kind) {
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
    survey = new Utf8Column();
    alertId = new Int64Column();
    objectId = new Utf8Column();
    diaObjectId = new Int64Column();
    ra = new Float64Column();
    dec = new Float64Column();
    mjd = new Float64Column();
    band = new Utf8Column();
    mag = new Float64Column();
    magErr = new Float64Column();
    psfFlux = new Float64Column();
    psfFluxErr = new Float64Column();
    ssObjectId = new Int64Column();
    ssnamenr = new Utf8Column();
    ssdistnr = new Float64Column();
    isMovingObject = new BoolColumn();
    lightcurve = new LightcurveColumn();
    extra = new Map();
    cutouts = new Map();
    reserved = new Set([
        ...CANONICAL_COLUMNS,
        'lightcurve',
        ...CUTOUT_COLUMNS
    ]);
    /** Accepted rows so far in this batch. */
    rows = 0;
    canonical() {
        return CANONICAL_COLUMNS.map(name => this[name]);
    }
    /**
     * The flattened column `name` of `kind`, created (and backfilled with nulls) on first use;
     * undefined when the name is canonical or already used with another type.
     */
    column(name, kind) {
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
    /** The flattened column `name` if it exists, whatever its type. */
    existingColumn(name) {
        return this.reserved.has(name) ? undefined : this.extra.get(name);
    }
    /** The cutout column `name` (one of CUTOUT_COLUMNS). */
    cutout(name) {
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
    endRow() {
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
    rollback() {
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
    /** Builds the RecordBatch of the rows so far and starts a new batch. */
    finish() {
        const fields = [];
        const children = [];
        const add = (name, c, nullable = true) => {
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
        add('lightcurve', this.lightcurve, false);
        for (const name of CUTOUT_COLUMNS) {
            const c = this.cutouts.get(name);
            if (c) {
                add(name, c);
            }
        }
        const length = this.rows;
        this.rows = 0;
        const schema = new Schema(fields);
        const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
        return new RecordBatch(schema, data);
    }
}
