/** Helpers for the object-state tests: ZTF-shaped JSON alerts keyed by object, changelog reads. */
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { applyChangelog } from '../sdk/src/state/changelog.js';
import { FIELD, bandField, bandIndex } from '../sdk/src/state/schema.js';
import { ObjectStore } from '../sdk/src/state/store.js';
import { readTopic } from './stage-helpers.js';

const JD = 2400000.5;

/** Alert k (1-based) of object o: one a day, g and r in turn, brightening 0.1 mag a day. */
export interface PlannedAlert {
  objectId: string;
  candid: bigint;
  k: number;
  band: 'g' | 'r';
  value: Uint8Array;
}

/** Ids above 2^53 so a narrowing to number would show. */
export const CANDID_BASE = 1n << 60n;

export function plannedAlert(o: number, k: number): PlannedAlert {
  const objectId = `ZTF26obj${String(o).padStart(6, '0')}`;
  const candid = CANDID_BASE + BigInt(o) * 1000n + BigInt(k);
  const band = k % 2 === 1 ? 'g' : 'r';
  const candidate =
    `{"candid":${candid},"ra":${(o * 0.37) % 360},"dec":${-30 + ((o * 0.11) % 60)},` +
    `"jd":${60000 + k + JD},"fid":${band === 'g' ? 1 : 2},"magpsf":${20 - 0.1 * k},"sigmapsf":0.05}`;
  const json = `{"objectId":"${objectId}","candid":${candid},"candidate":${candidate}}`;
  return { objectId, candid, k, band, value: Buffer.from(json) };
}
/** Alert number k of the alert with this candid (see plannedAlert). */
export function kOf(candid: bigint): number {
  return Number((candid - CANDID_BASE) % 1000n);
}

/** Reads a changelog topic (read_committed) into one store per partition. */
export async function readChangelog(
  transport: KafkaTransport,
  topic: string,
  min: number
): Promise<Map<number, ObjectStore>> {
  const records = await readTopic(transport, topic, { min, idleMs: 2000, timeoutMs: 120_000 });
  records.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  const stores = new Map<number, ObjectStore>();
  for (const r of records) {
    const store = stores.get(r.partition) ?? new ObjectStore();
    stores.set(r.partition, store);
    applyChangelog(store, [r]);
  }
  return stores;
}

/** nAlerts, ndet_g, ndet_r of an object in a store. */
export function countsOf(store: ObjectStore, objectId: string): number[] | undefined {
  const s = store.find(objectId);
  if (s < 0) {
    return undefined;
  }
  return [
    store.get(s, FIELD.nAlerts),
    store.get(s, bandField('ndet', bandIndex('g'))),
    store.get(s, bandField('ndet', bandIndex('r')))
  ];
}
