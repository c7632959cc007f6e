/**
 * The Avro alert decoder: Rubin schemaless bodies, object container files (one or many records
 * per value, schema inside; compiled readers cached by a hash of the schema bytes), the Confluent
 * wire format, and — for `auto` — JSON. Whole batches at a time into one set of column builders.
 */
import { createHash } from 'node:crypto';
import { AlertDecodeError } from '../errors.js';
import { AlertColumns } from './arrow/alert-columns.js';
import { compileReader, type TunedReader } from './avro/codegen.js';
import { isOcf, readOcfBlocks, readOcfHeader } from './avro/ocf.js';
import { parseAvroSchema, type AvroType } from './avro/schema.js';
import { appendJsonAlert } from './json.js';
import type { SurveyMapper } from './mapper.js';
import type { RowProblem } from './position.js';
import { RejectError, toReject } from './rejects.js';
import { RubinMapper } from './rubin.js';
import { loadRubinSchema } from './rubin-schema.js';
import { RubinSchemaCatalog, resolveRubinSchemaVersion } from './rubin-versions.js';
import {
  ByteLru,
  compiledReaderBytes,
  DEFAULT_COMPILED_SCHEMA_CACHE_BYTES
} from './schema-cache.js';
import type {
  AlertDecoder,
  AlertFormat,
  DecodeOptions,
  DecodeReject,
  DecodeResult,
  DecoderSpec
} from './types.js';
import { ZtfMapper } from './ztf.js';
import type { AvroDecoderOptions } from './decoder-options.js';

export type { AvroDecoderOptions } from './decoder-options.js';

interface Compiled {
  read: TunedReader;
  mapper: SurveyMapper;
  /** The column builders the reader writes to (kept while the reader is cached). */
  sinks: Set<unknown>;
}

/** Rejects the record whose row has an unusable position (readRecord's default). */
function throwProblem(problem: RowProblem): never {
  throw new RejectError(problem.code, problem.reason);
}

const CONFLUENT_MAGIC = 0;
/** Characters of a Rubin alert schema's JSON text (lsst.v10), the size estimate of a parsed one. */
const RUBIN_SCHEMA_CHARS = 40_000;
const JSON_OPEN = 0x7b;

export class AvroAlertDecoder implements AlertDecoder {
  private readonly cols = new AlertColumns();
  private readonly rubin = new RubinMapper(this.cols);
  private readonly ztf = new ZtfMapper(this.cols);
  /** Readers by writer schema, within options.schemaCacheBytes (schema-cache.ts). */
  private readonly compiled: ByteLru<string, Compiled | RejectError>;
  /** A reader was evicted since the last batch: columns only it wrote go after this one. */
  private evicted = false;
  private rubinDefault: AvroType | RejectError | undefined;
  private rubinCatalog: RubinSchemaCatalog | null | undefined;

  constructor(
    readonly format: AlertFormat,
    private readonly options: AvroDecoderOptions = {}
  ) {
    this.compiled = new ByteLru(
      options.schemaCacheBytes ?? DEFAULT_COMPILED_SCHEMA_CACHE_BYTES,
      () => (this.evicted = true)
    );
  }

  workerSpec(): DecoderSpec {
    const o = this.options;
    const { rubinSchemaDir, rubinSchemaRoot, rubinSchemaVersion, ztfSchema } = o;
    return {
      format: this.format,
      options: {
        rubinSchemaDir,
        rubinSchemaRoot,
        rubinSchemaVersion,
        ztfSchema,
        includeCutouts: o.includeCutouts,
        columns: o.columns,
        lightcurve: o.lightcurve,
        schemaCacheBytes: o.schemaCacheBytes
      },
      schemaSource: o.schemaSource
    };
  }

  /** What the cache of compiled readers holds (schema-cache.ts). */
  schemaCacheStats(): ReturnType<ByteLru<string, Compiled | RejectError>['stats']> {
    return this.compiled.stats();
  }

  async prepare(values: ReadonlyArray<Uint8Array | null>): Promise<void> {
    const source = this.options.schemaSource;
    const f = this.format;
    if (!source || f === 'json' || f === 'ztf') {
      return;
    }
    const ids = new Set<number>();
    const rubin = this.catalog();
    for (const v of values) {
      if (v && v.length >= 5 && v[0] === CONFLUENT_MAGIC) {
        const id = new DataView(v.buffer, v.byteOffset, 5).getInt32(1);
        if (source.peek(id) === undefined && !rubin?.has(id)) {
          ids.add(id);
        }
      }
    }
    await Promise.all([...ids].map(id => source.load(id).catch(() => undefined)));
  }

