/** What a filter stage decodes of each alert (shared by the stage worker and the deploy gate). */
import { isFeatureName } from '../filter/features.js';
import type { Filter } from '../filter/types.js';
import type { StageManifest } from './manifest-types.js';

/**
 * The survey columns a filter stage decodes: what its filter reads (plus `thinColumns`), when the
 * filter says so and the payload does not carry every column (`annotated`); else all of them.
 */
export function decodedColumns(m: StageManifest, filter: Filter): readonly string[] | undefined {
  if (filter.readsOnly === undefined || m.payload === 'annotated') {
    return undefined;
  }
  return [...filter.readsOnly, ...(m.payload === 'thin' ? m.thinColumns : [])];
}

/** Whether `columns` (a projection) names a lightcurve feature. */
export function namesFeature(columns: readonly string[]): boolean {
  return columns.some(isFeatureName);
}

/**
 * Whether a stage decodes the lightcurve: with every column (`columns` undefined), with object
 * state (it reads the lightcurve's features), or when its projection names the lightcurve or a
 * feature. Otherwise the reader skips the history arrays unread.
 */
export function decodesLightcurve(
  columns: readonly string[] | undefined,
  objects: boolean
): boolean {
  return (
    columns === undefined ||
    objects ||
    namesFeature(columns) ||
    columns.some(c => c.toLowerCase() === 'lightcurve')
  );
}
