/**
 * Object state seen by filters on the real broker: a SQL filter JOINs `objects` (with annotations
 * from an annotation topic joined into the rows), a TypeScript and a Python filter read the
 * object's row beside each alert (`obj_*` columns).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendRecords } from '../sdk/src/buffer/produce.js';
import {
  produceValues,
  randomName,
  readTopic,
  runStageUntil,
  useSuiteKafka
} from './stage-helpers.js';
import { kOf, plannedAlert } from './object-state-helpers.js';

const OBJECTS = 40;
const PER_OBJECT = 3;
const TOTAL = OBJECTS * PER_OBJECT;
const FILTERS = join(import.meta.dirname, '..', 'sdk', 'src', 'state', 'testing');

describe('filters see object state', () => {
  const kafka = useSuiteKafka({ admin: true });

  it('SQL JOIN objects (with annotations), TypeScript and Python obj_* columns', async () => {
    const { transport, admin } = kafka;
    const id = randomName('objstate-filters');
    const input = `${id}-in`;
    const annotations = `${id}-annotations`;
    await admin.createTopics([
      { topic: input, partitions: 2 },
      { topic: annotations, partitions: 1 }
    ]);
    for (let k = 1; k <= PER_OBJECT; k++) {
      const wave = Array.from({ length: OBJECTS }, (_, o) => plannedAlert(o, k));
      await produceValues(
        transport,
        input,
        wave.map(a => a.value),
        { key: i => wave[i].objectId }
      );
    }
    // objects 0-9: SN Ia at 0.9 (then a newer version at 0.95); 10-14: SN Ia at 0.3
    const producer = await transport.producer({ idempotent: true });
    const annotation = (o: number, probability: number, version: string) => ({
      topic: annotations,
      key: plannedAlert(o, 1).objectId,
      value: Buffer.from(
        JSON.stringify({
          objectId: plannedAlert(o, 1).objectId,
          annotator: 'test-classifier',
          class: 'SN Ia',
          probability,
          url: `https://example.org/${o}`,
          version
        })
      )
    });
    await sendRecords(
      producer,
      [
        ...Array.from({ length: 10 }, (_, o) => annotation(o, 0.9, '1')),
        ...Array.from({ length: 5 }, (_, o) => annotation(10 + o, 0.3, '1')),
        ...Array.from({ length: 10 }, (_, o) => annotation(o, 0.95, '2'))
      ],
      900_000
    );
    await producer.close();
    const base = (name: string, filter: Record<string, unknown>, outputs: string[]) => ({
      id: `${id}-${name}`,
      input: { topic: input, format: 'json' },
      filter,
      outputs: Object.fromEntries(outputs.map(o => [o, `${id}-${name}-${o}`])),
      payload: 'thin',
      thinColumns: ['alertId', 'objectId', 'obj_nAlerts', 'obj_annClass', 'obj_annVersion'],
      deadLetterTopic: `${id}-${name}-dlq`,
      batch: { maxRows: 50, maxWaitMs: 100 },
      objects: { annotationsTopic: annotations, rateWindowDays: 5 }
    });
    const bodies = async (topic: string, min: number) =>
      (await readTopic(transport, topic, { min, idleMs: 1500, timeoutMs: 60_000 })).map(
        r => JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as Record<string, unknown>
      );

    // SQL: JOIN objects, annotated SN Ia above 0.5 (objects 0-9, all three alerts each)
    await runStageUntil(
      base(
        'sql',
        {
          language: 'sql',
          kind: 'yesno',
          source:
            "SELECT * FROM alerts a JOIN objects o ON a.objectId = o.objectId WHERE o.annClass = 'SN Ia' AND o.annProbability > 0.5"
        },
        ['pass']
      ),
      TOTAL,
      90_000
    );
    const sql = await bodies(`${id}-sql-pass`, 30);
    const sqlObjects = new Set(sql.map(b => b.objectId));
    expect(sql.length).toBe(30);
    expect([...sqlObjects].sort()).toEqual(
      Array.from({ length: 10 }, (_, o) => plannedAlert(o, 1).objectId).sort()
    );
    expect(new Set(sql.map(b => b.obj_annVersion))).toEqual(new Set(['2']));

    // TypeScript: left = the object's second and later alerts (its own count beside the alert)
    await runStageUntil(
      base(
        'ts',
        { language: 'typescript', kind: 'leftright', path: join(FILTERS, 'object-filter.ts') },
        ['left', 'right']
      ),
      TOTAL,
      90_000
    );
    const left = await bodies(`${id}-ts-left`, OBJECTS * 2);
    const right = await bodies(`${id}-ts-right`, OBJECTS);
    expect([left.length, right.length]).toEqual([OBJECTS * 2, OBJECTS]);
    expect(left.every(b => kOf(BigInt(String(b.alertId))) === b.obj_nAlerts)).toBe(true);
    expect(right.every(b => b.obj_nAlerts === 1)).toBe(true);

    // Python: objects with an r detection so far (alerts 2 and 3 of each object)
    await runStageUntil(
      base(
        'py',
        {
          language: 'python',
          kind: 'yesno',
          path: `${join(FILTERS, 'object_filters.py')}:has_r`
        },
        ['pass']
      ),
      TOTAL,
      120_000
    );
    const py = await bodies(`${id}-py-pass`, OBJECTS * 2);
    expect(py.length).toBe(OBJECTS * 2);
    expect(new Set(py.map(b => kOf(BigInt(String(b.alertId)))))).toEqual(new Set([2, 3]));

    const topics = ['sql-pass', 'ts-left', 'ts-right', 'py-pass'].map(t => `${id}-${t}`);
    const extra = ['sql', 'ts', 'py'].flatMap(n => [`${id}-${n}-dlq`, `${id}-${n}-objects`]);
    await admin.deleteTopics([input, annotations, ...topics, ...extra]);
  }, 300_000);
});
