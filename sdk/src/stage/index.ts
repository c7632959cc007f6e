/**
 * Stage runtime: deployed filters (consume → decode → cross-match → filter → route → commit in
 * one Kafka transaction), windowed aggregation, and the Parquet archive sink.
 */
export { StageRunner, withStageRunner } from './runner.js';
export type { StageRunnerOptions } from './runner.js';
export { loadStageManifest, parseStageManifest, safeParseStageManifest } from './manifest.js';
export { DEFAULT_THIN_COLUMNS } from './manifest-types.js';
export type {
  StageAggregate,
  StageArchive,
  StageBatch,
  StageCatalog,
  StageConsumerTuning,
  StageCrossmatch,
  StageFilter,
  StageInput,
  StageKind,
  StageManifest,
  StagePayload
} from './manifest-types.js';
export { StagePipeline } from './pipeline.js';
export type { DecodedChunk, PreparedBatch, StagePipelineOptions } from './pipeline.js';
export { addMatchColumns, matchColumnPrefix } from './match-columns.js';
export type { AlertMatch, MatchIndex } from './match-columns.js';
export { STAGE_ROUTE_HEADER, stageRouteOf } from './route-header.js';
export type { StageRoute } from './route-header.js';
export { TRACEBACK_HEADER, filterFailureCode } from './filter-stage.js';
export { createStageFilter, pythonFilter, PythonStageFilter } from './stage-filter.js';
export type { PythonFilterOptions } from './stage-filter.js';
export { WindowState, summarize } from './windows.js';
export type { WindowResult, WindowSpec } from './windows.js';
export { nightOf, parseArchiveFileName } from './archive-stage.js';
export { transactionalIdOf } from './partitions.js';
export { LATENCY_BUCKETS_MS } from './stats.js';
export type { PhaseTotals, StageStats } from './stats.js';
export { CHUNK_PHASES, chunkPhases } from './chunk-timing.js';
export type { ChunkPhase, ChunkTiming } from './chunk-timing.js';
