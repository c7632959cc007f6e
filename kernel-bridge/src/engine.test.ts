import { Float64, Int32, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fromIpcBytes, toIpcBytes } from './arrow-ipc.js';
import type { BridgeClient } from './client.js';
import { RemoteError } from './errors.js';
import { defaultHandlers } from './handlers.js';
import { MESSAGE_TYPES } from './messages.js';
import type { StreamItem } from './services.js';
import { edgeCaseTable, withEngine } from './test-helpers.js';
import { encodeMessage, makeHeader, type BridgeMessage } from './wire.js';

function nextUnmatched(client: BridgeClient, timeoutMs = 5000): Promise<BridgeMessage> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const m = client.unmatched.shift();
      if (m) {
        resolve(m);
      } else if (Date.now() - started > timeoutMs) {
        reject(new Error('no unmatched message arrived'));
      } else {
        setTimeout(poll, 10);
      }
    };
    poll();
  });
}

describe('BridgeEngine', () => {
  it('answers ping and echoes Arrow through Node keeping int64 > 2^53, NaN vs null and List<Struct>', async () => {
    await withEngine({}, async (_engine, client) => {
      const ping = await client.request('ping_request');
      expect(ping.header.msg_type).toBe('ping_reply');
      expect(ping.content.pid).toBe(process.pid);
      const table = edgeCaseTable();
      const reply = await client.request('echo_request', {}, { buffers: [toIpcBytes(table)] });
      const back = fromIpcBytes(reply.buffers[0]);
      expect(back.getChild('alertId')?.toArray()).toEqual(table.getChild('alertId')?.toArray());
      expect(back.getChild('alertId')?.get(0)).toBe(2n ** 62n + 1n);
      expect(back.getChild('alertId')?.get(2)).toBeNull();
      const mag = back.getChild('mag');
      expect(Number.isNaN(mag?.get(0))).toBe(true);
      expect(mag?.get(1)).toBeNull();
      expect(mag?.nullCount).toBe(1);
      const lc = back.getChild('lightcurve');
      expect(lc?.get(0)?.get(0)?.toJSON()).toEqual({ mjd: 60000.5, band: 'g' });
      expect(lc?.get(1)?.length).toBe(0);
      expect(lc?.get(2)).toBeNull();
      expect(lc?.get(3)?.get(0)?.toJSON()).toEqual({ mjd: 1, band: null });
    });
  });

  it('replies with an error to a bad signature and keeps serving', async () => {
    await withEngine({}, async (_engine, client) => {
      const header = makeHeader('ping_request', 'evil');
      const frames = encodeMessage(Buffer.from('wrong-key'), {
        header,
        parent_header: {},
        metadata: {},
        content: {},
        buffers: []
      });
      await client.sendFrames(frames);
      // the error reply is signed with the engine key and names the request
      const err = await nextUnmatched(client);
      expect(err.header.msg_type).toBe('error');
      expect(err.content.code).toBe('bad-signature');
      expect(err.parent_header.msg_id).toBe(header.msg_id);
      expect((await client.request('ping_request')).content.status).toBe('ok');
    });
  });

  it('replies with an error to an unknown type and to malformed frames', async () => {
    await withEngine({}, async (_engine, client) => {
      const reply = await client.requestRaw('no_such_request');
      expect(reply.header.msg_type).toBe('error');
      expect(reply.content).toMatchObject({ status: 'error', code: 'unknown-type' });
      await client.sendFrames([Buffer.from('garbage')]);
      const err = await nextUnmatched(client);
      expect(err.content.code).toBe('malformed');
      expect((await client.request('ping_request')).content.status).toBe('ok');
    });
  });

  it('has a handler for every request type it declares, and replies bad-request to bad content', async () => {
    const requests = Object.entries(MESSAGE_TYPES)
      .filter(([, spec]) => spec.from === 'client')
      .map(([type]) => type);
    expect(Object.keys(defaultHandlers()).sort()).toEqual(requests.sort());
    expect(requests).not.toContain('promote_request'); // Python promotes over the controller's REST API
    await withEngine({}, async (_engine, client) => {
      const bad = await client.request('cone_request', { ra_deg: 'x' }).catch(e => e);
      expect(bad).toBeInstanceOf(RemoteError);
      expect((bad as RemoteError).code).toBe('bad-request');
      expect((bad as RemoteError).message).toMatch(/finite number "ra_deg"/);
    });
  });

  it('never has more batches outstanding than the credit a slow client granted', async () => {
    let pulled = 0;
    const batch = new Table({
      x: vectorFromArray(
        Array.from({ length: 1000 }, () => 0),
        new Float64()
      )
    }).batches[0];
    async function* endless(signal: AbortSignal): AsyncIterable<StreamItem> {
      while (!signal.aborted) {
        pulled += 1;
        yield { batch };
      }
    }
    await withEngine(
      { services: { attach: (_t, o) => endless(o.signal) } },
      async (engine, client) => {
        const received: BridgeMessage[] = [];
        const reply = await client.request('attach_request', { topic: 'endless', credit: 3 });
        const streamId = String(reply.content.stream_id);
        client.onStream(streamId, m => received.push(m));
        await new Promise(r => setTimeout(r, 300));
        // the client has not acknowledged anything: the engine stops at the credit
        expect(received.length).toBe(3);
        expect(pulled).toBeLessThanOrEqual(3);
        for (let round = 0; round < 5; round++) {
          await client.notify('stream_ack', { stream_id: streamId, seq: received.length - 1 });
          await new Promise(r => setTimeout(r, 100));
        }
        expect(received.length).toBe(18);
        expect(pulled).toBeLessThanOrEqual(18);
        expect(engine.streams.get(streamId)?.gate.stats.maxOutstanding).toBe(3);
        const detached = await client.request('detach_request', { stream_id: streamId });
        expect(detached.content.sent).toBe(18);
        await new Promise(r => setTimeout(r, 100));
        expect(received.at(-1)?.header.msg_type).toBe('stream_end');
        expect(received.at(-1)?.content.reason).toBe('detached');
      }
    );
  });

  it('streams a finite topic to the end and commits each batch once acknowledged', async () => {
    const commits: number[] = [];
    const items = [0, 1, 2].map(i => ({
      batch: new Table({ n: vectorFromArray([i, i], new Int32()) }).batches[0],
      commit: async () => void commits.push(i)
    }));
    async function* three(): AsyncIterable<StreamItem> {
      yield* items;
    }
    await withEngine({ services: { attach: () => three() } }, async (_engine, client) => {
      const received: BridgeMessage[] = [];
      const reply = await client.request('attach_request', { topic: 't', credit: 8 });
      client.onStream(String(reply.content.stream_id), m => received.push(m));
      await new Promise(r => setTimeout(r, 200));
      expect(received.map(m => m.header.msg_type)).toEqual([
        'stream_batch',
        'stream_batch',
        'stream_batch',
        'stream_end'
      ]);
      expect(commits).toEqual([]);
      await client.notify('stream_ack', { stream_id: reply.content.stream_id as string, seq: 1 });
      await new Promise(r => setTimeout(r, 100));
      expect(commits).toEqual([0, 1]);
      expect(fromIpcBytes(received[2].buffers[0]).getChild('n')?.toArray()).toEqual(
        Int32Array.from([2, 2])
      );
    });
  });

  it('releases each batch once it is serialized, and the client still gets its values', async () => {
    const released: number[] = [];
    const items = [0, 1].map(i => {
      const batch = new Table({ n: vectorFromArray([i, i], new Int32()) }).batches[0];
      return {
        batch,
        // what a recycled decoder buffer would do: the next batch writes over this memory
        release: () => {
          released.push(i);
          (batch.getChild('n')!.data[0].values as Int32Array).fill(-1);
        }
      };
    });
    async function* two(): AsyncIterable<StreamItem> {
      yield* items;
    }
    await withEngine({ services: { attach: () => two() } }, async (_engine, client) => {
      const received: BridgeMessage[] = [];
      const reply = await client.request('attach_request', { topic: 't', credit: 8 });
      client.onStream(String(reply.content.stream_id), m => received.push(m));
      await new Promise(r => setTimeout(r, 200));
      expect(released).toEqual([0, 1]);
      const batches = received.filter(m => m.header.msg_type === 'stream_batch');
      expect(batches.map(m => [...fromIpcBytes(m.buffers[0]).getChild('n')!.toArray()])).toEqual([
        [0, 0],
        [1, 1]
      ]);
    });
  });
});
