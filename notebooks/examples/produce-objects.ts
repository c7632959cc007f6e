/**
 * Produces ZTF-shaped JSON alerts of a few objects over several nights to a buffer topic, keyed by
 * object id (so each object's alerts stay in order on one partition, as object state needs).
 * Objects 0..rising-1 brighten by 0.3 mag a night, the others stay at their magnitude; g and r
 * alternate night by night. Notebook 07 runs it:
 *
 *   node --import tsx notebooks/examples/produce-objects.ts --topic t --objects 40 --nights 4
 *
 * `--plan` prints the alerts without sending them; `--nights 0` only makes the topic.
 * Prints one JSON line: {topic, records, alerts: [{objectId, candid, night, band, mag, ra, dec}]}
 * (candid as a decimal string: above 2^53).
 */
import { parseArgs } from 'node:util';
import { BufferClient } from '../../sdk/src/buffer/client.js';

const JD_MJD = 2400000.5;
const FIRST_CANDID = 1n << 60n;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      topic: { type: 'string' },
      objects: { type: 'string', default: '40' },
      nights: { type: 'string', default: '4' },
      rising: { type: 'string', default: '10' },
      partitions: { type: 'string', default: '2' },
      plan: { type: 'boolean', default: false },
      bootstrap: { type: 'string' }
    }
  });
  if (!values.topic) {
    console.error('Usage: produce-objects.ts --topic <name> [--objects 40] [--nights 4]');
    return 2;
  }
  const [objects, nights, rising] = [values.objects, values.nights, values.rising].map(Number);
  const alerts: Array<Record<string, unknown>> = [];
  const records: { key: string; value: Uint8Array }[] = [];
  for (let night = 1; night <= nights; night++) {
    for (let o = 0; o < objects; o++) {
      const objectId = `ZTF26nb07${String(o).padStart(4, '0')}`;
      const candid = FIRST_CANDID + BigInt(o * 100 + night);
      const band = night % 2 === 1 ? 'g' : 'r';
      const mag = Math.round((o < rising ? 20 - 0.3 * night : 19 + o / 100) * 1000) / 1000;
      const [ra, dec] = [150 + o * 0.01, 2 + o * 0.005];
      const mjd = 61000 + night + o * 1e-4;
      const candidate =
        `{"candid":${candid},"ra":${ra},"dec":${dec},"jd":${mjd + JD_MJD},` +
        `"fid":${band === 'g' ? 1 : 2},"magpsf":${mag},"sigmapsf":0.05}`;
      records.push({
        key: objectId,
        value: Buffer.from(`{"objectId":"${objectId}","candid":${candid},"candidate":${candidate}}`)
      });
      alerts.push({ objectId, candid: candid.toString(), night, band, mag, ra, dec, mjd });
    }
  }
  if (values.plan) {
    console.log(JSON.stringify({ topic: values.topic, records: 0, alerts })); // nothing sent
    return 0;
  }
  const client = await BufferClient.create({ bootstrapServers: values.bootstrap });
  try {
    await client.createTopics([{ topic: values.topic, partitions: Number(values.partitions) }]);
    if (records.length === 0) {
      console.log(JSON.stringify({ topic: values.topic, records: 0, alerts }));
      return 0; // --nights 0: the topic only
    }
    const producer = await client.transport.producer({ idempotent: true });
    try {
      await producer.send(records.map(r => ({ topic: values.topic as string, ...r })));
    } finally {
      await producer.close();
    }
    console.log(JSON.stringify({ topic: values.topic, records: records.length, alerts }));
  } finally {
    await client.close();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
