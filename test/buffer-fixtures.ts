/**
 * Fixtures for the buffer integration tests: the sample alerts as Kafka record values, an
 * independent decode of the same files with Python's fastavro, and a reader that collects what
 * `attach` yields until it has enough.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitOcfRecords } from '../sdk/src/alerts/index.js';
import type { AlertBatch } from '../sdk/src/buffer/attach.js';
import type { BufferReject } from '../sdk/src/buffer/reject.js';
import { ocfToRecordValues } from '../sdk/src/buffer/ocf.js';
import { RUBIN_FILE, ZTF_FILE, ZTF_SINGLE } from './buffer-helpers.js';

export interface ExpectedAlert {
  alertId: string;
  objectId: string;
  ra: number;
  dec: number;
  band: string;
  lightcurve: number;
}

const PYTHON = join(import.meta.dirname, '..', '.venv', 'bin', 'python');

const SCRIPT = `
import json, sys, fastavro
out = []
for path in sys.argv[1:]:
    with open(path, 'rb') as fh:
        for r in fastavro.reader(fh):
            if 'diaSource' in r:
                ds, do = r['diaSource'], r['diaObject']
                obj = (do or {}).get('diaObjectId') or ds['diaObjectId'] or ds['ssObjectId']
                out.append(dict(alertId=str(ds['diaSourceId']), objectId=str(obj), ra=ds['ra'],
                    dec=ds['dec'], band=ds['band'],
                    lightcurve=len(r['prvDiaSources'] or []) + len(r['prvDiaForcedSources'] or []) + 1))
            else:
                c = r['candidate']
                out.append(dict(alertId=str(r['candid']), objectId=r['objectId'], ra=c['ra'],
                    dec=c['dec'], band={1: 'g', 2: 'r', 3: 'i'}[c['fid']],
                    lightcurve=len(r['prv_candidates'] or []) + 1))
print(json.dumps(out))
`;

/** Decodes the files with fastavro (independent of our codecs). */
export function expectedAlerts(paths: string[]): ExpectedAlert[] {
  const stdout = execFileSync(PYTHON, ['-c', SCRIPT, ...paths], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  });
  return JSON.parse(stdout) as ExpectedAlert[];
}

/** The 35 ZTF alerts (31 + 4 single packets) as one-record container files, as ZTF sends them. */
export function ztfValues(): Uint8Array[] {
  return [ZTF_FILE, ...ZTF_SINGLE].flatMap(
    p => ocfToRecordValues(new Uint8Array(readFileSync(p)), 'ocf').values
  );
}

/** The Rubin sample's writer schema (a broker's extension of lsst.v10_0). */
export function rubinSchema(): string {
  return splitOcfRecords(new Uint8Array(readFileSync(RUBIN_FILE))).schema;
}

export interface Collected {
  rows: Array<Record<string, unknown>>;
  batches: AlertBatch[];
  rejects: BufferReject[];
}

/**
 * Iterates `open(signal)` until `count` records (rows + rejects) arrived or `timeoutMs` passed,
 * then aborts; `onBatch` runs for each batch (e.g. to commit).
 */
export async function collect(
  open: (signal: AbortSignal) => AsyncIterable<AlertBatch>,
  count: number,
  options: { timeoutMs?: number; onBatch?: (b: AlertBatch) => Promise<void> } = {}
): Promise<Collected> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 60_000);
  const out: Collected = { rows: [], batches: [], rejects: [] };
  try {
    for await (const b of open(controller.signal)) {
      out.batches.push(b);
      out.rows.push(...b.batch.toArray().map(r => r.toJSON() as Record<string, unknown>));
      out.rejects.push(...b.rejects);
      await options.onBatch?.(b);
      if (out.rows.length + out.rejects.length >= count) {
        controller.abort();
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}
