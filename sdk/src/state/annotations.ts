/**
 * Annotations: external classifiers write JSON records `{objectId, annotator, class, probability,
 * url, version}` to an annotation topic; a stage (and the objects view) keeps the latest annotation
 * of each object and shows it in the object's row (`annClass`, `annProbability`, ...).
 *
 * A stage reads the whole topic when it starts (annotations written before it starts are seen by
 * its first chunk) and then follows it live, like a table joined to the stream: an annotation
 * written while the stage runs reaches the chunks prepared after it arrives.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumerClient, KafkaTransport } from '../buffer/transport-types.js';
import type { Logger } from '../buffer/log.js';
import { readRanges, type OffsetRange } from '../objects/read-offsets.js';

export interface Annotation {
  objectId: string;
  annotator: string;
  /** The class the annotator gives (`class` in the record). */
  cls: string;
  /** 0..1 */
  probability: number;
  url: string | null;
  version: string | null;
}

const decoder = new TextDecoder();

/** Parses an annotation record value; undefined when it is not one (it is then ignored). */
export function parseAnnotation(value: Uint8Array | null): Annotation | undefined {
  if (value === null) {
    return undefined;
  }
  try {
    const v = JSON.parse(decoder.decode(value)) as Record<string, unknown>;
    const objectId = typeof v.objectId === 'number' ? String(v.objectId) : v.objectId;
    const probability = Number(v.probability);
    if (
      typeof objectId !== 'string' ||
      objectId === '' ||
      typeof v.annotator !== 'string' ||
      typeof v.class !== 'string' ||
      !(probability >= 0 && probability <= 1)
    ) {
      return undefined;
    }
    return {
      objectId,
      annotator: v.annotator,
      cls: v.class,
      probability,
      url: typeof v.url === 'string' ? v.url : null,
      version: v.version === undefined || v.version === null ? null : String(v.version)
    };
  } catch {
    return undefined;
  }
}

/** The latest annotation of each object, from an annotation topic, kept up to date. */
export class AnnotationTable {
  private readonly latest = new Map<string, Annotation>();
  private consumer: ConsumerClient | undefined;
  /** Annotation records taken (bad ones not counted). */
  count = 0;

  private constructor(readonly topic: string) {}

  /** Reads the topic to its current end, then follows it. */
  static async start(
    transport: KafkaTransport,
    topic: string,
    logger?: Logger
  ): Promise<AnnotationTable> {
    const table = new AnnotationTable(topic);
    const admin = await transport.admin();
    let ends: Map<number, bigint>;
    try {
      const offsets = await admin.endOffsets(topic);
      ends = new Map(offsets.map(o => [o.partition, o.high]));
      const ranges = new Map<number, OffsetRange[]>(
        offsets.filter(o => o.high > o.low).map(o => [o.partition, [{ from: o.low, to: o.high }]])
      );
      await readRanges(transport, topic, ranges, (_p, records) =>
        records.forEach(r => table.take(r.value))
      );
    } finally {
      await admin.close();
    }
    const consumer = await transport.consumer({
      groupId: `alertlab-annotations-${randomUUID()}`,
      maxWaitTimeMs: 200
    });
    table.consumer = consumer;
    consumer.onAssignment(assignment => {
      for (const p of assignment[topic] ?? []) {
        consumer.seek(topic, p, ends.get(p) ?? 0n);
      }
    });
    consumer.onCrash((error, restarting) => {
      logger?.warn('annotation reader crashed', { topic, error: error.message, restarting });
    });
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run(async batch => {
      for (const r of batch.records) {
        table.take(r.value);
      }
      if (batch.records.length > 0) {
        batch.resolveOffset(batch.records[batch.records.length - 1].offset);
      }
    });
    return table;
  }

  /** Builds a table from annotations already read (tests, backtests). */
  static of(topic: string, annotations: Iterable<Annotation>): AnnotationTable {
    const table = new AnnotationTable(topic);
    for (const a of annotations) {
      table.put(a);
    }
    return table;
  }

  private take(value: Uint8Array | null): void {
    const a = parseAnnotation(value);
    if (a) {
      this.put(a);
    }
  }

  private put(a: Annotation): void {
    this.latest.set(a.objectId, a);
    this.count++;
  }

  /** The object's latest annotation. */
  get(objectId: string): Annotation | undefined {
    return this.latest.get(objectId);
  }

  async close(): Promise<void> {
    await this.consumer?.close().catch(() => undefined);
    this.consumer = undefined;
  }
}
