/**
 * Dead letters: corrupted records, a filter that throws and a filter that loops all land in the
 * stage's dead-letter topic (reason, original bytes, source coordinates) inside the same
 * transactions, while the stage keeps routing the rest; a Python filter that raises is isolated too.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../sdk/src/alerts/rejects.js';
import { createDecoder } from '../sdk/src/alerts/index.js';
import { TRACEBACK_HEADER } from '../sdk/src/stage/filter-stage.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import {
  FILTERS_DIR,
  SAMPLES_MISSING_MESSAGE,
  SAMPLES_PRESENT,
  skipWithoutSamples,
  createTopic,
  headerText,
  produceValues,
  randomName,
  readTopic,
  runStageUntil,
  useSuiteKafka
} from './stage-helpers.js';

if (!SAMPLES_PRESENT) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

const GOOD = 60;
const CORRUPT = [5, 17, 33];

describe.skipIf(skipWithoutSamples())('stage dead letters', () => {
  const kafka = useSuiteKafka();

  it('corrupted records, a throwing and a looping TypeScript filter are dead-lettered; the stage goes on', async () => {
    const id = randomName('stage-dlq');
    const input = `${id}-in`;
    const transport = kafka.transport;
    await createTopic(transport, input, 1);
    const small = smallRubinAlerts(2);
    const values: Uint8Array[] = [];
    for (let i = 0; i < GOOD; i++) {
      if (CORRUPT.includes(values.length)) {
        values.push(new Uint8Array([0x13, 0x37, 0xff, 0x00, 0x42]));
      }
      values.push(small.make(i));
    }
    await produceValues(transport, input, values, { chunk: 7 });
    const stats = await runStageUntil(
      {
        id,
        input: { topic: input, format: 'rubin' },
        filter: {
          language: 'typescript',
          kind: 'yesno',
          path: join(FILTERS_DIR, 'ts-moody.ts'),
          timeoutMs: 1500
        },
        outputs: { pass: `${id}-pass` },
        deadLetterTopic: `${id}-dlq`,
        batch: { maxRows: 4, maxWaitMs: 100 }
      },
      values.length,
      120_000
    );
    const out = await readTopic(transport, `${id}-pass`, { min: stats.out.pass ?? 0, idleMs: 800 });
    const dlq = await readTopic(transport, `${id}-dlq`, { min: stats.deadLettered, idleMs: 800 });
    const codes = dlq.map(r => headerText(r, DEAD_LETTER_HEADERS.code));
    expect(codes.filter(c => c === 'decode-error')).toHaveLength(CORRUPT.length);
    expect(codes).toContain('filter-error');
    expect(codes).toContain('filter-timeout');
    for (const r of dlq) {
      const offset = Number(headerText(r, DEAD_LETTER_HEADERS.offset));
      expect(headerText(r, DEAD_LETTER_HEADERS.topic)).toBe(input);
      expect(headerText(r, DEAD_LETTER_HEADERS.partition)).toBe('0');
      expect(Buffer.compare(Buffer.from(r.value as Uint8Array), Buffer.from(values[offset]))).toBe(
        0
      );
      expect(headerText(r, DEAD_LETTER_HEADERS.reason).length).toBeGreaterThan(10);
      if (headerText(r, DEAD_LETTER_HEADERS.code) === 'filter-error') {
        expect(headerText(r, DEAD_LETTER_HEADERS.reason)).toContain('moody filter refuses');
        expect(headerText(r, TRACEBACK_HEADER).length).toBeGreaterThan(0);
      }
    }
    // every good alert is in exactly one place; the moody ones never in the output
    const decoder = createDecoder('rubin');
    const idsOf = (records: typeof out) =>
      records.flatMap(r => {
        const d = decoder.decodeBatch([r.value]).batch.getChild('alertId');
        return d ? [String(d.get(0))] : [];
      });
    const passed = idsOf(out);
    const dead = idsOf(dlq.filter(r => headerText(r, DEAD_LETTER_HEADERS.code) !== 'decode-error'));
    expect(passed.some(a => BigInt(a) % 10n === 3n || BigInt(a) % 10n === 7n)).toBe(false);
    expect(dead.filter(a => BigInt(a) % 10n === 3n || BigInt(a) % 10n === 7n).length).toBe(12);
    expect([...passed, ...dead].sort()).toEqual(
      Array.from({ length: GOOD }, (_, i) => small.idOf(i).toString()).sort()
    );
    expect(stats.filterErrors).toBeGreaterThanOrEqual(2);
    expect(passed.length).toBeGreaterThan(0);
    console.log(
      `passed ${passed.length}, dead letters ${JSON.stringify(stats.deadLetterByCode)}, latency batches ${stats.batches}`
    );
  });

  it('a Python filter that raises sends its batch to the dead letters with the traceback', async () => {
    const id = randomName('stage-pydlq');
    const input = `${id}-in`;
    const transport = kafka.transport;
    await createTopic(transport, input, 1);
    const small = smallRubinAlerts(2);
    const values = Array.from({ length: 20 }, (_, i) => small.make(i));
    await produceValues(transport, input, values);
    const stats = await runStageUntil(
      {
        id,
        input: { topic: input, format: 'rubin' },
        filter: {
          language: 'python',
          kind: 'yesno',
          path: `${join(FILTERS_DIR, 'py_filters.py')}:moody`,
          timeoutMs: 20_000
        },
        outputs: { pass: `${id}-pass` },
        deadLetterTopic: `${id}-dlq`,
        batch: { maxRows: 5, maxWaitMs: 100 }
      },
      values.length,
      120_000
    );
    const dlq = await readTopic(transport, `${id}-dlq`, { min: stats.deadLettered, idleMs: 800 });
    expect(dlq.length).toBeGreaterThan(0);
    expect(stats.out.pass ?? 0).toBeGreaterThan(0);
    expect(stats.out.pass + dlq.length).toBe(values.length);
    for (const r of dlq) {
      expect(headerText(r, DEAD_LETTER_HEADERS.code)).toBe('filter-error');
      expect(headerText(r, TRACEBACK_HEADER)).toContain('ValueError');
    }
  });
});
