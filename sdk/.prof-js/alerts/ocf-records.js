/**
 * Splits an Avro container file into its records' raw (schemaless) bodies — what a producer
 * sends per Kafka message for Rubin — using a compiled reader that skips every field.
 */
import { AlertDecodeError } from '../errors.js';
import { compileReader } from './avro/codegen.js';
import { readOcfBlocks, readOcfHeader } from './avro/ocf.js';
import { parseAvroSchema } from './avro/schema.js';
import { Slots } from './avro/slots.js';
/** The writer schema text and each record's bytes (copies, independent of `file`). */
export function splitOcfRecords(file) {
    const header = readOcfHeader(file);
    const schema = new TextDecoder().decode(header.schemaBytes);
    const skip = compileReader(parseAvroSchema(schema), { scalar: () => undefined, arrayHook: () => undefined }, new Slots(0));
    const records = [];
    for (const block of readOcfBlocks(file, header)) {
        const b = block.data;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        let p = block.start;
        for (let i = 0; i < block.count; i++) {
            const next = skip(b, p, block.end, dv);
            if (next > block.end) {
                throw new AlertDecodeError('Avro container record runs past the end of its block.', {
                    context: { record: records.length }
                });
            }
            records.push(b.slice(p, next));
            p = next;
        }
    }
    return { schema, records };
}
