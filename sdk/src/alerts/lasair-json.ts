/**
 * Lasair's Kafka records (JSON, one per alert that passed a user's filter) in the Rubin or ZTF
 * alert shape the JSON codec reads. Rubin records carry `diaObjectId`, `ra`, `decl` and, for the
 * "lite lightcurve" and "full alert" streams, `alert.diaSourcesList` / `alert.diaForcedSourcesList`
 * (and `alert.diaObject`): the latest diaSource becomes the alert's diaSource, the others its
 * history. ZTF records carry `objectId` and the filter's columns (position as ramean/decmean or
 * ra/decl). Shapes from Lasair's documentation, "Alert Streams"
 * (https://lasair-lsst.readthedocs.io/en/main/core_functions/alert-streams.html).
 */
import type { JsonValue } from './bigjson.js';

type Obj = { [k: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: JsonValue | undefined): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const first = (...vs: Array<JsonValue | undefined>): JsonValue =>
  vs.find(v => v !== undefined && v !== null) ?? null;
const mjdOf = (o: Obj): number => (typeof o.midpointMjdTai === 'number' ? o.midpointMjdTai : -1);

/** The alert-shaped object for a Lasair record, or undefined when `rec` is not one. */
export function lasairToAlert(rec: Obj): Obj | undefined {
  const ra = first(rec.ra, rec.ramean);
  const dec = first(rec.decl, rec.dec, rec.decmean);
  if (rec.diaObjectId !== undefined) {
    const inner = isObj(rec.alert) ? rec.alert : {};
    const sources = objects(inner.diaSourcesList).sort((a, b) => mjdOf(a) - mjdOf(b));
    const latest = sources.pop() ?? {};
    const diaSource: Obj = { ...latest, diaObjectId: rec.diaObjectId };
    diaSource.ra = first(latest.ra, ra);
    diaSource.dec = first(latest.dec, dec);
    return {
      diaSource,
      diaObject: isObj(inner.diaObject) ? inner.diaObject : { diaObjectId: rec.diaObjectId },
      prvDiaSources: sources,
      prvDiaForcedSources: objects(inner.diaForcedSourcesList)
    };
  }
  if (typeof rec.objectId === 'string' && ra !== null && dec !== null) {
    return { objectId: rec.objectId, candidate: { ra, dec } };
  }
  return undefined;
}
