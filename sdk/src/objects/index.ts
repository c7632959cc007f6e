/** One object's lightcurve across buffer topics and the archive, through an object index in DuckDB. */
export {
  LightcurveService,
  lightcurve,
  type LightcurveOptions,
  type LightcurveResult,
  type LightcurveServiceOptions
} from './lightcurve.js';
export { discoverArchiveDirs } from './archive-dirs.js';
export { reindexObjects, type ReindexReport } from './reindex.js';
export {
  ObjectIndex,
  defaultObjectIndexPath,
  type AlertLocation,
  type IndexedRecords
} from './object-index.js';
export {
  LIGHTCURVE_TABLE_FIELDS,
  mergePoints,
  pointsTable,
  type LightcurvePoint
} from './points.js';
