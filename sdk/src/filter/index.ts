export type {
  Filter,
  FilterContext,
  FilterKind,
  FilterLanguage,
  FilterRuntime,
  FilterSpec,
  Routing
} from './types.js';
export { DEFAULT_OUTPUTS, resolveOutputs } from './outputs.js';
export type { ResolvedOutputs } from './outputs.js';
export { droppedCount, routingCounts, rowsByOutput } from './routing.js';
export {
  FEATURE_BANDS,
  G_MINUS_R_MAX_DAYS,
  LIGHTCURVE_FEATURES,
  withLightcurveFeatures
} from './features.js';
export { DEFAULT_FILTER_TIMEOUT_MS, SqlFilter } from './sql-filter.js';
export { BATCH_TABLE, ROW_INDEX_COLUMN, SANDBOX_SETTINGS, SqlSandbox } from './sql-sandbox.js';
export { staticSqlCheck } from './sql-static.js';
export type { SqlCheck } from './sql-static.js';
export { defineFilter, isFilterDefinition } from './ts-define.js';
export type {
  AlertFilterDefinition,
  AlertRoutingResult,
  AlertRow,
  BatchFilterDefinition,
  BatchRoutingResult,
  FilterColumns,
  TypeScriptFilterDefinition,
  TypeScriptFilterInput
} from './ts-define.js';
export { InlineTypeScriptFilter } from './ts-filter.js';
export { WorkerTypeScriptFilter } from './ts-worker.js';
export type { TypeScriptFilterOptions } from './ts-worker.js';
export {
  createFilter,
  getFilterRuntime,
  registerFilterRuntime,
  sqlFilterRuntime,
  typeScriptFilterRuntime
} from './registry.js';
export { backtest, RUBIN_ALERTS_PER_NIGHT } from './backtest.js';
export type {
  BacktestOptions,
  BacktestOutput,
  BacktestResult,
  BacktestSample
} from './backtest.js';
export { loadTypeScriptFilter, sqlFilter, typeScriptFilter } from './factories.js';
export type { SqlFilterOptions } from './factories.js';
