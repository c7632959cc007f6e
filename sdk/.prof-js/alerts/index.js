/**
 * Alert codecs → Arrow, whole batches at a time.
 *
 * ```ts
 * const decoder = createDecoder('rubin');
 * const { batch, rowIndex, rejects } = decoder.decodeBatch(kafkaValues);
 * ```
 *
 * Formats: `rubin` (lsst.v10 schemaless bodies, or container files), `ztf` (container file per
 * record, or schemaless with `ztfSchema`), `confluent` (magic byte + schema id, resolved through
 * `schemaSource`), `json`, and `auto` (sniffs `Obj\x01`, the Confluent magic byte, `{`; anything
 * else is read as a Rubin schemaless body). Output columns: see `./schema.ts`.
 */
import { ConfigError } from '../errors.js';
import { AvroAlertDecoder } from './avro-decoder.js';
export { CANONICAL_COLUMNS, CUTOUT_COLUMNS, abMagFromNjy, magErrFromFlux } from './schema.js';
export { DEAD_LETTER_HEADERS, toDeadLetters } from './rejects.js';
export { dirSchemaSource, httpSchemaSource, mapSchemaSource } from './schema-source.js';
export { findRubinSchemaDir, loadRubinSchema, RUBIN_SCHEMA_VERSION } from './rubin-schema.js';
export { isOcf, readOcfBlocks, readOcfHeader } from './avro/ocf.js';
export { parseAvroSchema } from './avro/schema.js';
export { splitOcfRecords } from './ocf-records.js';
const FORMATS = new Set(['rubin', 'ztf', 'confluent', 'json', 'auto']);
/**
 * Makes a decoder for `format`. Each decoder keeps its compiled readers and its column set, so
 * use one decoder per topic (batches of one decoder share a schema).
 */
export function createDecoder(format, options = {}) {
    if (!FORMATS.has(format)) {
        throw new ConfigError(`Unknown alert format "${String(format)}". Use one of: ${[...FORMATS].join(', ')}.`, { context: { format } });
    }
    return new AvroAlertDecoder(format, options);
}
