/**
 * Rubin alerts (every lsst.vN_M) → canonical columns, flattened diaSource/diaObject fields,
 * lightcurve. Fields renamed between versions are read through rubin-fields.json.
 */
import { readFileSync } from 'node:fs';
import type { AlertColumns } from './arrow/alert-columns.js';
import type { Int64Column } from './arrow/columns.js';
import { KEEP_ARRAY, type Sink } from './avro/codegen.js';
import { SurveyMapper, flattenPath } from './mapper.js';
import { positionProblem, type RowProblem } from './position.js';
import { abMagFromNjy, magErrFromFlux } from './schema.js';
import { rubinTotalMag, rubinTotalMagErr } from './total-flux.js';

const SURVEY = new TextEncoder().encode('rubin');

const SLOTS = [
  ['diaSource.diaSourceId', 'id'],
  ['diaSource.diaObjectId', 'id'],
  ['diaObject.diaObjectId', 'id'],
  ['diaSource.ssObjectId', 'id'],
  ['diaSource.ra', 'num'],
  ['diaSource.dec', 'num'],
  ['diaSource.midpointMjdTai', 'num'],
  ['diaSource.psfFlux', 'num'],
  ['diaSource.psfFluxErr', 'num'],
  ['diaSource.band', 'str'],
  ['diaSource.scienceFlux', 'num'],
  ['diaSource.scienceFluxErr', 'num']
] as const;

const PREFIXES = { diaObject: 'diaObject_' };
const SKIP_RECORDS = new Set<string>();
const CUTOUTS = new Set(['cutoutDifference', 'cutoutScience', 'cutoutTemplate']);
const ALIASES = new Map(
  Object.entries(
    (
      JSON.parse(readFileSync(new URL('./rubin-fields.json', import.meta.url), 'utf8')) as {
        aliases: Record<string, string>;
      }
    ).aliases
  )
);

export class RubinMapper extends SurveyMapper {
  readonly survey = 'rubin' as const;
  private readonly s = {
    srcId: this.slot('diaSource.diaSourceId'),
    srcObjId: this.slot('diaSource.diaObjectId'),
    objId: this.slot('diaObject.diaObjectId'),
    ssObjId: this.slot('diaSource.ssObjectId'),
    ra: this.slot('diaSource.ra'),
    dec: this.slot('diaSource.dec'),
    mjd: this.slot('diaSource.midpointMjdTai'),
    flux: this.slot('diaSource.psfFlux'),
    fluxErr: this.slot('diaSource.psfFluxErr'),
    band: this.slot('diaSource.band'),
    sci: this.slot('diaSource.scienceFlux'),
    sciErr: this.slot('diaSource.scienceFluxErr')
  };

  constructor(cols: AlertColumns) {
    super(cols, SLOTS);
  }

  protected flatName(path: string): string | undefined {
    return flattenPath(path, 'diaSource', PREFIXES, SKIP_RECORDS);
  }

  protected override canonicalPath(path: string): string {
    return ALIASES.get(path) ?? path;
  }

  protected cutoutName(path: string): string | undefined {
    return CUTOUTS.has(path) ? path : undefined;
  }

  protected hooks(): Record<string, () => void> {
    return { prvDiaSources: KEEP_ARRAY, prvDiaForcedSources: KEEP_ARRAY };
  }

  /** Each history array's points are committed (magnitudes, flags) once it has been read. */
  protected override arrayEnds(): Record<string, () => void> {
    const lc = this.cols.lightcurve;
    return {
      prvDiaSources: () => lc.commitPoints(false),
      prvDiaForcedSources: () => lc.commitPoints(true)
    };
  }

