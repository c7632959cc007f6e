/**
 * Alert codecs → Arrow, whole batches at a time.
 *
 * ```ts
 * const decoder = createDecoder('rubin');
 * const { batch, rowIndex, rejects } = decoder.decodeBatch(kafkaValues);
 * ```
 *
 * Formats: `rubin` (schemaless bodies of `rubinSchemaVersion`, default lsst.v10_0; Confluent-framed
 * bodies of any version lsst-alert-packet ships, by registry id; or container files), `ztf` (container file per
 * record, or schemaless with `ztfSchema`), `confluent` (magic byte + schema id, resolved through
 * `schemaSource`), `json`, and `auto` (sniffs `Obj\x01`, the Confluent magic byte, `{`; anything
 * else is read as a Rubin schemaless body). Output columns: see `./schema.ts`.
 */
import { ConfigError } from '../errors.js';
import { AvroAlertDecoder, type AvroDecoderOptions } from './avro-decoder.js';
import type { AlertDecoder, AlertFormat } from './types.js';

export type { AvroDecoderOptions as CreateDecoderOptions } from './avro-decoder.js';
export type {
  AlertDecoder,
  AlertFormat,
  DecodeOptions,
  DecodeReject,
  DecodeRejectCode,
  DecodeResult,
  DecoderSpec
} from './types.js';
export {
  CANONICAL_COLUMNS,
  CUTOUT_COLUMNS,
  abMagFromNjy,
  magErrFromFlux,
  type CanonicalColumn
} from './schema.js';
export {
  DEAD_LETTER_HEADERS,
  toDeadLetters,
  type DeadLetterRecord,
  type SourceCoordinates
} from './rejects.js';
export {
  dirSchemaSource,
  httpSchemaSource,
  mapSchemaSource,
  type HttpSchemaSourceOptions,
  type SchemaSource
} from './schema-source.js';
export { findRubinSchemaDir, loadRubinSchema, RUBIN_SCHEMA_VERSION } from './rubin-schema.js';
export {
  RubinSchemaCatalog,
  findRubinSchemaRoot,
  listRubinSchemaVersions,
  resolveRubinSchemaVersion,
  rubinSchemaId,
  type RubinSchemaVersion
} from './rubin-versions.js';
export { isOcf, readOcfBlocks, readOcfHeader, type OcfBlock, type OcfHeader } from './avro/ocf.js';
export { parseAvroSchema, type AvroType } from './avro/schema.js';
export { splitOcfRecords } from './ocf-records.js';

const FORMATS: ReadonlySet<string> = new Set(['rubin', 'ztf', 'confluent', 'json', 'auto']);

/**
 * Makes a decoder for `format`. Each decoder keeps its compiled readers and its column set, so
 * use one decoder per topic (batches of one decoder share a schema).
 */
export function createDecoder(format: AlertFormat, options: AvroDecoderOptions = {}): AlertDecoder {
  if (!FORMATS.has(format)) {
    throw new ConfigError(
      `Unknown alert format "${String(format)}". Use one of: ${[...FORMATS].join(', ')}.`,
      { context: { format } }
    );
  }
  return new AvroAlertDecoder(format, options);
}
