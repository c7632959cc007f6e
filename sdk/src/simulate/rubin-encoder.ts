/**
 * Encodes Rubin alerts (plain objects shaped like the official lsst.v10_0 schema) as schemaless
 * Avro bodies, the way Rubin puts them on Kafka, or behind the Confluent wire header (magic byte 0,
 * big-endian schema id). lsst-alert-packet's registry id of lsst.v10_0 is 1000 (major, then the
 * minor as two digits).
 */
import { loadRubinSchema, RUBIN_SCHEMA_VERSION } from '../alerts/index.js';
import { AvroEncodeError } from '../errors.js';
import { ByteWriter } from './avro/bytes.js';
import { compileWriter, type DatumWriter } from './avro/compile.js';

/** The Confluent schema id lsst-alert-packet gives lsst.v10_0. */
export const RUBIN_CONFLUENT_SCHEMA_ID =
  RUBIN_SCHEMA_VERSION.major * 100 + RUBIN_SCHEMA_VERSION.minor;

/** How each encoded alert is framed: the bare Avro body, or the Confluent wire format. */
export type RubinFraming = 'body' | { confluentSchemaId: number };

export interface RubinEncoderOptions {
  /** Directory of the lsst.v10_0 .avsc files. @default $ALERTLAB_RUBIN_SCHEMA_DIR or the .venv install */
  schemaDir?: string;
  /** @default 'body' */
  framing?: RubinFraming;
}

/** A Rubin alert as a plain object: field names as in the schema, longs as bigint. */
export type RubinAlert = Record<string, unknown>;

export class RubinEncoder {
  private readonly write: DatumWriter;
  private readonly writer = new ByteWriter(1 << 20);
  /** The schema as one self-contained JSON document (for a registry or fastavro). */
  readonly schemaText: string;
  readonly framing: RubinFraming;

  constructor(options: RubinEncoderOptions = {}) {
    const { type, text } = loadRubinSchema(options.schemaDir);
    this.write = compileWriter(type, 'alert');
    this.schemaText = text;
    this.framing = options.framing ?? 'body';
    if (typeof this.framing === 'object') {
      const id = this.framing.confluentSchemaId;
      if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
        throw new AvroEncodeError(
          `Confluent schema id must be an integer from 0 to 2^31-1, got ${id}. Use ${RUBIN_CONFLUENT_SCHEMA_ID} for lsst.v10_0.`,
          { context: { schemaId: id } }
        );
      }
    }
  }

  private header(w: ByteWriter): void {
    if (typeof this.framing === 'object') {
      w.byte(0);
      w.uint32BE(this.framing.confluentSchemaId);
    }
  }

  /** One alert → its record value (a fresh array). */
  encode(alert: RubinAlert): Uint8Array {
    const w = this.writer;
    w.pos = 0;
    this.header(w);
    this.write(w, alert);
    return w.toBytes();
  }

  /**
   * Many alerts → one record value each: views into one shared buffer (a single allocation per
   * call), in order.
   */
  encodeBatch(alerts: ReadonlyArray<RubinAlert>): Uint8Array[] {
    const w = this.writer;
    w.pos = 0;
    const ends = new Int32Array(alerts.length);
    for (let i = 0; i < alerts.length; i++) {
      this.header(w);
      this.write(w, alerts[i]);
      ends[i] = w.pos;
    }
    const all = w.toBytes();
    const out: Uint8Array[] = new Array<Uint8Array>(alerts.length);
    let start = 0;
    for (let i = 0; i < alerts.length; i++) {
      out[i] = all.subarray(start, ends[i]);
      start = ends[i];
    }
    return out;
  }
}
