/**
 * Bad input never stops a stream: corrupt, truncated, empty and badly positioned records come out
 * of attach as rejects (right reason, original bytes, coordinates) next to the good rows, and the
 * dead-letter helper writes them to a topic with their original bytes and headers.
 */
import { describe, expect, it } from 'vitest';
import { collect, ztfValues } from './buffer-fixtures.js';
import {
  NO_DATA_MESSAGE,
  consumeRecords,
  hasData,
  runWithData,
  randomName,
  useBufferClient
} from './buffer-helpers.js';

const ctx = useBufferClient();

const enc = new TextEncoder();
const jsonAlert = (candidate: Record<string, number>) =>
  enc.encode(JSON.stringify({ objectId: 'ZTF00test', candid: 1234, candidate }));

describe.runIf(runWithData())('rejects and dead letters', () => {
  it('corrupt records land in rejects with the right reason and go to a dead-letter topic', async () => {
    const topic = randomName('rejects-in');
    const dlq = randomName('rejects-dlq');
    ctx.topics.push(topic, dlq);
    await ctx.client.createTopics([{ topic }, { topic: dlq }]);
    const [good1, good2] = ztfValues();
    const inputs: Array<{ value: Uint8Array | null; code?: string }> = [
      { value: good1 },
      { value: Uint8Array.from([0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0x05]), code: 'decode-error' },
      { value: good1.subarray(0, Math.floor(good1.length / 2)), code: 'decode-error' },
      { value: null, code: 'empty' },
      {
        value: jsonAlert({ ra: 10, dec: 95, jd: 2460000.5, fid: 1, magpsf: 18 }),
        code: 'bad-position'
      },
      { value: jsonAlert({ jd: 2460000.5, fid: 1, magpsf: 18 }), code: 'missing-position' },
      { value: good2 }
    ];
    const producer = await ctx.client.producer();
    await producer.send(
      inputs.map((input, i) => ({
        topic,
        value: input.value,
        key: `k${i}`,
        headers: { producer: 'alertlab-test' },
        timestampMs: 1_700_000_000_000 + i
      }))
    );

    const got = await collect(
      signal => ctx.client.attach(topic, { format: 'auto', signal }),
      inputs.length
    );
    expect(got.rows.map(r => r.kafkaOffset)).toEqual([0n, 6n]);
    const rejects = [...got.rejects].sort((a, b) => Number(a.offset - b.offset));
    expect(rejects.map(r => [r.offset, r.code])).toEqual(
      inputs.flatMap((input, i) => (input.code ? [[BigInt(i), input.code]] : []))
    );
    for (const r of rejects) {
      const input = inputs[Number(r.offset)];
      expect(r.topic).toBe(topic);
      expect(r.partition).toBe(0);
      expect(r.reason.length).toBeGreaterThan(10);
      expect(r.value === null ? null : [...r.value]).toEqual(
        input.value === null ? null : [...input.value]
      );
      expect(Buffer.from(r.key ?? []).toString()).toBe(`k${r.offset}`);
      expect(String(r.headers.producer)).toBe('alertlab-test');
    }

    const written = await ctx.client.writeDeadLetters(dlq, rejects);
    expect(written.records).toBe(rejects.length);
    const letters = await consumeRecords(ctx.client.transport, dlq, { count: rejects.length });
    expect(letters).toHaveLength(rejects.length);
    const byOffset = new Map(letters.map(l => [String(l.headers['alertlab-source-offset']), l]));
    for (const r of rejects) {
      const letter = byOffset.get(r.offset.toString());
      expect(letter, `dead letter for offset ${r.offset}`).toBeDefined();
      expect(letter?.value === null ? null : [...(letter?.value ?? [])]).toEqual(
        r.value === null ? null : [...r.value]
      );
      expect(String(letter?.headers['alertlab-code'])).toBe(r.code);
      expect(String(letter?.headers['alertlab-reason'])).toBe(r.reason);
      expect(String(letter?.headers['alertlab-source-topic'])).toBe(topic);
      expect(String(letter?.headers.producer)).toBe('alertlab-test');
      expect(letter?.timestampMs).toBe(r.timestampMs);
      expect(Buffer.from(letter?.key ?? []).toString()).toBe(`k${r.offset}`);
    }
  });
});

if (!hasData) {
  describe('rejects and dead letters', () => {
    it('needs the sample alerts', ctx => ctx.skip(NO_DATA_MESSAGE));
  });
}
