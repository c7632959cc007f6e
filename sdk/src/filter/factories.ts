import { SqlFilter } from './sql-filter.js';
import { InlineTypeScriptFilter } from './ts-filter.js';
import {
  defineFilter,
  isFilterDefinition,
  type TypeScriptFilterDefinition,
  type TypeScriptFilterInput
} from './ts-define.js';
import { WorkerTypeScriptFilter, type TypeScriptFilterOptions } from './ts-worker.js';
import type { FilterKind } from './types.js';

/** Options for {@link sqlFilter}. */
export interface SqlFilterOptions {
  id: string;
  kind: FilterKind;
  /** @default per kind (see FilterSpec.outputs) */
  outputs?: readonly string[];
  /** Switch only. @default 'default' */
  defaultOutput?: string;
  /** Extra columns to require besides those the SQL references. @default [] */
  columns?: readonly string[];
  /** @default 2000 */
  timeoutMs?: number;
  /** DuckDB `memory_limit` of the filter's sandbox (MiB). @default 256 */
  memoryLimitMb?: number;
  /** DuckDB `threads` of the filter's sandbox. @default 1 */
  threads?: number;
}

/** A SQL filter: `sqlFilter("mag < 19 AND band = 'g'", { id: 'bright-g', kind: 'yesno' })`. */
export function sqlFilter(sql: string, options: SqlFilterOptions): Promise<SqlFilter> {
  return SqlFilter.create({ ...options, language: 'sql', source: sql });
}

/** An in-process TypeScript filter from a definition (or the input to defineFilter). No time limit. */
export function typeScriptFilter(
  def: TypeScriptFilterDefinition | TypeScriptFilterInput,
  options: { id?: string } = {}
): InlineTypeScriptFilter {
  return new InlineTypeScriptFilter(isFilterDefinition(def) ? def : defineFilter(def), options);
}

/** A TypeScript filter module (.ts/.js exporting a defineFilter result) run in a worker with a time limit. */
export function loadTypeScriptFilter(
  modulePath: string,
  options: TypeScriptFilterOptions = {}
): Promise<WorkerTypeScriptFilter> {
  return WorkerTypeScriptFilter.load(modulePath, options);
}
