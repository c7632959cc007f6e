/** ZTF (3.x/4.x) alerts → canonical columns, flattened candidate fields, lightcurve. */
import type { AlertColumns } from './arrow/alert-columns.js';
import { SurveyMapper, flattenPath } from './mapper.js';
import { positionProblem, type RowProblem } from './position.js';
import { JD_MJD_OFFSET, ZTF_BANDS } from './schema.js';
import { ztfDcMag, ztfDcMagErr } from './total-flux.js';

const enc = new TextEncoder();
const SURVEY = enc.encode('ztf');
const BAND_BYTES = new Map(
  Object.entries(ZTF_BANDS).map(([fid, b]) => [Number(fid), enc.encode(b)])
);
/** Solar-system association radius used for `isMovingObject`. */
const SS_MATCH_ARCSEC = 5;

const SLOTS = [
  ['candid', 'id'],
  ['candidate.candid', 'id'],
  ['objectId', 'str'],
  ['candidate.ra', 'num'],
  ['candidate.dec', 'num'],
  ['candidate.jd', 'num'],
  ['candidate.fid', 'num'],
  ['candidate.magpsf', 'num'],
  ['candidate.sigmapsf', 'num'],
  ['candidate.diffmaglim', 'num'],
  ['candidate.magnr', 'num'],
  ['candidate.sigmagnr', 'num'],
  ['candidate.isdiffpos', 'str'],
  ['candidate.ssdistnr', 'num'],
  ['candidate.ssnamenr', 'str'],
  ['prv_candidates[].candid', 'id'],
  ['prv_candidates[].jd', 'num'],
  ['prv_candidates[].fid', 'num'],
  ['prv_candidates[].magpsf', 'num'],
  ['prv_candidates[].sigmapsf', 'num'],
  ['prv_candidates[].diffmaglim', 'num'],
  ['prv_candidates[].magnr', 'num'],
  ['prv_candidates[].sigmagnr', 'num'],
  ['prv_candidates[].isdiffpos', 'str']
] as const;

const SKIP_RECORDS = new Set(['cutoutScience', 'cutoutTemplate', 'cutoutDifference']);
const CUTOUTS: Record<string, string> = {
  'cutoutScience.stampData': 'cutoutScience',
  'cutoutTemplate.stampData': 'cutoutTemplate',
  'cutoutDifference.stampData': 'cutoutDifference'
};

export class ZtfMapper extends SurveyMapper {
  readonly survey = 'ztf' as const;
  private readonly s = {
    candid: this.slot('candid'),
    candCandid: this.slot('candidate.candid'),
    objectId: this.slot('objectId'),
    ra: this.slot('candidate.ra'),
    dec: this.slot('candidate.dec'),
    jd: this.slot('candidate.jd'),
    fid: this.slot('candidate.fid'),
    mag: this.slot('candidate.magpsf'),
    magErr: this.slot('candidate.sigmapsf'),
    lim: this.slot('candidate.diffmaglim'),
    magnr: this.slot('candidate.magnr'),
    sigmagnr: this.slot('candidate.sigmagnr'),
    isdiffpos: this.slot('candidate.isdiffpos'),
    ssdistnr: this.slot('candidate.ssdistnr'),
    ssnamenr: this.slot('candidate.ssnamenr')
  };

  constructor(cols: AlertColumns) {
    super(cols, SLOTS);
  }

  protected flatName(path: string): string | undefined {
    return flattenPath(path, 'candidate', {}, SKIP_RECORDS);
  }

  protected cutoutName(path: string): string | undefined {
    return CUTOUTS[path];
  }

  protected hooks(): Record<string, () => void> {
    const candid = this.slot('prv_candidates[].candid');
    const jd = this.slot('prv_candidates[].jd');
    const fid = this.slot('prv_candidates[].fid');
    const mag = this.slot('prv_candidates[].magpsf');
    const magErr = this.slot('prv_candidates[].sigmapsf');
    const lim = this.slot('prv_candidates[].diffmaglim');
    const magnr = this.slot('prv_candidates[].magnr');
    const sigmagnr = this.slot('prv_candidates[].sigmagnr');
    const isdiffpos = this.slot('prv_candidates[].isdiffpos');
    return {
      prv_candidates: () => {
        const s = this.slots;
        if (s.isNull[jd]) {
          return; // a null array item
        }
        const detected = !s.isNull[candid] && !s.isNull[mag];
        this.point(
          s.num[jd],
          s.numOrNaN(fid),
          detected,
          s.numOrNaN(mag),
          s.numOrNaN(magErr),
          s.numOrNaN(lim),
          magnr,
          sigmagnr,
          isdiffpos
        );
      }
    };
  }

