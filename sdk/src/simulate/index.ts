/**
 * The alert simulator: Rubin lsst.v10_0 alerts at visit cadence, positioned on real catalogs
 * (variable stars on Hipparcos/Tycho-2 stars, supernova-like transients beside dso galaxies,
 * moving asteroids, bogus detections), seeded and reproducible, with the ground truth per alert.
 * Also the Avro binary encoder it writes with.
 */
export {
  AlertSimulator,
  withSimulator,
  SIM_CLASS_HEADER,
  SIM_VISIT_HEADER,
  type SimulatorCreateOptions
} from './simulator.js';
export {
  runSimulation,
  type RunSimulationOptions,
  type RunSummary,
  type VisitReport
} from './run.js';
export { expectedCounts, type ExpectedCounts } from './expected.js';
export {
  DEFAULT_MIX,
  SIM_CLASSES,
  SIM_GEOMETRY,
  resolveOptions,
  type ClassCounts,
  type ClassMix,
  type ResolvedOptions,
  type SimClass,
  type SimulationOptions
} from './options.js';
export type { PlannedAlert, VisitPlan } from './plan.js';
export type { Field, VisitInfo, Band } from './fields.js';
export { GALAXY_TYPES, loadSimCatalogs, type SimCatalog, type SimCatalogs } from './catalogs.js';
export {
  RubinEncoder,
  RUBIN_CONFLUENT_SCHEMA_ID,
  type RubinAlert,
  type RubinEncoderOptions,
  type RubinFraming
} from './rubin-encoder.js';
export { compileWriter, type DatumWriter } from './avro/compile.js';
export { ByteWriter } from './avro/bytes.js';
export { RealisticAlerts, type RealisticBatch, type RealisticOptions } from './realistic.js';
export type { CutoutEncoding } from './fits-stamps.js';