  decodeBatch(values: ReadonlyArray<Uint8Array | null>, options: DecodeOptions = {}): DecodeResult {
    const includeCutouts = options.includeCutouts ?? this.options.includeCutouts ?? false;
    const rows: number[] = [];
    const rejects: DecodeReject[] = [];
    for (let index = 0; index < values.length; index++) {
      const v = values[index];
      const before = this.cols.rows;
      try {
        if (!v || v.length === 0) {
          throw new RejectError(
            'empty',
            'Record has no value (null or zero bytes); nothing to decode.'
          );
        }
        this.decodeValue(v, includeCutouts, index, rejects);
      } catch (e) {
        this.cols.rollback();
        rejects.push(toReject(index, e));
      }
      for (let r = before; r < this.cols.rows; r++) {
        rows.push(index);
      }
    }
    for (const c of this.compiled.values()) {
      if (!(c instanceof RejectError)) {
        c.read.tune();
      }
    }
    const batch = this.cols.finish(includeCutouts, this.options.lightcurve !== false);
    if (this.evicted) {
      this.evicted = false;
      const keep = new Set<unknown>();
      for (const c of this.compiled.values()) {
        if (!(c instanceof RejectError)) {
          c.sinks.forEach(s => keep.add(s));
        }
      }
      this.cols.retainColumns(keep);
    }
    const lc = this.cols.lightcurve;
    const points = lc.handed;
    let released = false;
    const release = (): void => {
      if (!released && points) {
        released = true;
        lc.recycle(points);
      }
    };
    return { batch, rowIndex: Int32Array.from(rows), rejects, release };
  }

  private decodeValue(v: Uint8Array, cut: boolean, index: number, rejects: DecodeReject[]): void {
    if (isOcf(v) && this.format !== 'json') {
      this.decodeOcf(v, cut, index, rejects);
      return;
    }
    const f = this.format;
    if (v[0] === CONFLUENT_MAGIC && v.length >= 5 && f !== 'json' && f !== 'ztf') {
      const id = new DataView(v.buffer, v.byteOffset, 5).getInt32(1);
      const source = this.options.schemaSource;
      const text = source?.peek(id);
      if (text !== undefined) {
        this.readRecord(
          this.compile(`cf:${id}`, () => text, cut),
          v,
          5,
          v.length
        );
        return;
      }
      const rubin = this.catalog();
      if (rubin?.has(id)) {
        // a Rubin version the package ships, by the id Rubin's schema registry gives it
        this.readRecord(
          this.compile(`rubin:${id}`, () => rubin.type(id), cut),
          v,
          5,
          v.length
        );
        return;
      }
      if (f === 'confluent' || (f === 'auto' && source)) {
        throw new RejectError(
          'unknown-schema',
          source
            ? `Schema id ${id} is not known to the schema source nor a Rubin schema version in lsst-alert-packet; register it there (or call prepare() first for a remote registry).`
            : `Confluent record with schema id ${id} cannot be resolved: it is no Rubin schema version in lsst-alert-packet and the decoder has no schemaSource. Create it with createDecoder("confluent", { schemaSource }).`
        );
      }
    }
    if (f === 'confluent') {
      throw new RejectError(
        'decode-error',
        "Record is not in the Confluent wire format (magic byte 0 + 4-byte schema id); check the topic's producer or use another format."
      );
    }
    if (f === 'json' || (f === 'auto' && v[0] === JSON_OPEN)) {
      appendJsonAlert(this.cols, v);
      return;
    }
    if (f === 'ztf') {
      const schema = this.options.ztfSchema;
      if (schema === undefined) {
        throw new RejectError(
          'unknown-schema',
          'ZTF record is not an Avro container file and no ztfSchema option gives its writer schema.'
        );
      }
      this.readRecord(
        this.compile('ztf-option', () => schema, cut),
        v,
        0,
        v.length
      );
      return;
    }
    this.readRecord(
      this.compile('rubin-default', () => this.rubinSchema(), cut),
      v,
      0,
      v.length
    );
  }