  private point(
    jd: number,
    fid: number,
    detected: boolean,
    mag: number,
    magErr: number,
    lim: number,
    magnrSlot: number,
    sigmagnrSlot: number,
    isdiffposSlot: number
  ): void {
    const band = BAND_BYTES.get(fid) ?? null;
    const [total, totalErr] = detected
      ? this.dcMag(mag, magErr, magnrSlot, sigmagnrSlot, isdiffposSlot)
      : [NaN, NaN];
    this.cols.lightcurve.push(
      jd - JD_MJD_OFFSET,
      NaN,
      NaN,
      detected ? mag : NaN,
      detected ? magErr : NaN,
      false,
      detected,
      detected ? NaN : lim,
      false,
      band,
      0,
      band ? band.length : 0,
      total,
      totalErr
    );
  }

  /** The DC magnitude and its error from the slots of magnr, sigmagnr and isdiffpos. */
  private dcMag(
    mag: number,
    magErr: number,
    magnrSlot: number,
    sigmagnrSlot: number,
    isdiffposSlot: number
  ): [number, number] {
    const s = this.slots;
    const magnr = s.numOrNaN(magnrSlot);
    const sigmagnr = s.numOrNaN(sigmagnrSlot);
    // isdiffpos: 't' / '1' (positive subtraction) or 'f' / '0'
    const first =
      s.isNull[isdiffposSlot] || s.len[isdiffposSlot] === 0 ? 0 : this.buf[s.start[isdiffposSlot]];
    const positive = first === 0x74 || first === 0x31 || first === 0x54;
    return [ztfDcMag(mag, magnr, positive), ztfDcMagErr(mag, magErr, magnr, sigmagnr, positive)];
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
    const idSlot = s.isNull[x.candid] ? x.candCandid : x.candid;
    if (s.isNull[idSlot]) {
      c.alertId.appendNull();
    } else {
      c.alertId.appendHalves(s.lo[idSlot], s.hi[idSlot]);
    }
    for (const [col, slot] of [
      [c.objectId, x.objectId],
      [c.ssnamenr, x.ssnamenr]
    ] as const) {
      if (s.isNull[slot]) {
        col.appendNull();
      } else {
        col.appendBytes(this.buf, s.start[slot], s.len[slot]);
      }
    }
    c.diaObjectId.appendNull();
    c.ra.append(s.num[x.ra]);
    c.dec.append(s.num[x.dec]);
    const jd = s.numOrNaN(x.jd);
    const fid = s.numOrNaN(x.fid);
    const mjd = jd - JD_MJD_OFFSET;
    c.mjd.appendOrNull(mjd, mjd !== mjd);
    const band = BAND_BYTES.get(fid);
    if (band) {
      c.band.appendBytes(band, 0, band.length);
    } else {
      c.band.appendNull();
    }
    const mag = s.numOrNaN(x.mag);
    const magErr = s.numOrNaN(x.magErr);
    c.mag.appendOrNull(mag, mag !== mag);
    c.magErr.appendOrNull(magErr, magErr !== magErr);
    const [total, totalErr] = s.isNull[x.mag]
      ? [NaN, NaN]
      : this.dcMag(mag, magErr, x.magnr, x.sigmagnr, x.isdiffpos);
    c.totalMag.appendOrNull(total, total !== total);
    c.totalMagErr.appendOrNull(totalErr, totalErr !== totalErr);
    c.psfFlux.appendNull();
    c.psfFluxErr.appendNull();
    c.ssObjectId.appendNull();
    const ssdistnr = s.numOrNaN(x.ssdistnr);
    c.ssdistnr.appendOrNull(ssdistnr, ssdistnr !== ssdistnr);
    c.isMovingObject.append(ssdistnr >= 0 && ssdistnr <= SS_MATCH_ARCSEC);
    this.point(
      jd,
      fid,
      !s.isNull[x.mag],
      mag,
      magErr,
      s.numOrNaN(x.lim),
      x.magnr,
      x.sigmagnr,
      x.isdiffpos
    );
    c.lightcurve.closeRow();
    c.endRow();
    return undefined;
  }
}
