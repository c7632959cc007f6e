import { createDecoder } from '../alerts/index.js';
import { readAlertFile } from '../buffer/produce.js';
import { smallRubinAlerts } from './testing/small-alerts.js';
import { ParquetWriter } from './parquet-writer.js';
import { nightOf } from './archive-stage.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, rmSync } from 'node:fs';
const small = smallRubinAlerts(3);
const real: Uint8Array[] = [];
for (const f of ['rubin/rubin-v10-7alerts.avro', 'ztf/ztf-31alerts.avro']) real.push(...(await readAlertFile('/work/shared/data/alerts/' + f)).values);
const values = Array.from({ length: 20000 }, (_, i) => small.make(i));
real.forEach((v, i) => values.splice(i * 400, 0, v));

const w = await ParquetWriter.create();
rmSync('/tmp/stagework/pq2', { recursive: true, force: true });
const dec = createDecoder('auto');
let expected = 0;
for (let s = 0; s < values.length; s += 1500) {
  const r = dec.decodeBatch(values.slice(s, s + 1500));
  expected += r.batch.numRows;
  const mjd = r.batch.getChild('mjd')!;
  const by = new Map<string, number[]>();
  for (let i = 0; i < r.batch.numRows; i++) { const n = nightOf(mjd.get(i), 'night'); by.set(n, [...(by.get(n) ?? []), i]); }
  const names = [...by.keys()];
  names.forEach(n => mkdirSync(`/tmp/stagework/pq2/${n}`, { recursive: true }));
  await w.write(r.batch, names.map(n => Int32Array.from(by.get(n)!)), names.map(n => `/tmp/stagework/pq2/${n}/f${s}.parquet`));
  const i = await DuckDBInstance.create(':memory:'); const c = await i.connect();
  const got = await (await c.run(`SELECT count(*) n FROM read_parquet('/tmp/stagework/pq2/*/f${s}.parquet')`)).getRowObjectsJS();
  if (Number(got[0].n) !== r.batch.numRows) console.log('LOSS at', s, got[0].n, r.batch.numRows, [...by].map(([n, rows]) => `${n}:${rows.length}`).join(' '));
}
console.log('expected', expected);
