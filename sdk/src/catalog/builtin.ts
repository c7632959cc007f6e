/**
 * Built-in catalogs that ship in registry packages: names → loaders. `alertlab catalog load
 * <name>` with no source loads these.
 */
import { join } from 'node:path';
import { readCelestialDsos, readCelestialStars } from './celestial.js';
import type { ColumnarCatalog } from './columns.js';
import { astrometryDataDir } from './paths.js';
import type { CatalogInfo, CatalogStore, LoadOptions } from './store.js';
import { readAstrometryIndex } from './tycho2.js';

/** A catalog alertlab knows how to fetch from an installed package. */
export interface BuiltinCatalog {
  description: string;
  /** Where the data comes from (package and file). */
  source: string;
  read(): Promise<ColumnarCatalog>;
}

const tycho = (file: string): string => join(astrometryDataDir(), file);

/** The built-in catalogs by name. */
export const BUILTIN_CATALOGS: Record<string, BuiltinCatalog> = {
  hipparcos: {
    description: 'Hipparcos stars to mag 14 (118k; id = HIP; mag, bv, name)',
    source: 'npm d3-celestial data/stars.14.json',
    read: () => readCelestialStars()
  },
  dso: {
    description:
      'Deep-sky objects to mag 20 (90k galaxies, clusters, nebulae; type, mag, dim, name)',
    source: 'npm d3-celestial data/dsos.20.json',
    read: () => readCelestialDsos()
  },
  tycho2: {
    description: 'Tycho-2, astrometry.net index 4110 (363k stars; id = row in file; mag = VT)',
    source: `Debian astrometry-data-tycho2-10-19-littleendian ${tycho('index-tycho2-10.littleendian.fits')}`,
    read: () => readAstrometryIndex(tycho('index-tycho2-10.littleendian.fits'))
  },
  'tycho2-07': {
    description: 'Tycho-2, astrometry.net index 4107 (1.87M stars; id = row in file; mag = VT)',
    source: `Debian astrometry-data-tycho2-07-littleendian ${tycho('index-tycho2-07.littleendian.fits')}`,
    read: () => readAstrometryIndex(tycho('index-tycho2-07.littleendian.fits'))
  }
};

/** True when `name` is a built-in catalog. */
export function isBuiltinCatalog(name: string): boolean {
  return Object.hasOwn(BUILTIN_CATALOGS, name);
}

/** Loads a built-in catalog's real data into the store under its own name (or `as`). */
export async function loadBuiltinCatalog(
  store: CatalogStore,
  name: string,
  options: LoadOptions & { as?: string } = {}
): Promise<CatalogInfo> {
  const entry = BUILTIN_CATALOGS[name];
  options.onProgress?.({ phase: 'read', doneRows: 0, totalRows: 0 });
  const data = await entry.read();
  return store.load(
    options.as ?? name,
    { kind: 'columns', data, description: entry.source },
    options
  );
}
