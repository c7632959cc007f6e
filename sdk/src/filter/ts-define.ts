import type { RecordBatch, StructRowProxy, Vector } from 'apache-arrow';
import { resolveOutputs } from './outputs.js';
import type { FilterKind } from './types.js';

/** Columns of the batch by name, read lazily (Arrow vectors; `.toArray()` gives typed arrays). */
export type FilterColumns = Readonly<Record<string, Vector>>;

/** A row of the batch as given to a per-alert function (fields read on access). */
export type AlertRow = StructRowProxy;

/**
 * What a batch function returns, one entry per row: an Int32Array of output indices (yes/no: 0 or
 * -1 = dropped; left/right: 0 or 1; switch: -1 = default), booleans (yes/no: pass or drop; left/right: left or right), or output
 * names (null/unknown → default for a switch, dropped for yes/no).
 */
export type BatchRoutingResult =
  Int32Array | ArrayLike<boolean> | ReadonlyArray<string | null | undefined>;

/** What a per-alert function returns: pass/left (true), drop/right (false), or an output name. */
export type AlertRoutingResult = boolean | string | null | undefined;

interface DefinitionBase {
  /** Filter id; defaults to the module's file name when loaded from a path. @default undefined */
  id?: string;
  kind: FilterKind;
  /** @default ['pass'] (yes/no), ['left', 'right'] (left/right); required for a switch */
  outputs?: readonly string[];
  /** Switch only. @default 'default' */
  defaultOutput?: string;
  /** Columns the function reads; checked against each batch. @default [] */
  columns?: readonly string[];
}

/** A TypeScript filter over whole batches: `(batch, cols) => routing`. */
export interface BatchFilterDefinition extends DefinitionBase {
  /** @default 'batch' */
  mode?: 'batch';
  fn: (batch: RecordBatch, cols: FilterColumns) => BatchRoutingResult;
}

/** A TypeScript filter called once per alert: `(alert) => boolean | outputName`. */
export interface AlertFilterDefinition extends DefinitionBase {
  mode: 'alert';
  fn: (alert: AlertRow) => AlertRoutingResult;
}

export type TypeScriptFilterInput = BatchFilterDefinition | AlertFilterDefinition;

/** A checked filter definition, as exported by a filter module. */
export type TypeScriptFilterDefinition = TypeScriptFilterInput & {
  readonly __alertlabFilter: true;
  readonly resolvedOutputs: readonly string[];
  readonly defaultIndex: number;
};

/**
 * Defines a TypeScript filter; outputs are validated now. Export the result from a module
 * (`export default defineFilter({...})`) to run it in a worker with a time limit, or pass it to
 * `typeScriptFilter(...)` to run it in-process.
 */
export function defineFilter(input: TypeScriptFilterInput): TypeScriptFilterDefinition {
  const { outputs, defaultIndex } = resolveOutputs({
    id: input.id ?? '(typescript)',
    kind: input.kind,
    outputs: input.outputs,
    defaultOutput: input.defaultOutput
  });
  return Object.freeze({
    ...input,
    __alertlabFilter: true as const,
    resolvedOutputs: outputs,
    defaultIndex
  });
}

export function isFilterDefinition(value: unknown): value is TypeScriptFilterDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { __alertlabFilter?: unknown }).__alertlabFilter === true
  );
}

function columnsOf(batch: RecordBatch): FilterColumns {
  const cols: Record<string, Vector> = {};
  for (const field of batch.schema.fields) {
    Object.defineProperty(cols, field.name, {
      enumerable: true,
      get: () => batch.getChild(field.name)
    });
  }
  return cols;
}

/** Runs a definition over a batch and turns whatever it returns into an output index per row. */
export function runDefinition(def: TypeScriptFilterDefinition, batch: RecordBatch): Int32Array {
  const n = batch.numRows;
  const outputs = def.resolvedOutputs;
  const index = new Int32Array(n);
  const fallback = def.kind === 'switch' ? def.defaultIndex : def.kind === 'leftright' ? 1 : -1;
  const byName = (value: unknown): number => {
    if (typeof value === 'boolean') {
      if (def.kind === 'switch') {
        throw new TypeError('a switch filter returns output names, not booleans');
      }
      return value ? 0 : fallback;
    }
    const k = typeof value === 'string' ? outputs.indexOf(value) : -1;
    return k >= 0 ? k : fallback;
  };
  if (def.mode === 'alert') {
    for (let row = 0; row < n; row++) {
      index[row] = byName(def.fn(batch.get(row) as AlertRow));
    }
    return index;
  }
  const result = def.fn(batch, columnsOf(batch));
  if (result === null || typeof result !== 'object' || result.length !== n) {
    throw new TypeError(
      `a batch filter must return one entry per row (${n}), got ${result === null || typeof result !== 'object' ? typeof result : `${result.length} entries`}`
    );
  }
  if (result instanceof Int32Array) {
    for (let row = 0; row < n; row++) {
      const k = result[row];
      if (k < (def.kind === 'leftright' ? 0 : -1) || k >= outputs.length) {
        throw new RangeError(
          `routing index ${k} at row ${row} is not a valid output index for a ${def.kind} filter (0..${outputs.length - 1}${def.kind === 'leftright' ? '' : ', or -1'})`
        );
      }
      index[row] = k < 0 ? (def.kind === 'switch' ? def.defaultIndex : -1) : k;
    }
    return index;
  }
  for (let row = 0; row < n; row++) {
    index[row] = byName((result as ArrayLike<unknown>)[row]);
  }
  return index;
}
