/**
 * The stage manifest: one JSON document describing a deployed stage. Three kinds share the input,
 * batching and dead-letter settings: `filter` (decode → cross-match → filter → route), `aggregate`
 * (event-time windows) and `archive` (Parquet by night).
 */
import type { AlertFormat } from '../alerts/types.js';
import type { KafkaSecurity } from '../buffer/security.js';
import type { MatcherKind } from '../crossmatch/create.js';
import type { FilterKind, FilterLanguage } from '../filter/types.js';
import type { StageObjects } from '../state/config.js';
import type { StageNotification } from '../notify/manifest.js';
import type { StageWatch } from '../watch/watch-columns.js';

export type StageKind = 'filter' | 'aggregate' | 'archive';
export type StagePayload = 'full' | 'thin' | 'annotated';

export interface StageInput {
  /** Buffer topic to read. */
  topic: string;
  /** `'local'` or `'host:port,host:port'`. @default process.env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local' */
  bootstrapServers?: string;
  /**
   * TLS/SASL for the stage's cluster (input and outputs: one transaction spans one cluster); names
   * the variables/files holding secrets, never a secret (buffer/security.ts).
   * @default the local cluster's own settings for 'local', else ALERTLAB_KAFKA_SECURITY
   */
  security?: KafkaSecurity;
  /** Alert format of the record values. @default 'auto' */
  format: AlertFormat;
  /** Where a group without committed offsets starts. @default true (earliest) */
  fromBeginning: boolean;
}

export interface StageCatalog {
  name: string;
  radiusArcsec: number;
  /** Catalog columns copied next to the nearest match (`xm_<catalog>_<column>`). @default [] */
  columns: string[];
}

export interface StageCrossmatch {
  catalogs: StageCatalog[];
  /** 'nearest': one match per alert and catalog; 'all': every match in the radius. @default 'nearest' */
  mode: 'all' | 'nearest';
  /** DuckDB catalog store; built-in catalogs missing from it are loaded. @default $ALERTLAB_HOME/catalogs.duckdb */
  storePath?: string;
  /** @default 'memory-zones' */
  matcher: MatcherKind;
  /** Match solar-system objects too. @default false */
  includeMovingObjects: boolean;
}

export interface StageFilter {
  language: FilterLanguage;
  kind: FilterKind;
  /** Output names (see FilterSpec.outputs). @default per kind */
  outputs?: string[];
  /** Switch only. @default 'default' */
  defaultOutput?: string;
  /** SQL text, TypeScript module text, or Python source (with `entry`). One of source/path. */
  source?: string;
  /** SQL file, TypeScript module, or Python `file.py:function` / `package.module:function`. */
  path?: string;
  /** Python: the `@alertlab.filter` function name when `source` is given. @default undefined */
  entry?: string;
  /** Columns the filter needs besides those SQL infers. @default [] */
  columns: string[];
  /** Per-batch time limit for user code; past it the batch is dead-lettered. @default 2000 */
  timeoutMs: number;
  /**
   * Memory limit in MiB (16..16384): SQL, DuckDB's `memory_limit` of the filter's sandbox; Python,
   * the worker process's data limit; TypeScript, the filter process's data limit and V8 heap (¾ of
   * it). @default 256 (SQL), 2048
   */
  memoryLimitMb: number;
  /** SQL: DuckDB worker threads of the filter's sandbox (1..8). @default 1 */
  threads: number;
}

export interface StageBatch {
  /** Alerts per filter call and per transaction. @default 5000 */
  maxRows: number;
  /** Longest wait of a fetch for more records. @default 500 */
  maxWaitMs: number;
  /**
   * Input bytes per chunk (and transaction) at most: real-size alerts (~100–250 KB) go in chunks
   * of tens, so the first of a burst is visible early. @default 8388608 (8 MiB)
   */
  maxBytes: number;
}

