/**
 * The windowed aggregation stage on the real broker: hopping event-time windows with allowed
 * lateness, grouped by band, over psfFlux; out-of-order and late alerts; the worker is stopped
 * half-way and a new one resumes from the committed offset + metadata. Emitted windows are checked
 * against an independent brute-force computation, and late alerts against the dead-letter topic.
 */
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../sdk/src/alerts/rejects.js';
import {
  createTopic,
  headerText,
  produceValues,
  randomName,
  readTopic,
  runStageUntil,
  useSuiteKafka
} from './stage-helpers.js';

const WINDOW_S = 600;
const HOP_S = 300;
const LATENESS_S = 120;
const N = 1500;

interface Alert {
  id: bigint;
  mjd: number;
  band: string;
  flux: number;
}

/** Deterministic alerts over ~3 hours: mostly in order, some jittered back, some very late. */
function makeAlerts(): Alert[] {
  let s = 12345;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Alert[] = [];
  for (let i = 0; i < N; i++) {
    const base = 61000 + (i * 7.3) / 86_400;
    const jitter = rnd() < 0.1 ? -(rnd() * 200) / 86_400 : 0; // up to 200 s back
    const veryLate = i % 97 === 50 ? -3600 / 86_400 : 0; // an hour back: late
    out.push({
      id: (1n << 62n) + BigInt(i),
      mjd: base + jitter + veryLate,
      band: 'gri'[i % 3],
      flux: Math.round(rnd() * 1e5) / 10
    });
  }
  return out;
}

const encode = (a: Alert): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({
      diaSource: {
        diaSourceId: a.id.toString(),
        ra: 10,
        dec: -5,
        midpointMjdTai: a.mjd,
        band: a.band,
        psfFlux: a.flux,
        psfFluxErr: 1
      }
    })
  );

/** Brute force: every window [k·hop, k·hop + size) seconds, in record order with a running watermark. */
function expected(alerts: Alert[]) {
  const windows = new Map<string, { k: number; key: string; values: number[] }>();
  let wm = -Infinity;
  const late: bigint[] = [];
  for (const a of alerts) {
    const t = a.mjd * 86_400;
    let joined = false;
    for (let k = Math.floor((t - WINDOW_S) / HOP_S) - 1; k <= Math.floor(t / HOP_S) + 1; k++) {
      const start = k * HOP_S;
      if (!(start <= t && t < start + WINDOW_S)) {
        continue;
      }
      if (start + WINDOW_S + LATENESS_S <= wm) {
        continue;
      }
      joined = true;
      const id = `${k}|${a.band}`;
      const w = windows.get(id) ?? { k, key: a.band, values: [] };
      w.values.push(a.flux);
      windows.set(id, w);
    }
    if (!joined) {
      late.push(a.id);
    }
    wm = Math.max(wm, t);
  }
  const closed = [...windows.values()].filter(w => w.k * HOP_S + WINDOW_S + LATENESS_S <= wm);
  return {
    late,
    windows: new Map(
      closed.map(w => {
        const v = [...w.values].sort((a, b) => a - b);
        const n = v.length;
        const mean = v.reduce((a, b) => a + b, 0) / n;
        const median = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : null;
        return [
          `${(w.k * HOP_S) / 86_400}|${w.key}`,
          { count: n, min: v[0], max: v[n - 1], mean, median, stddev: sd }
        ];
      })
    )
  };
}

describe('aggregation stage', () => {
  const kafka = useSuiteKafka();

  it('hopping windows with lateness match a brute-force computation, across a restart', async () => {
    const id = randomName('stage-agg');
    const input = `${id}-in`;
    const transport = kafka.transport;
    await createTopic(transport, input, 1);
    const alerts = makeAlerts();
    const manifest = {
      id,
      kind: 'aggregate',
      input: { topic: input, format: 'json' },
      aggregate: {
        topic: `${id}-windows`,
        windowSeconds: WINDOW_S,
        hopSeconds: HOP_S,
        allowedLatenessSeconds: LATENESS_S,
        groupBy: 'band',
        value: 'psfFlux'
      },
      deadLetterTopic: `${id}-dlq`,
      batch: { maxRows: 100, maxWaitMs: 100 }
    };
    const runUntil = (count: number) => runStageUntil(manifest, count, 90_000);
    const half = Math.floor(N / 2);
    await produceValues(transport, input, alerts.slice(0, half).map(encode));
    const first = await runUntil(half);
    await produceValues(transport, input, alerts.slice(half).map(encode));
    // the second worker starts from the committed offset (the oldest open window) and replays
    const second = await runUntil(N - half);
    const want = expected(alerts);
    const emitted = first.extra.windowsEmitted + second.extra.windowsEmitted;
    const records = await readTopic(transport, `${id}-windows`, { min: emitted, idleMs: 1000 });
    const got = new Map(
      records.map(r => {
        const w = JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as Record<
          string,
          number | string | null
        >;
        return [`${w.windowStartMjd}|${w.key}`, w];
      })
    );
    expect(records.length).toBe(got.size); // no window twice
    expect([...got.keys()].sort()).toEqual([...want.windows.keys()].sort());
    for (const [key, w] of want.windows) {
      const g = got.get(key) as Record<string, number | null>;
      expect(g.count).toBe(w.count);
      expect(g.min).toBe(w.min);
      expect(g.max).toBe(w.max);
      expect(g.median).toBe(w.median);
      expect(g.mean).toBeCloseTo(w.mean, 9);
      if (w.stddev === null) {
        expect(g.stddev).toBeNull();
      } else {
        expect(g.stddev).toBeCloseTo(w.stddev, 6);
      }
    }
    expect(want.late.length).toBeGreaterThan(5);
    const dlq = await readTopic(transport, `${id}-dlq`, { min: want.late.length, idleMs: 800 });
    expect(dlq.every(r => headerText(r, DEAD_LETTER_HEADERS.code) === 'late-record')).toBe(true);
    const lateIds = dlq.map(
      r =>
        (
          JSON.parse(Buffer.from(r.value as Uint8Array).toString()) as {
            diaSource: { diaSourceId: string };
          }
        ).diaSource.diaSourceId
    );
    expect(lateIds.sort()).toEqual(want.late.map(String).sort());
    expect(first.extra.lateRecords + second.extra.lateRecords).toBe(want.late.length);
    console.log(
      `windows ${got.size} (${first.extra.windowsEmitted} before the restart), late ${want.late.length}`
    );
  });
});
