/**
 * The topics panel's lag: GET /buffers/topics lists, per topic, the notebooks' resume groups
 * (`alertlab.…`) with the records they have not read yet (readerLags, on the real broker).
 */
import { describe, expect, it } from 'vitest';
import { BufferClient } from '../sdk/src/buffer/client.js';
import { readerLags } from '../sdk/src/control/reader-lag.js';
import { resumeGroupId } from '../sdk/src/profiles/connect.js';
import { bootstrapServers, randomName } from './buffer-helpers.js';

describe('reader lag per topic', () => {
  it('a resume group that committed 2 of 5 records is 3 behind; other groups are not listed', async () => {
    const client = await BufferClient.create({ bootstrapServers: bootstrapServers() });
    const topic = randomName('reader-lag');
    const group = resumeGroupId({ user: 'test', stream: `local/${topic}`, reader: 'lag.ipynb' });
    const other = randomName('not-a-reader');
    try {
      await client.createTopics([{ topic, partitions: 1 }]);
      const producer = await client.producer();
      await producer.send(
        [1, 2, 3, 4, 5].map(i => ({ topic, value: new TextEncoder().encode(`{"n":${i}}`) }))
      );
      for (const g of [group, other]) {
        const abort = new AbortController();
        for await (const b of client.attach(topic, {
          group: g,
          format: 'json',
          maxBatchRows: 2,
          signal: abort.signal
        })) {
          await b.commit(); // the first 2 records (they are rejects: not alerts, still read)
          abort.abort();
          break;
        }
      }
      const admin = await client.admin();
      const offsets = new Map([[topic, await admin.endOffsets(topic)]]);
      const lags = await readerLags(client, offsets, 10_000);
      expect(lags.get(topic)).toEqual([{ groupId: group, lag: '3' }]);
      await admin.deleteGroups([group, other]).catch(() => undefined);
    } finally {
      await client.deleteTopics([topic]).catch(() => undefined);
      await client.close();
    }
  }, 60_000);
});
