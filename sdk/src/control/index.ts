/**
 * The HTTP side of alertlab: `alertlab serve` (cone search, cross-match, IVOA SCS) and the
 * controller (stages, versions, supervisor, buffers, metrics, OpenAPI), plus a REST client.
 */
export { startCatalogServer, DEFAULT_PORT } from './serve.js';
export type { CatalogServer, CatalogServerOptions } from './serve.js';
export { CatalogService } from './catalogs.js';
export type { CatalogServiceOptions, ConeResult, ConeRow } from './catalogs.js';
export { startController } from './controller-server.js';
export type { ControllerOptions, RunningController } from './controller-server.js';
export { Controller, MAX_REPLICAS } from './controller.js';
export { ControllerClient } from './client.js';
export type { ControllerClientOptions } from './client.js';
export { StageRegistry, STAGE_ID_RE } from './registry.js';
export { Supervisor } from './supervisor.js';
export type {
  StageRuntimeStatus,
  StageTarget,
  StageTotals,
  SupervisorOptions
} from './supervisor.js';
export { runGate, DEFAULT_GATE_BUDGET_MS, DEFAULT_GATE_SAMPLE } from './gate.js';
export { openApiDocument } from './openapi.js';
export { stageK8sObjects, toYamlDocuments } from './k8s.js';
export type { K8sOptions } from './k8s.js';
export { defaultTokenFile, ensureToken, readToken } from './auth.js';
export { promotionManifest, sourceOfNotebookCell } from './promote.js';
export { MAX_CONE_RADIUS_DEG } from './params.js';
export type {
  DeployRequest,
  GateEvidence,
  GateOptions,
  Lineage,
  StageRecord,
  StageVersion
} from './types.js';