export interface StageConsumerTuning {
  /** A dead worker's partitions move after this long. @default 10000 */
  sessionTimeoutMs: number;
  /** @default 1000 */
  heartbeatIntervalMs: number;
  /**
   * Consumer group protocol: 'classic' (join/sync rebalances) or 'consumer' (KIP-848, Kafka 4.x;
   * needs the confluent client — kafkajs refuses it). @default 'classic'
   */
  groupProtocol: 'classic' | 'consumer';
}

export interface StageAggregate {
  /** Output topic for window records (JSON). */
  topic: string;
  /** Window length in seconds of event time (exposure MJD). */
  windowSeconds: number;
  /** Hop in seconds; equal to windowSeconds for tumbling windows. @default windowSeconds */
  hopSeconds: number;
  /** Out-of-order allowance: a window is emitted once the watermark passes end + lateness. @default 0 */
  allowedLatenessSeconds: number;
  /** Group key column (e.g. band, objectId). */
  groupBy: string;
  /** Numeric column aggregated (count/min/max/mean/median/stddev). */
  value: string;
  /** Records later than the lateness: 'dead-letter' (with reason) or 'drop' (counted only). @default 'dead-letter' */
  lateRecords: 'dead-letter' | 'drop';
  /**
   * How far an event time may be ahead of processing time; later records are dead-lettered as
   * `future-event-time` and do not move the watermark. @default 3600
   */
  maxFutureSkewSeconds: number;
  /**
   * Most windows (keys × windows) open at once per input partition; a record needing a new one
   * beyond it is dead-lettered as `too-many-open-windows`. An open window holds at most ~8 KiB
   * (running aggregates; the median exact up to 512 values, then a sketch within 0.5 %). Not exactly
   * once across a restart: a replayed record that overflowed before may then be counted (see
   * aggregate-stage.ts). @default 50000
   */
  maxOpenWindows: number;
}

export interface StageArchive {
  /** Root directory of the archive (`<path>/night=YYYY-MM-DD/*.parquet`). */
  path: string;
  /** 'night': Rubin day_obs (UTC−12 h date of the exposure); 'exposure-day': UTC date. @default 'night' */
  partitionBy: 'night' | 'exposure-day';
  /** Flush when a partition buffers this many alerts. @default 10000 */
  flushRows: number;
  /** Flush a partition's buffer after this long without new alerts. @default 5000 */
  maxIdleMs: number;
}

export interface StageManifest {
  /** Stage id: consumer group and transactional-id prefix. Letters, digits, `.`, `_`, `-`. */
  id: string;
  /** @default 'filter' */
  kind: StageKind;
  input: StageInput;
  crossmatch?: StageCrossmatch;
  /** Required for kind 'filter'. */
  filter?: StageFilter;
  /** Output name → topic; every filter output needs one (kind 'filter'). */
  outputs: Record<string, string>;
  /** @default 'full' */
  payload: StagePayload;
  /** Columns of a thin payload. @default ['alertId','objectId','survey','ra','dec','mjd','band','mag','magErr'] */
  thinColumns: string[];
  deadLetterTopic: string;
  batch: StageBatch;
  consumer: StageConsumerTuning;
  aggregate?: StageAggregate;
  archive?: StageArchive;
  /** Per-object state (filter stages; see state/stage-objects.ts). @default undefined (none) */
  objects?: StageObjects;
  /** Watchlists and watchmaps tested before the filter (filter stages; see watch/watch-columns.ts). @default undefined (none) */
  watch?: StageWatch;
  /** Deliveries of outputs to webhooks, email, topics (see notify/). @default undefined (none) */
  notifications?: StageNotification[];
  /** The worker process (control/worker.ts). @default undefined (the controller's defaults) */
  worker?: StageWorker;
}

export interface StageWorker {
  /**
   * V8 old-space cap of each worker process, MiB (64..16384). @default V8's own (a quarter of RAM)
   * for stages with `objects` and aggregate stages (their state lives in the JS heap and grows with
   * the data), else the controller's `ALERTLAB_STAGE_HEAP_MB`, else 512
   */
  heapMb?: number;
}

export const DEFAULT_THIN_COLUMNS = [
  'alertId',
  'objectId',
  'survey',
  'ra',
  'dec',
  'mjd',
  'band',
  'mag',
  'magErr'
];