  /**
   * History points go straight from the reader into the lightcurve's buffers (no callback or
   * copy per point); both arrays share the sinks, one after the other.
   */
  protected override pointSink(path: string): Sink | undefined {
    const m =
      /^(?:prvDiaSources|prvDiaForcedSources)\[\]\.(midpointMjdTai|psfFlux|psfFluxErr|band|scienceFlux|scienceFluxErr)$/.exec(
        path
      );
    if (!m) {
      return undefined;
    }
    const sinks = this.cols.lightcurve.sinks;
    const field = m[1];
    switch (field) {
      case 'midpointMjdTai':
        return sinks.mjd;
      case 'psfFlux':
        return sinks.flux;
      case 'psfFluxErr':
        return sinks.fluxErr;
      case 'scienceFlux':
        return sinks.sciFlux;
      case 'scienceFluxErr':
        return sinks.sciFluxErr;
      default:
        return sinks.band;
    }
  }

  override beginRow(): void {
    super.beginRow();
    this.cols.lightcurve.beginPoints();
  }

  /** Whether id slot `i` holds an id (null and 0 mean absent). */
  private hasId(i: number): boolean {
    const s = this.slots;
    return s.isNull[i] === 0 && (s.lo[i] !== 0 || s.hi[i] !== 0);
  }

  /** Appends id slot `i` (or null when absent) to an Int64 column, exactly (no bigint made). */
  private appendId(col: Int64Column, i: number): void {
    if (i < 0) {
      col.appendNull();
    } else {
      col.appendHalves(this.slots.lo[i], this.slots.hi[i]);
    }
  }

  finishRow(): RowProblem | undefined {
    const s = this.slots;
    const x = this.s;
    const c = this.cols;
    const problem = positionProblem(
      s.num[x.ra],
      s.num[x.dec],
      s.isNull[x.ra] === 1,
      s.isNull[x.dec] === 1
    );
    if (problem) {
      return problem;
    }
    c.survey.appendBytes(SURVEY, 0, SURVEY.length);
    if (s.isNull[x.srcId]) {
      c.alertId.appendNull();
    } else {
      c.alertId.appendHalves(s.lo[x.srcId], s.hi[x.srcId]);
    }
    // slot indices of the ids present (-1: absent)
    const diaObjectId = this.hasId(x.objId) ? x.objId : this.hasId(x.srcObjId) ? x.srcObjId : -1;
    const ssObjectId = this.hasId(x.ssObjId) ? x.ssObjId : -1;
    const objectId = diaObjectId >= 0 ? diaObjectId : ssObjectId;
    if (objectId < 0) {
      c.objectId.appendNull();
    } else {
      c.objectId.appendDecimal(s.lo[objectId], s.hi[objectId]);
    }
    this.appendId(c.diaObjectId, diaObjectId);
    this.appendId(c.ssObjectId, ssObjectId);
    c.ra.append(s.num[x.ra]);
    c.dec.append(s.num[x.dec]);
    const mjd = s.numOrNaN(x.mjd);
    const flux = s.numOrNaN(x.flux);
    const fluxErr = s.numOrNaN(x.fluxErr);
    c.mjd.appendOrNull(mjd, mjd !== mjd);
    if (s.isNull[x.band]) {
      c.band.appendNull();
    } else {
      c.band.appendBytes(this.buf, s.start[x.band], s.len[x.band]);
    }
    const mag = abMagFromNjy(flux);
    const magErr = magErrFromFlux(flux, fluxErr);
    c.mag.appendOrNull(mag, mag !== mag);
    c.magErr.appendOrNull(magErr, magErr !== magErr);
    const sci = s.numOrNaN(x.sci);
    const total = rubinTotalMag(sci);
    const totalErr = rubinTotalMagErr(sci, s.numOrNaN(x.sciErr));
    c.totalMag.appendOrNull(total, total !== total);
    c.totalMagErr.appendOrNull(totalErr, totalErr !== totalErr);
    c.psfFlux.appendOrNull(flux, flux !== flux);
    c.psfFluxErr.appendOrNull(fluxErr, fluxErr !== fluxErr);
    c.ssnamenr.appendNull();
    c.ssdistnr.appendNull();
    c.isMovingObject.append(ssObjectId >= 0);
    c.lightcurve.pushFromSlots(
      s,
      x.mjd,
      x.flux,
      x.fluxErr,
      x.band,
      false,
      this.buf,
      x.sci,
      x.sciErr
    );
    c.lightcurve.closeRow();
    c.endRow();
    return undefined;
  }
}
