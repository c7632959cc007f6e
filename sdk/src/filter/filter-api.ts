/**
 * What `@alertlab/sdk` is to a TypeScript filter promoted to the controller (its code runs in a
 * sandboxed process that loads only this): the definition helper and its types. Filters route
 * Arrow batches; they do not reach Kafka, catalogs or files.
 */
export { defineFilter } from './ts-define.js';
export type {
  AlertRoutingResult,
  AlertRow,
  BatchFilterDefinition,
  AlertFilterDefinition,
  BatchRoutingResult,
  FilterColumns,
  TypeScriptFilterDefinition,
  TypeScriptFilterInput
} from './ts-define.js';
