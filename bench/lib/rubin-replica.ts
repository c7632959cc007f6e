/**
 * Makes many distinct Rubin alerts from the 7 real ones: each copy gets a new diaSourceId (top
 * level and in diaSource) and its cutouts set to null; everything else (history, diaObject) is
 * the real bytes. Works on the Avro bytes directly, guided by the writer schema.
 */
import { readFileSync } from 'node:fs';
import { splitOcfRecords } from '../../sdk/src/alerts/index.js';
import { encodeLong } from '../../sdk/src/buffer/ocf.js';
import { AvroSkipCompiler, RecordSpanner, readLong, type AvroSchema } from './avro-spans.js';

const CUTOUTS = ['cutoutDifference', 'cutoutScience', 'cutoutTemplate'];
const NULL_BRANCH_1 = encodeLong(1n); // union index 1 = "null" in ["bytes", "null"]
const LONG_BRANCH_0 = encodeLong(0n); // union index 0 = "long" in ["long", "null"]

interface Template {
  /** Pieces between the two ids: [before-top-id, between-ids, after-diaSource-id]. */
  head: Uint8Array;
  middle: Uint8Array;
  tail: Uint8Array;
}

/** Skips a ["long","null"] union holding a long at `pos`; returns the position after it. */
function skipUnionLong(buf: Uint8Array, pos: number): number {
  const branch = readLong(buf, pos);
  if (branch.value !== 0) {
    throw new Error('expected a non-null diaSourceId');
  }
  return readLong(buf, branch.next).next;
}

function template(body: Uint8Array, spanner: RecordSpanner): Template {
  const spans = new Map(spanner.spans(body).map(s => [s.name, s]));
  const top = spans.get('diaSourceId');
  const dia = spans.get('diaSource');
  if (!top || !dia || top.start !== 0) {
    throw new Error('Rubin schema without a leading diaSourceId and a diaSource record');
  }
  const afterTopId = skipUnionLong(body, top.start);
  const afterDiaId = skipUnionLong(body, dia.start);
  // rebuild [diaSource..end] with cutouts nulled
  const rest: Uint8Array[] = [];
  let p = afterDiaId;
  for (const name of CUTOUTS) {
    const s = spans.get(name);
    if (!s) {
      continue;
    }
    rest.push(body.subarray(p, s.start), NULL_BRANCH_1);
    p = s.end;
  }
  rest.push(body.subarray(p));
  return {
    head: new Uint8Array(0),
    middle: body.subarray(afterTopId, dia.start),
    tail: new Uint8Array(Buffer.concat(rest))
  };
}

export interface RubinReplicator {
  schema: string;
  /** Number of distinct source alerts. */
  sources: number;
  /** Copy `i`: source `i % sources` with diaSourceId `firstId + i`, without cutouts. */
  make(i: number): Uint8Array;
}

export function rubinReplicator(
  path: string,
  firstId = 9_000_000_000_000_000_000n
): RubinReplicator {
  const { schema, records } = splitOcfRecords(new Uint8Array(readFileSync(path)));
  const spanner = new RecordSpanner(JSON.parse(schema) as AvroSchema, new AvroSkipCompiler());
  const templates = records.map(r => template(r, spanner));
  return {
    schema,
    sources: templates.length,
    make(i: number): Uint8Array {
      const t = templates[i % templates.length];
      const id = encodeLong(firstId + BigInt(i));
      return new Uint8Array(
        Buffer.concat([t.head, LONG_BRANCH_0, id, t.middle, LONG_BRANCH_0, id, t.tail])
      );
    }
  };
}
