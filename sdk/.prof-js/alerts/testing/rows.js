const idString = (v) => (v === null || v === undefined ? null : String(v));
/** Reads every row of `batch` into plain objects. */
export function decodedRows(batch) {
    const col = (name) => {
        const c = batch.getChild(name);
        if (!c) {
            throw new Error(`column ${name} missing`);
        }
        return c;
    };
    const rows = [];
    for (let i = 0; i < batch.numRows; i++) {
        const lc = col('lightcurve').get(i);
        rows.push({
            survey: col('survey').get(i),
            alertId: idString(col('alertId').get(i)),
            objectId: col('objectId').get(i),
            diaObjectId: idString(col('diaObjectId').get(i)),
            ssObjectId: idString(col('ssObjectId').get(i)),
            ra: col('ra').get(i),
            dec: col('dec').get(i),
            mjd: col('mjd').get(i),
            band: col('band').get(i),
            mag: col('mag').get(i),
            psfFlux: col('psfFlux').get(i),
            isMovingObject: col('isMovingObject').get(i),
            lightcurve: lc.toArray().map(p => p.toJSON())
        });
    }
    return rows;
}
