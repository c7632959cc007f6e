// Attach to a buffer topic and read alerts as Arrow record batches (run: make demo first, then
// `node --import tsx examples/quickstart.ts`).
import { attach } from '@alertlab/sdk';

const stop = new AbortController();
for await (const { batch, rejects } of attach('alerts-rubin-real', {
  from: 'earliest',
  format: 'auto',
  signal: stop.signal
})) {
  const objectId = batch.getChild('objectId');
  const lightcurve = batch.getChild('lightcurve');
  console.log(`${batch.numRows} alerts, ${rejects.length} rejects`);
  console.log('first:', objectId?.get(0), 'history rows:', lightcurve?.get(0)?.length);
  stop.abort();
}
