import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FILES, missingData, skipWithoutData } from '../../alerts/testing/samples.js';
import { crc32c, crc32cImplementation, crc32cJs } from './crc32c.js';
import { readAlertFile } from '../produce.js';
import { encodeProduceRequest, type ProduceRequestFields } from './produce-encoding.js';
import { kafkajsLinearGrouping, kafkajsProduceRequestBody } from './patches.js';

const T0 = 1_795_000_000_000; // kafkajs sorts timestamps as text: keep them the same width

function fields(overrides: Partial<ProduceRequestFields> = {}): ProduceRequestFields {
  return {
    acks: -1,
    timeout: 30_000,
    transactionalId: 'stage-x.topic.0',
    producerId: '4242',
    producerEpoch: 3,
    topicData: [],
    ...overrides
  };
}

async function expectSameAsKafkajs(f: ProduceRequestFields): Promise<Buffer> {
  const ours = encodeProduceRequest(f);
  const theirs = await kafkajsProduceRequestBody(f);
  expect(ours.length).toBe(theirs.length);
  expect(ours.equals(theirs)).toBe(true);
  return ours;
}

describe('crc32c', () => {
  it.each([
    ['crc32c', crc32c],
    ['crc32cJs', crc32cJs]
  ])('%s matches the CRC-32C check value and works on any slice', (_name, f) => {
    expect(f(Buffer.from('123456789'))).toBe(0xe3069283);
    const b = randomBytes(1000);
    expect(f(b, 13, 987)).toBe(f(Buffer.from(b.subarray(13, 987))));
    expect(f(new Uint8Array(0))).toBe(0);
    for (const n of [1, 7, 8, 9, 4097]) {
      const x = randomBytes(n);
      expect(f(x)).toBe(crc32cJs(x));
    }
  });

  it('uses the native implementation on this platform', () => {
    expect(crc32cImplementation).toBe('native');
  });
});

describe('produce request encoding', () => {
  it('is installed with the linear message grouping', () => {
    expect(kafkajsLinearGrouping).toBe(true);
  });

  it('gives kafkajs bytes for keys, values, headers, nulls and several topics', async () => {
    const big = randomBytes(20_000);
    await expectSameAsKafkajs(
      fields({
        topicData: [
          {
            topic: 'out-star',
            partitions: [
              {
                partition: 1,
                firstSequence: 17,
                messages: [
                  {
                    key: 'k1',
                    value: randomBytes(300),
                    timestamp: String(T0 + 5),
                    headers: {
                      'alertlab-stage': Buffer.from('s1'),
                      'alertlab-alert-ids': '4611686018427387904,4611686019427387905',
                      multi: ['a', Buffer.from('bé')]
                    }
                  },
                  { key: null, value: big, timestamp: String(T0) },
                  { key: Buffer.from([1, 2, 3]), value: null, timestamp: String(T0 + 9) },
                  { key: 'ünïcode', value: 'text value é', timestamp: String(T0 + 1), headers: {} }
                ]
              },
              { partition: 0, messages: [{ value: Buffer.alloc(0), timestamp: String(T0) }] }
            ]
          },
          {
            topic: 'out-other',
            partitions: [{ partition: 3, messages: [{ value: 'x', timestamp: String(T0) }] }]
          }
        ]
      })
    );
  });

  it('gives kafkajs bytes without a transaction and for timestamps far apart', async () => {
    const late = T0 + 3_000_000_000; // delta past 2^31: a multi-byte varlong
    await expectSameAsKafkajs(
      fields({
        transactionalId: null,
        producerId: -1,
        producerEpoch: 0,
        topicData: [
          {
            topic: 't',
            partitions: [
              {
                partition: 0,
                messages: [
                  { value: 'a', timestamp: String(T0) },
                  { value: 'b', timestamp: String(late) }
                ]
              }
            ]
          }
        ]
      })
    );
  });

  it.skipIf(skipWithoutData(missingData([SAMPLE_FILES.rubin])))(
    `gives kafkajs bytes for batches of real Rubin alerts (needs ${SAMPLE_FILES.rubin})`,
    async () => {
      const { values } = await readAlertFile(SAMPLE_FILES.rubin);
      const messages = Array.from({ length: 300 }, (_, i) => ({
        key: String(i),
        value: Buffer.from(values[i % values.length]),
        timestamp: String(T0 + (i % 7)),
        headers: { 'alertlab-source-offset': String(i), 'alertlab-stage': Buffer.from('st') }
      }));
      const body = await expectSameAsKafkajs(
        fields({
          topicData: [
            {
              topic: 'rubin',
              partitions: [
                { partition: 0, firstSequence: 0, messages: messages.slice(0, 200) },
                { partition: 1, firstSequence: 5, messages: messages.slice(200) }
              ]
            }
          ]
        })
      );
      expect(body.length).toBeGreaterThan(values.reduce((n, v) => n + v.length, 0) * 40);
    }
  );
});