  private decodeOcf(v: Uint8Array, cut: boolean, index: number, rejects: DecodeReject[]): void {
    const header = readOcfHeader(v);
    const key = createHash('sha1').update(header.schemaBytes).digest('base64');
    const compiled = this.compile(
      `ocf:${key}`,
      () => new TextDecoder().decode(header.schemaBytes),
      cut
    );
    let record = 0;
    for (const block of readOcfBlocks(v, header)) {
      let p = block.start;
      for (let i = 0; i < block.count; i++, record++) {
        try {
          p = this.readRecord(compiled, block.data, p, block.end, true, problem =>
            rejects.push({ index, record, ...problem })
          );
        } catch (e) {
          this.cols.rollback();
          const r = toReject(index, e);
          rejects.push({
            ...r,
            record,
            reason: `${r.reason} (container record ${record}; the rest of this container is skipped)`
          });
          return;
        }
      }
    }
  }

  /**
   * Reads one datum at [start, end) (or the first datum from `start` when `many`) and returns the
   * position after it. Decode errors throw; a row with an unusable position is undone and reported
   * through `onProblem` (default: thrown as a reject).
   */
  private readRecord(
    c: Compiled,
    b: Uint8Array,
    start: number,
    end: number,
    many = false,
    onProblem: (problem: RowProblem) => void = throwProblem
  ): number {
    const mapper = c.mapper;
    mapper.buf = b;
    mapper.beginRow();
    const p = c.read(b, start, end, new DataView(b.buffer, b.byteOffset, b.byteLength));
    if (p > end || (!many && p !== end)) {
      throw new AlertDecodeError(
        p > end
          ? `Avro record is truncated: the schema needs more than the ${end - start} bytes given.`
          : `Avro record has ${end - p} bytes left over after decoding; it was written with another schema.`,
        { context: { position: p, end } }
      );
    }
    const problem = mapper.finishRow();
    if (problem) {
      this.cols.rollback();
      onProblem(problem);
    }
    return p;
  }

  /** The package's Rubin versions by registry id; null where the package cannot be found. */
  private catalog(): RubinSchemaCatalog | null {
    if (this.rubinCatalog === undefined) {
      try {
        this.rubinCatalog = new RubinSchemaCatalog(this.options.rubinSchemaRoot);
      } catch {
        this.rubinCatalog = null;
      }
    }
    return this.rubinCatalog;
  }

  private rubinSchema(): AvroType {
    if (this.rubinDefault === undefined) {
      try {
        const { rubinSchemaDir, rubinSchemaVersion, rubinSchemaRoot } = this.options;
        const dir =
          rubinSchemaDir ??
          (rubinSchemaVersion === undefined
            ? undefined
            : resolveRubinSchemaVersion(rubinSchemaVersion, rubinSchemaRoot).dir);
        this.rubinDefault = loadRubinSchema(dir).type;
      } catch (e) {
        this.rubinDefault = new RejectError('unknown-schema', (e as Error).message);
      }
    }
    if (this.rubinDefault instanceof RejectError) {
      throw this.rubinDefault;
    }
    return this.rubinDefault;
  }

  private compile(key: string, schema: () => string | AvroType, cut: boolean): Compiled {
    const fullKey = `${key}|${cut}`;
    let c = this.compiled.get(fullKey);
    if (!c) {
      let chars = RUBIN_SCHEMA_CHARS; // a parsed type (a Rubin version): about a Rubin schema's text
      try {
        const s = schema();
        chars = typeof s === 'string' ? s.length : chars;
        const type = typeof s === 'string' ? parseAvroSchema(s) : s;
        const mapper = this.mapperFor(type);
        const plan = mapper.plan(cut, this.options.columns, this.options.lightcurve !== false);
        const sinks = new Set<unknown>();
        const scalar: typeof plan.scalar = (path, kind) => {
          const t = plan.scalar(path, kind);
          if (t?.column !== undefined) {
            sinks.add(t.column);
          }
          return t;
        };
        c = { read: compileReader(type, { ...plan, scalar }, mapper.slots), mapper, sinks };
      } catch (e) {
        c =
          e instanceof RejectError
            ? e
            : new RejectError(
                'unknown-schema',
                `Writer schema ${key} cannot be used: ${(e as Error).message}`
              );
      }
      this.compiled.set(fullKey, c, compiledReaderBytes(chars));
    }
    if (c instanceof RejectError) {
      throw c;
    }
    return c;
  }

  private mapperFor(type: AvroType): SurveyMapper {
    if (type.kind === 'record') {
      const names = new Set(type.fields.map(f => f.name));
      if (names.has('diaSource')) {
        return this.rubin;
      }
      if (names.has('candidate') && names.has('objectId')) {
        return this.ztf;
      }
    }
    throw new RejectError(
      'unknown-schema',
      'Writer schema is neither a Rubin alert (no diaSource field) nor a ZTF alert (no candidate/objectId fields).'
    );
  }
}
