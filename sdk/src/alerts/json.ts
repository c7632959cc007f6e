/**
 * JSON alerts (one per record, Rubin- or ZTF-shaped) → the same columns as the Avro codecs.
 * Ids may be JSON numbers or strings and stay exact (bigint). Flattened fields are typed from the
 * values when first seen (integers named *Id/*id/candid/pid → Int64, other numbers → Float64),
 * or follow the column's type when a column of that name already exists.
 */
import type { AlertColumns } from './arrow/alert-columns.js';
import { parseJsonExact, type JsonValue } from './bigjson.js';
import { positionProblem } from './position.js';
import { flatten, id, num } from './json-flatten.js';
import { lasairToAlert } from './lasair-json.js';
import { RejectError } from './rejects.js';
import { JD_MJD_OFFSET, ZTF_BANDS, abMagFromNjy, magErrFromFlux } from './schema.js';
import {
  isPositiveSubtraction,
  rubinTotalMag,
  rubinTotalMagErr,
  ztfDcMag,
  ztfDcMagErr
} from './total-flux.js';

type Obj = { [k: string]: JsonValue };
const dec = new TextDecoder();
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nonZero = (v: bigint | undefined): bigint | undefined => (v === 0n ? undefined : v);
const isNil = (v: JsonValue | undefined): v is null | undefined => v === null || v === undefined;
const str = (v: JsonValue | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** Parses one JSON alert and appends it as a row (throws RejectError when it cannot). */
export function appendJsonAlert(cols: AlertColumns, value: Uint8Array): void {
  let alert: JsonValue;
  try {
    alert = parseJsonExact(dec.decode(value));
  } catch (e) {
    throw new RejectError('decode-error', (e as Error).message);
  }
  if (!isObj(alert)) {
    throw new RejectError('decode-error', 'JSON alert is not an object.');
  }
  const shaped = isObj(alert.diaSource) || isObj(alert.candidate) ? alert : lasairToAlert(alert);
  if (shaped && isObj(shaped.diaSource)) {
    appendRubin(cols, shaped, shaped.diaSource);
  } else if (shaped && isObj(shaped.candidate)) {
    appendZtf(cols, shaped, shaped.candidate);
  } else {
    throw new RejectError(
      'unknown-schema',
      'JSON alert has neither a diaSource (Rubin) nor a candidate (ZTF) object, nor is it a Lasair record (diaObjectId, or objectId with a position).'
    );
  }
}

function checkPosition(src: Obj): void {
  const problem = positionProblem(num(src.ra), num(src.dec), isNil(src.ra), isNil(src.dec));
  if (problem) {
    throw new RejectError(problem.code, problem.reason);
  }
}

interface Point {
  mjd: number;
  band: string | undefined;
  flux: number;
  fluxErr: number;
  mag: number;
  magErr: number;
  isDetection: boolean;
  upperLimitMag: number;
  forced: boolean;
  totalMag?: number;
  totalMagErr?: number;
}

const enc = new TextEncoder();

function appendPoint(cols: AlertColumns, p: Point): void {
  const band = p.band === undefined ? null : enc.encode(p.band);
  cols.lightcurve.push(
    p.mjd,
    p.flux,
    p.fluxErr,
    p.mag,
    p.magErr,
    false,
    p.isDetection,
    p.upperLimitMag,
    p.forced,
    band,
    0,
    band ? band.length : 0,
    p.totalMag ?? NaN,
    p.totalMagErr ?? NaN
  );
}

function appendCanonical(
  cols: AlertColumns,
  v: {
    survey: string;
    alertId?: bigint;
    objectId?: string;
    diaObjectId?: bigint;
    ra: number;
    dec: number;
    mjd: number;
    band?: string;
    mag: number;
    magErr: number;
    totalMag: number;
    totalMagErr: number;
    psfFlux: number;
    psfFluxErr: number;
    ssObjectId?: bigint;
    ssnamenr?: string;
    ssdistnr: number;
    isMovingObject: boolean;
  }
): void {
  const c = cols;
  c.survey.appendString(v.survey);
  for (const k of ['alertId', 'diaObjectId', 'ssObjectId'] as const) {
    const x = v[k];
    if (x === undefined) {
      c[k].appendNull();
    } else {
      c[k].appendBigInt(x);
    }
  }
  for (const k of ['objectId', 'band', 'ssnamenr'] as const) {
    const x = v[k];
    if (x === undefined) {
      c[k].appendNull();
    } else {
      c[k].appendString(x);
    }
  }
  for (const k of [
    'ra',
    'dec',
    'mjd',
    'mag',
    'magErr',
    'totalMag',
    'totalMagErr',
    'psfFlux',
    'psfFluxErr',
    'ssdistnr'
  ] as const) {
    c[k].appendOrNull(v[k], Number.isNaN(v[k]));
  }
  c.isMovingObject.append(v.isMovingObject);
}

function appendRubin(cols: AlertColumns, alert: Obj, src: Obj): void {
  checkPosition(src);
  const obj = isObj(alert.diaObject) ? alert.diaObject : {};
  const diaObjectId = nonZero(id(obj.diaObjectId)) ?? nonZero(id(src.diaObjectId));
  const ssObjectId = nonZero(id(src.ssObjectId));
  const flux = num(src.psfFlux);
  const fluxErr = num(src.psfFluxErr);
  const current = {
    mjd: num(src.midpointMjdTai),
    band: str(src.band),
    flux,
    fluxErr,
    sci: num(src.scienceFlux),
    sciErr: num(src.scienceFluxErr)
  };
  appendCanonical(cols, {
    survey: 'rubin',
    alertId: id(src.diaSourceId) ?? id(alert.diaSourceId),
    objectId: (diaObjectId ?? ssObjectId)?.toString(),
    diaObjectId,
    ra: num(src.ra),
    dec: num(src.dec),
    mjd: current.mjd,
    band: current.band,
    mag: abMagFromNjy(flux),
    magErr: magErrFromFlux(flux, fluxErr),
    totalMag: rubinTotalMag(current.sci),
    totalMagErr: rubinTotalMagErr(current.sci, current.sciErr),
    psfFlux: flux,
    psfFluxErr: fluxErr,
    ssObjectId,
    ssdistnr: NaN,
    isMovingObject: ssObjectId !== undefined
  });
  flatten(cols, alert, src, 'diaSource', { diaObject: 'diaObject_' });
  const history = (key: string, forced: boolean): void => {
    const arr = alert[key];
    for (const h of Array.isArray(arr) ? arr : []) {
      if (isObj(h)) {
        rubinPoint(
          cols,
          {
            mjd: num(h.midpointMjdTai),
            band: str(h.band),
            flux: num(h.psfFlux),
            fluxErr: num(h.psfFluxErr),
            sci: num(h.scienceFlux),
            sciErr: num(h.scienceFluxErr)
          },
          forced
        );
      }
    }
  };
  history('prvDiaSources', false);
  history('prvDiaForcedSources', true);
  rubinPoint(cols, current, false);
  cols.lightcurve.closeRow();
  cols.endRow();
}

function rubinPoint(
  cols: AlertColumns,
  p: { mjd: number; band?: string; flux: number; fluxErr: number; sci: number; sciErr: number },
  forced: boolean
): void {
  appendPoint(cols, {
    mjd: p.mjd,
    flux: p.flux,
    fluxErr: p.fluxErr,
    band: p.band,
    mag: abMagFromNjy(p.flux),
    magErr: magErrFromFlux(p.flux, p.fluxErr),
    totalMag: rubinTotalMag(p.sci),
    totalMagErr: rubinTotalMagErr(p.sci, p.sciErr),
    isDetection: !forced,
    upperLimitMag: NaN,
    forced
  });
}

/** ZTF DC magnitude of a candidate / prv_candidate (see total-flux.ts). */
function dcOf(c: Obj): { totalMag: number; totalMagErr: number } {
  const positive = isPositiveSubtraction(str(c.isdiffpos));
  const mag = num(c.magpsf);
  const magnr = num(c.magnr);
  return {
    totalMag: ztfDcMag(mag, magnr, positive),
    totalMagErr: ztfDcMagErr(mag, num(c.sigmapsf), magnr, num(c.sigmagnr), positive)
  };
}

function appendZtf(cols: AlertColumns, alert: Obj, cand: Obj): void {
  checkPosition(cand);
  const ssdistnr = num(cand.ssdistnr);
  const mag = num(cand.magpsf);
  appendCanonical(cols, {
    survey: 'ztf',
    alertId: id(alert.candid) ?? id(cand.candid),
    objectId: str(alert.objectId),
    ra: num(cand.ra),
    dec: num(cand.dec),
    mjd: num(cand.jd) - JD_MJD_OFFSET,
    band: ZTF_BANDS[num(cand.fid)],
    mag,
    magErr: num(cand.sigmapsf),
    ...dcOf(cand),
    psfFlux: NaN,
    psfFluxErr: NaN,
    ssnamenr: str(cand.ssnamenr),
    ssdistnr,
    isMovingObject: ssdistnr >= 0 && ssdistnr <= 5
  });
  flatten(cols, alert, cand, 'candidate', {});
  const prv = Array.isArray(alert.prv_candidates) ? alert.prv_candidates : [];
  for (const h of [...prv, cand]) {
    if (!isObj(h)) {
      continue;
    }
    const detected = !isNil(h.candid) && !isNil(h.magpsf);
    appendPoint(cols, {
      mjd: num(h.jd) - JD_MJD_OFFSET,
      band: ZTF_BANDS[num(h.fid)],
      flux: NaN,
      fluxErr: NaN,
      mag: detected ? num(h.magpsf) : NaN,
      magErr: detected ? num(h.sigmapsf) : NaN,
      ...(detected ? dcOf(h) : {}),
      isDetection: detected,
      upperLimitMag: detected ? NaN : num(h.diffmaglim),
      forced: false
    });
  }
  cols.lightcurve.closeRow();
  cols.endRow();
}
