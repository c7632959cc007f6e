/** Options of the Avro-based alert decoders (createDecoder's second argument). */
import type { SchemaSource } from './schema-source.js';
import type { DecodeOptions } from './types.js';

/** Options of the Avro-based decoders (see createDecoder). */
export interface AvroDecoderOptions extends DecodeOptions {
  /** Directory of the .avsc files of schemaless Rubin records' version (overrides rubinSchemaVersion). @default $ALERTLAB_RUBIN_SCHEMA_DIR or rubinSchemaVersion's directory */
  rubinSchemaDir?: string;
  /**
   * The lsst-alert-packet `schema` directory holding every version (`<major>/<minor>/`), used for
   * Confluent-framed Rubin records (schema id = major * 100 + minor) and rubinSchemaVersion.
   * @default $ALERTLAB_RUBIN_SCHEMA_ROOT or the .venv install
   */
  rubinSchemaRoot?: string;
  /**
   * Version of schemaless Rubin records (no framing, no container header): "10.0", "11.1", …, or
   * "latest". Records with a Confluent header or a container header say their own version.
   * @default "10.0"
   */
  rubinSchemaVersion?: string;
  /** Writer schema (JSON text) of schemaless ZTF records. @default undefined (ZTF records must be container files) */
  ztfSchema?: string;
  /** Resolves Confluent schema ids. @default undefined (Confluent records are rejected as unknown-schema) */
  schemaSource?: SchemaSource;
  /**
   * The survey's own columns to build (case-insensitive), besides the canonical columns and the
   * lightcurve, which are always there; the reader skips the rest. @default undefined (all)
   */
  columns?: readonly string[];
  /**
   * Build the `lightcurve` column (the history arrays read into points). false: the column is left
   * out of the batch and the history arrays are skipped unread — for a reader that needs neither
   * the lightcurve nor its features (a stage whose filter reads a few columns). @default true
   */
  lightcurve?: boolean;
  /**
   * Bytes of compiled readers kept, one per writer schema (least recently used evicted and
   * compiled again when seen again; see schema-cache.ts). @default 64 MiB
   */
  schemaCacheBytes?: number;
}
