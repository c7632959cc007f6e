/** Rubin (lsst.v10) alerts → canonical columns, flattened diaSource/diaObject fields, lightcurve. */
import type { AlertColumns } from './arrow/alert-columns.js';
import { BandDictionary, RawPoints } from './arrow/raw-points.js';
import { KEEP_ARRAY, type Sink } from './avro/codegen.js';
import { bigintFromHalves } from './avro/cursor.js';
import { SurveyMapper, flattenPath } from './mapper.js';
import { positionProblem, type RowProblem } from './position.js';
import { abMagFromNjy, magErrFromFlux } from './schema.js';

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
  ['diaSource.band', 'str']
] as const;

const PREFIXES = { diaObject: 'diaObject_' };
const SKIP_RECORDS = new Set<string>();
const CUTOUTS = new Set(['cutoutDifference', 'cutoutScience', 'cutoutTemplate']);

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
    band: this.slot('diaSource.band')
  };

  private readonly bands = new BandDictionary();
  private readonly prv = new RawPoints(this.bands);
  private readonly prvForced = new RawPoints(this.bands);

  constructor(cols: AlertColumns) {
    super(cols, SLOTS);
  }

  protected flatName(path: string): string | undefined {
    return flattenPath(path, 'diaSource', PREFIXES, SKIP_RECORDS);
  }

  protected cutoutName(path: string): string | undefined {
    return CUTOUTS.has(path) ? path : undefined;
  }

  protected hooks(): Record<string, () => void> {
    return { prvDiaSources: KEEP_ARRAY, prvDiaForcedSources: KEEP_ARRAY };
  }

  /** History points go straight from the reader into raw arrays (no callback per point). */
  protected override pointSink(path: string): Sink | undefined {
    const m =
      /^(prvDiaSources|prvDiaForcedSources)\[\]\.(midpointMjdTai|psfFlux|psfFluxErr|band)$/.exec(
        path
      );
    if (!m) {
      return undefined;
    }
    const raw = m[1] === 'prvDiaSources' ? this.prv : this.prvForced;
    const field = m[2];
    return field === 'midpointMjdTai'
      ? raw.mjd
      : field === 'psfFlux'
        ? raw.flux
        : field === 'psfFluxErr'
          ? raw.fluxErr
          : raw.band;
  }

  override beginRow(): void {
    super.beginRow();
    this.prv.clear();
    this.prvForced.clear();
  }

  /** Id slot value, treating null and 0 as absent. */
  private id(i: number): bigint | undefined {
    const s = this.slots;
    return s.isNull[i] || (s.lo[i] === 0 && s.hi[i] === 0)
      ? undefined
      : bigintFromHalves(s.lo[i], s.hi[i]);
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
    const diaObjectId = this.id(x.objId) ?? this.id(x.srcObjId);
    const ssObjectId = this.id(x.ssObjId);
    const objectId = diaObjectId ?? ssObjectId;
    if (objectId === undefined) {
      c.objectId.appendNull();
    } else {
      c.objectId.appendString(objectId.toString());
    }
    for (const [col, v] of [
      [c.diaObjectId, diaObjectId],
      [c.ssObjectId, ssObjectId]
    ] as const) {
      if (v === undefined) {
        col.appendNull();
      } else {
        col.appendBigInt(v);
      }
    }
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
    c.psfFlux.appendOrNull(flux, flux !== flux);
    c.psfFluxErr.appendOrNull(fluxErr, fluxErr !== fluxErr);
    c.ssnamenr.appendNull();
    c.ssdistnr.appendNull();
    c.isMovingObject.append(ssObjectId !== undefined);
    c.lightcurve.pushRaw(this.prv, false);
    c.lightcurve.pushRaw(this.prvForced, true);
    c.lightcurve.pushFromSlots(s, x.mjd, x.flux, x.fluxErr, x.band, false, this.buf);
    c.lightcurve.closeRow();
    c.endRow();
    return undefined;
  }
}
