/** Where alertlab keeps its local state. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
/** The repository root (three levels above this file). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** `$ALERTLAB_HOME`, default `<repo>/.alertlab`. */
export function alertlabHome() {
    return process.env.ALERTLAB_HOME ?? join(REPO_ROOT, '.alertlab');
}
/** Default catalog store: `$ALERTLAB_HOME/catalogs.duckdb`. */
export function defaultCatalogPath() {
    return join(alertlabHome(), 'catalogs.duckdb');
}
/** Directory of astrometry.net index files: `$ALERTLAB_ASTROMETRY_DIR`, default /usr/share/astrometry. */
export function astrometryDataDir() {
    return process.env.ALERTLAB_ASTROMETRY_DIR ?? '/usr/share/astrometry';
}
