/**
 * The one header a filter stage puts on each output record, `alertlab-route`: where the record
 * came from and where it was routed, as URL query text —
 * `stage=s1&output=star&topic=alerts&partition=0&offset=41&ids=1701,1702&matches=hipparcos:1`.
 * One header instead of seven: each header costs the producer a key, a value and their framing per
 * record, and the parts that are the same for a whole output are encoded once per batch.
 * Read it with {@link stageRouteOf}.
 */
import type { HeaderValue } from '../buffer/transport-types.js';

/** Name of the routing header on stage output records. */
export const STAGE_ROUTE_HEADER = 'alertlab-route';

/** What the routing header says about one output record. */
export interface StageRoute {
  stage: string;
  output: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: bigint;
  /** Alert ids (decimal) of the record's alerts in this output. */
  alertIds: string[];
  /** Cross-match counts per catalog of the record's first alert in this output. */
  matches: Record<string, number>;
}

const q = encodeURIComponent;

/** The part of the header shared by all records of one output of one batch. */
export function routePrefix(
  stageId: string,
  output: string,
  source: { topic: string; partition: number }
): string {
  return `stage=${q(stageId)}&output=${q(output)}&topic=${q(source.topic)}&partition=${source.partition}&offset=`;
}

/** `&matches=` part for per-catalog counts (catalog names encoded once by the caller). */
export function matchesPart(encodedCatalogs: readonly string[], counts: readonly number[]): string {
  let out = '&matches=';
  for (let k = 0; k < counts.length; k++) {
    out += `${k > 0 ? ',' : ''}${encodedCatalogs[k]}:${counts[k]}`;
  }
  return out;
}

function text(v: HeaderValue | HeaderValue[] | undefined): string | undefined {
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined) {
    return undefined;
  }
  return typeof one === 'string' ? one : Buffer.from(one).toString('utf8');
}

/** Parses the routing header of a record's headers; undefined when it has none. */
export function stageRouteOf(
  headers: Readonly<Record<string, HeaderValue | HeaderValue[] | undefined>>
): StageRoute | undefined {
  const raw = text(headers[STAGE_ROUTE_HEADER]);
  if (raw === undefined) {
    return undefined;
  }
  const p = new URLSearchParams(raw);
  const matches: Record<string, number> = {};
  for (const pair of (p.get('matches') ?? '').split(',').filter(Boolean)) {
    const at = pair.lastIndexOf(':');
    matches[decodeURIComponent(pair.slice(0, at))] = Number(pair.slice(at + 1));
  }
  return {
    stage: p.get('stage') ?? '',
    output: p.get('output') ?? '',
    sourceTopic: p.get('topic') ?? '',
    sourcePartition: Number(p.get('partition')),
    sourceOffset: BigInt(p.get('offset') ?? '-1'),
    alertIds: (p.get('ids') ?? '').split(',').filter(Boolean),
    matches
  };
}
