import { DuckDBDataChunk, INTEGER } from '@duckdb/node-api';
import bindings from './bindings.js';
import { KIND_INFO, planColumns, quoteIdent } from './column-types.js';
/** Plans the table for a batch's schema and runs the CREATE TABLE. No rows are added. */
export async function createTableFromArrow(connection, table, batch, options = {}) {
    const { columns, skipped } = planColumns(batch.schema.fields);
    const defs = columns.map(c => `${quoteIdent(c.name)} ${KIND_INFO[c.kind].sqlType}`);
    if (options.rowIndexColumn !== undefined) {
        defs.push(`${quoteIdent(options.rowIndexColumn)} INTEGER`);
    }
    const verb = options.replace ? 'CREATE OR REPLACE' : 'CREATE';
    const temp = options.temporary ? ' TEMP' : '';
    await connection.run(`${verb}${temp} TABLE ${quoteIdent(table)} (${defs.join(', ')})`);
    return { table, columns, skipped, rowIndexColumn: options.rowIndexColumn };
}
/** Creates the table and appends the batch: Arrow -> DuckDB in one call. */
export async function arrowToDuckTable(connection, table, batch, options = {}) {
    const plan = await createTableFromArrow(connection, table, batch, options);
    await appendArrowBatch(connection, plan, batch);
    return plan;
}
/**
 * Appends a batch to a table made by {@link createTableFromArrow}, column by column: each column's
 * value buffer is copied into DuckDB data chunks of 2,048 rows (numbers and Int64 as raw bytes, so
 * 64-bit ids stay exact; NaN stays NaN; Arrow nulls become DuckDB nulls). Strings go across as byte
 * slices of the Arrow buffer, never as JS strings.
 */
export async function appendArrowBatch(connection, plan, batch) {
    const types = plan.columns.map(c => KIND_INFO[c.kind].duckType);
    if (plan.rowIndexColumn !== undefined) {
        types.push(INTEGER);
    }
    const appender = await connection.createAppender(plan.table);
    try {
        const chunk = DuckDBDataChunk.create(types);
        const chunkRows = bindings.vector_size();
        const scratch = new ChunkScratch(chunkRows);
        for (let start = 0; start < batch.numRows; start += chunkRows) {
            const length = Math.min(chunkRows, batch.numRows - start);
            bindings.data_chunk_reset(chunk.chunk);
            plan.columns.forEach((column, i) => {
                const vector = bindings.data_chunk_get_vector(chunk.chunk, i);
                writeColumn(vector, column, batch.data.children[column.index], start, length, scratch);
            });
            if (plan.rowIndexColumn !== undefined) {
                const vector = bindings.data_chunk_get_vector(chunk.chunk, plan.columns.length);
                for (let j = 0; j < length; j++) {
                    scratch.rowIndex[j] = start + j;
                }
                bindings.copy_data_to_vector(vector, 0, scratch.rowIndex.buffer, 0, length * 4);
            }
            bindings.data_chunk_set_size(chunk.chunk, length);
            appender.appendDataChunk(chunk);
        }
        appender.flushSync();
    }
    finally {
        appender.closeSync();
    }
}
/** Reusable per-chunk buffers (bools unpacked to bytes, repacked validity, row indices). */
class ChunkScratch {
    bytes;
    validity;
    rowIndex;
    constructor(rows) {
        this.bytes = new Uint8Array(rows);
        this.validity = new Uint8Array(Math.ceil(rows / 64) * 8);
        this.rowIndex = new Int32Array(rows);
    }
}
function bitAt(bits, index) {
    return (bits[index >> 3] & (1 << (index & 7))) !== 0;
}
function writeValidity(vector, data, start, length, scratch) {
    const bitmap = data.nullBitmap;
    if (data.nullCount === 0 || bitmap === undefined || bitmap.length === 0) {
        return;
    }
    bindings.vector_ensure_validity_writable(vector);
    const firstBit = data.offset + start;
    const byteCount = Math.ceil(length / 8);
    if ((firstBit & 7) === 0) {
        const from = firstBit >> 3;
        bindings.copy_data_to_vector_validity(vector, 0, bitmap.buffer, bitmap.byteOffset + from, byteCount);
        return;
    }
    const out = scratch.validity;
    out.fill(0, 0, byteCount);
    for (let j = 0; j < length; j++) {
        if (bitAt(bitmap, firstBit + j)) {
            out[j >> 3] |= 1 << (j & 7);
        }
    }
    bindings.copy_data_to_vector_validity(vector, 0, out.buffer, 0, byteCount);
}
function writeColumn(vector, column, data, start, length, scratch) {
    writeValidity(vector, data, start, length, scratch);
    const width = KIND_INFO[column.kind].byteWidth;
    if (width > 0) {
        const values = data.values;
        bindings.copy_data_to_vector(vector, 0, values.buffer, values.byteOffset + start * width, length * width);
        return;
    }
    switch (column.kind) {
        case 'bool': {
            const bits = data.values;
            const out = scratch.bytes;
            for (let j = 0; j < length; j++) {
                out[j] = bitAt(bits, data.offset + start + j) ? 1 : 0;
            }
            bindings.copy_data_to_vector(vector, 0, out.buffer, 0, length);
            return;
        }
        case 'utf8':
        case 'large-utf8':
            writeStrings(vector, data, start, length);
            return;
        case 'dict-utf8':
            writeDictionaryStrings(vector, data, start, length);
            return;
        default:
            throw new Error(`No writer for column kind ${column.kind}`);
    }
}
function isValid(data, row) {
    const bitmap = data.nullBitmap;
    return (data.nullCount === 0 ||
        bitmap === undefined ||
        bitmap.length === 0 ||
        bitAt(bitmap, data.offset + row));
}
function writeStrings(vector, data, start, length) {
    const offsets = data.valueOffsets;
    const bytes = data.values;
    const big = offsets instanceof BigInt64Array;
    for (let j = 0; j < length; j++) {
        const row = start + j;
        if (!isValid(data, row)) {
            continue;
        }
        const from = big ? Number(offsets[row]) : offsets[row];
        const to = big ? Number(offsets[row + 1]) : offsets[row + 1];
        bindings.vector_assign_string_element_len(vector, j, bytes.subarray(from, to));
    }
}
function writeDictionaryStrings(vector, data, start, length) {
    const indices = data.values;
    const dictionary = data.dictionary;
    if (dictionary === undefined) {
        throw new Error('Dictionary column without a dictionary');
    }
    const dictData = dictionary.data.length === 1 ? dictionary.data[0] : undefined;
    for (let j = 0; j < length; j++) {
        const row = start + j;
        if (!isValid(data, row)) {
            continue;
        }
        const key = Number(indices[row]);
        if (dictData !== undefined) {
            const offsets = dictData.valueOffsets;
            const bytes = dictData.values;
            bindings.vector_assign_string_element_len(vector, j, bytes.subarray(offsets[key], offsets[key + 1]));
        }
        else {
            bindings.vector_assign_string_element(vector, j, String(dictionary.get(key)));
        }
    }
}
