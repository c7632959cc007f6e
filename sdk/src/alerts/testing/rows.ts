/** Test helper: the canonical fields of a decoded batch as plain values (ids as strings). */
import type { RecordBatch } from 'apache-arrow';

export interface DecodedRow {
  survey: string;
  alertId: string | null;
  objectId: string | null;
  diaObjectId: string | null;
  ssObjectId: string | null;
  ra: number;
  dec: number;
  mjd: number | null;
  band: string | null;
  mag: number | null;
  psfFlux: number | null;
  isMovingObject: boolean;
  lightcurve: Array<Record<string, unknown>>;
}

const idString = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Reads every row of `batch` into plain objects. */
export function decodedRows(batch: RecordBatch): DecodedRow[] {
  const col = (name: string) => {
    const c = batch.getChild(name);
    if (!c) {
      throw new Error(`column ${name} missing`);
    }
    return c;
  };
  const rows: DecodedRow[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const lc = col('lightcurve').get(i) as {
      toArray(): Array<{ toJSON(): Record<string, unknown> }>;
    };
    rows.push({
      survey: col('survey').get(i) as string,
      alertId: idString(col('alertId').get(i)),
      objectId: col('objectId').get(i) as string | null,
      diaObjectId: idString(col('diaObjectId').get(i)),
      ssObjectId: idString(col('ssObjectId').get(i)),
      ra: col('ra').get(i) as number,
      dec: col('dec').get(i) as number,
      mjd: col('mjd').get(i) as number | null,
      band: col('band').get(i) as string | null,
      mag: col('mag').get(i) as number | null,
      psfFlux: col('psfFlux').get(i) as number | null,
      isMovingObject: col('isMovingObject').get(i) as boolean,
      lightcurve: lc.toArray().map(p => p.toJSON())
    });
  }
  return rows;
}
