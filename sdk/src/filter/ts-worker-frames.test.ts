import { describe, expect, it } from 'vitest';
import {
  FrameReader,
  FrameTooLargeError,
  FrameType,
  encodeFrame,
  parseMeta
} from './ts-worker-frames.js';

describe('TypeScript worker frames', () => {
  it('splits frames cut at any byte, and refuses one past the limit before buffering it', () => {
    const a = Buffer.concat(encodeFrame(FrameType.result, 7, new Uint8Array([1, 2, 3, 4])));
    const b = Buffer.concat(encodeFrame(FrameType.error, 8, Buffer.from('{"message":"x"}')));
    const all = Buffer.concat([a, b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const r = new FrameReader(() => 64);
      const got = [...r.push(all.subarray(0, cut)), ...r.push(all.subarray(cut))];
      expect(got.map(f => [f.type, f.seq, f.payload.length])).toEqual([
        [FrameType.result, 7, 4],
        [FrameType.error, 8, 15]
      ]);
    }
    const huge = Buffer.alloc(9);
    huge.writeUInt32LE(2 ** 31, 0); // announces 2 GiB; only its header arrived
    expect(() => new FrameReader(() => 1024).push(huge)).toThrow(FrameTooLargeError);
  });

  it('accepts only a well-formed announcement from the child', () => {
    const meta = { kind: 'switch', outputs: ['a', 'b'], columns: ['mag'], id: 'f' };
    expect(parseMeta(Buffer.from(JSON.stringify(meta)))).toMatchObject(meta);
    for (const bad of [
      'not json',
      '[]',
      JSON.stringify({ ...meta, kind: 'drop-table' }),
      JSON.stringify({ ...meta, outputs: [] }),
      JSON.stringify({ ...meta, outputs: ['x'.repeat(300)] }),
      JSON.stringify({ ...meta, columns: [1] }),
      JSON.stringify({ ...meta, id: { toString: 1 } })
    ]) {
      expect(parseMeta(Buffer.from(bad)), bad).toBeUndefined();
    }
  });
});
