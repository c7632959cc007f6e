/** What a filter stage decodes of each alert (shared by the stage worker and the deploy gate). */
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
