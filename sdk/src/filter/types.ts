import type { RecordBatch } from 'apache-arrow';

/** yes/no: one output (rows either go to it or are dropped); left/right: two; switch: named outputs plus a default. */
export type FilterKind = 'yesno' | 'leftright' | 'switch';

export type FilterLanguage = 'sql' | 'typescript' | 'python';

/** Per-row routing of one batch: `index[row]` is an index into `outputs`, or -1 when dropped (yes/no only). */
export interface Routing {
  readonly outputs: readonly string[];
  readonly index: Int32Array;
}

/** What an evaluation may be given besides the batch. */
export interface FilterContext {
  /** Stop waiting for user code when aborted. @default undefined */
  signal?: AbortSignal;
  /** Per-batch time limit for user code, where the runtime can enforce one. @default the filter's own timeoutMs */
  timeoutMs?: number;
}

/**
 * A filter: the same object runs in a notebook backtest and in a deployed stage. Implementations
 * exist per language (see `FilterRuntime`); a Python filter implements it through the kernel bridge.
 */
export interface Filter {
  readonly id: string;
  readonly kind: FilterKind;
  readonly language: FilterLanguage;
  /** Output names, valid topic suffixes; for a switch the default output is one of them. */
  readonly outputs: readonly string[];
  /** Columns the filter reads (declared, or inferred from its SQL). */
  readonly requiredColumns: readonly string[];
  /**
   * When set, the filter reads no batch column but these (lightcurve features and cross-match
   * columns aside), so a stage may decode only these survey columns; undefined: it may read any.
   */
  readonly readsOnly?: readonly string[];
  /** SQL text, TypeScript module path/source, or Python source, as shipped on promotion. */
  readonly source: string;
  /** Routes every row of the batch (lightcurve features are added first when missing). */
  evaluate(batch: RecordBatch, ctx?: FilterContext): Promise<Routing>;
  close(): Promise<void>;
}

/** A serialisable description from which a runtime builds a {@link Filter}. */
export interface FilterSpec {
  id: string;
  kind: FilterKind;
  language: FilterLanguage;
  /**
   * Output names. @default ['pass'] for yes/no, ['left', 'right'] for left/right; required for a
   * switch and must include its `defaultOutput`.
   */
  outputs?: readonly string[];
  /** For a switch: where rows go whose value is NULL or names no output. @default 'default' */
  defaultOutput?: string;
  /** Columns the filter needs; checked against each batch's schema. @default [] (SQL infers them) */
  columns?: readonly string[];
  /** SQL text, a module path (TypeScript), or Python source. */
  source: string;
  /** Per-batch time limit for user code. @default 2000 */
  timeoutMs?: number;
  /** SQL: DuckDB `memory_limit` of the filter's sandbox (MiB). @default 256 */
  memoryLimitMb?: number;
  /** SQL: DuckDB `threads` of the filter's sandbox. @default 1 */
  threads?: number;
}

/** Builds filters of one language. Python registers one later through the kernel bridge. */
export interface FilterRuntime {
  readonly language: FilterLanguage;
  create(spec: FilterSpec): Promise<Filter>;
}
