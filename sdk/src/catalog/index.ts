/** Catalogs in DuckDB zone tables: the store, loaders for CSV/Parquet/Arrow and the real catalogs. */
export { CatalogStore, withCatalogStore, zoneTableName } from './store.js';
export type { CatalogInfo, LoadOptions, LoadProgress } from './store.js';
export type { CatalogSource, StageOptions } from './stage.js';
export type {
  ColumnData as CatalogColumnData,
  ColumnInfo as CatalogColumnInfo,
  ColumnKind as CatalogColumnKind,
  ColumnarCatalog
} from './columns.js';
export { readMemoryCatalog } from './memory.js';
export type { MemoryCatalog } from './memory.js';
export { BUILTIN_CATALOGS, isBuiltinCatalog, loadBuiltinCatalog } from './builtin.js';
export type { BuiltinCatalog } from './builtin.js';
export { readAstrometryIndex } from './tycho2.js';
export { readCelestialDsos, readCelestialStars, celestialDataDir } from './celestial.js';
export { readFitsHdus, fitsColumn, findTableHdu } from './fits.js';
export type { FitsColumn, FitsHdu, FitsValue } from './fits.js';
export { alertlabHome, defaultCatalogPath, astrometryDataDir } from './paths.js';
export {
  DEFAULT_ZONE_HEIGHT_DEG,
  alphaDeg,
  chord2OfRadiusArcsec,
  arcsecOfChord2,
  zoneOf,
  unitVectors
} from './sky.js';
