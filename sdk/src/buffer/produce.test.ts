import { describe, expect, it } from 'vitest';
import { KafkaTransportError } from '../errors.js';
import {
  BATCHING_SEND_BYTES,
  deadLetterRecords,
  recordBytes,
  sendRecords,
  toRecords,
  toValueBytes
} from './produce.js';
import type { BufferReject } from './reject.js';
import type { ProduceRecord, ProduceResult } from './transport-types.js';

const text = (v: Uint8Array | null) => (v === null ? null : Buffer.from(v).toString('utf8'));

describe('produce helpers', () => {
  it('sends alert objects as JSON with bigints as exact integers', () => {
    const bytes = toValueBytes({ candid: 2_000_000_000_000_000_123n, ra: 1.5, name: 'x' });
    expect(text(bytes)).toBe('{"candid":2000000000000000123,"ra":1.5,"name":"x"}');
    expect(text(toValueBytes('plain'))).toBe('plain');
  });

  it('builds records with keys and timestamps from functions', () => {
    const records = toRecords('t', ['a', 'b'], {
      key: (_v, i) => `k${i}`,
      timestampMs: i => 1000 + i,
      headers: { h: 'v' }
    });
    expect(records.map(r => [r.key, r.timestampMs, r.headers])).toEqual([
      ['k0', 1000, { h: 'v' }],
      ['k1', 1001, { h: 'v' }]
    ]);
  });

  it('splits requests by bytes, and halves a request the broker finds too large', async () => {
    const sends: number[] = [];
    const producer = {
      send: async (records: ProduceRecord[]): Promise<ProduceResult[]> => {
        const bytes = records.reduce((n, r) => n + (r.value?.length ?? 0), 0);
        if (bytes > 25) {
          throw new KafkaTransportError('too large', { context: { code: 'MESSAGE_TOO_LARGE' } });
        }
        sends.push(records.length);
        return [{ topic: 't', partition: 0, baseOffset: 0n }];
      }
    };
    const records = toRecords(
      't',
      Array.from({ length: 10 }, () => new Uint8Array(10))
    );
    const summary = await sendRecords(producer, records, 40);
    expect(summary.records).toBe(10);
    expect(summary.bytes).toBe(100);
    expect(sends.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...sends)).toBeLessThanOrEqual(2);
    const failing = { send: async () => Promise.reject(new Error('broker down')) };
    await expect(sendRecords(failing, records)).rejects.toThrow('broker down');
  });

  it('gives a producer that batches itself parts of BATCHING_SEND_BYTES, in order', async () => {
    const parts: number[][] = [];
    const send = async (records: ProduceRecord[]): Promise<ProduceResult[]> => {
      parts.push(records.map(r => Number(r.key)));
      return [{ topic: 't', partition: 0, baseOffset: 0n }];
    };
    const records = Array.from({ length: 30 }, (_, i) => ({
      topic: 't',
      key: String(i),
      value: new Uint8Array(240_000)
    }));
    await sendRecords({ send, batchesRecords: true }, records, 900_000);
    const perPart = Math.floor(BATCHING_SEND_BYTES / recordBytes(records[0]));
    expect(perPart).toBe(8);
    expect(parts.map(p => p.length)).toEqual([8, 8, 8, 6]);
    expect(parts.flat()).toEqual(records.map((_, i) => i));
    parts.length = 0;
    await sendRecords({ send }, records, 900_000); // request-sized parts otherwise
    expect(Math.max(...parts.map(p => p.length))).toBe(3);
  });

  it('counts keys and headers against the request size, not only values', async () => {
    const sizes: number[] = [];
    const producer = {
      send: async (records: ProduceRecord[]): Promise<ProduceResult[]> => {
        sizes.push(records.reduce((n, r) => n + recordBytes(r), 0));
        return [{ topic: 't', partition: 0, baseOffset: 0n }];
      }
    };
    const headers = { 'alertlab-alert-ids': '1234567890123,1234567890124', h: new Uint8Array(300) };
    const records = toRecords(
      't',
      Array.from({ length: 20 }, () => new Uint8Array(100)),
      {
        key: 'some-key',
        headers
      }
    );
    const one = recordBytes(records[0]);
    expect(one).toBeGreaterThan(100 + 300 + 'alertlab-alert-ids'.length + 27 + 'some-key'.length);
    await sendRecords(producer, records, 2000);
    expect(sizes.length).toBeGreaterThan(20 / Math.floor(2000 / 100));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20 * one);
  });

  it('dead letters keep value, key, headers and timestamp, and say why and where', () => {
    const reject: BufferReject = {
      index: 4,
      code: 'bad-position',
      reason: 'dec 95 is out of range',
      topic: 'alerts-ztf',
      partition: 2,
      offset: 41n,
      timestampMs: 1234,
      key: new Uint8Array([1, 2]),
      value: new Uint8Array([9, 9, 9]),
      headers: { source: 'ztf', missing: undefined }
    };
    const [dl] = deadLetterRecords('alerts-deadletter', [reject]);
    expect(dl.topic).toBe('alerts-deadletter');
    expect(dl.value).toEqual(reject.value);
    expect(dl.key).toEqual(reject.key);
    expect(dl.timestampMs).toBe(1234);
    expect(dl.headers).toMatchObject({
      source: 'ztf',
      'alertlab-reason': 'dec 95 is out of range',
      'alertlab-code': 'bad-position',
      'alertlab-source-topic': 'alerts-ztf',
      'alertlab-source-partition': '2',
      'alertlab-source-offset': '41'
    });
    expect(dl.headers).not.toHaveProperty('missing');
  });
});
