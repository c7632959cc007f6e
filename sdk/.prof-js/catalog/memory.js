import { readColumns } from './duckColumns.js';
import { ident } from './stage.js';
import { maxZone } from './sky.js';
import { zoneTableName } from './store.js';
/** Reads a catalog's zone table into memory (all kept columns unless `columns` is given). */
export async function readMemoryCatalog(store, name, columns) {
    const info = await store.info(name);
    const keep = columns
        ? info.columns.filter(c => columns.includes(c.name))
        : info.columns;
    const con = await store.connect();
    try {
        const sql = `SELECT zone, ra, dec, x, y, z, id${keep.map(c => `, ${ident(c.name)}`).join('')}
                 FROM ${zoneTableName(name)} ORDER BY rowIdx`;
        const cols = await readColumns(await con.run(sql), [
            'int',
            'double',
            'double',
            'double',
            'double',
            'double',
            info.idKind,
            ...keep.map(c => c.kind)
        ]);
        const zone = cols[0].values;
        const nz = maxZone(info.zoneHeightDeg) + 1;
        const zoneStart = new Int32Array(nz + 1);
        for (let i = 0; i < zone.length; i++) {
            zoneStart[zone[i] + 1]++;
        }
        for (let k = 0; k < nz; k++) {
            zoneStart[k + 1] += zoneStart[k];
        }
        const extra = {};
        keep.forEach((c, i) => {
            extra[c.name] = cols[7 + i];
        });
        return {
            info,
            rows: zone.length,
            zoneHeightDeg: info.zoneHeightDeg,
            zoneStart,
            raDeg: cols[1].values,
            decDeg: cols[2].values,
            x: cols[3].values,
            y: cols[4].values,
            z: cols[5].values,
            ids: cols[6],
            columns: extra
        };
    }
    finally {
        con.closeSync();
    }
}
