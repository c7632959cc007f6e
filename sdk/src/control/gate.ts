/**
 * The backtest gate of a deploy: builds the filter the way a worker does (TypeScript in a worker
 * thread with its time limit, SQL in a locked DuckDB, Python in a worker process), runs it over the
 * last N buffered alerts of the input topic (cross-matched, with the watch and object columns first,
 * as the stage's filter sees them), and refuses the version — HTTP 422 with the reason — when the
 * filter fails to load, throws on the sample, or exceeds its time budget. User code never runs on the controller's own thread.
 * Aggregate and archive stages run no filter: their own per-batch logic goes over the same sample
 * within the same budget (gate-stream.ts).
 */
import type { RecordBatch } from 'apache-arrow';
import type { BufferClient } from '../buffer/client.js';
import { backtest } from '../filter/backtest.js';
import type { Filter } from '../filter/types.js';
import type { StageManifest } from '../stage/manifest-types.js';
import { addMatchColumns } from '../stage/match-columns.js';
import { createStageFilter } from '../stage/stage-filter.js';
import type { CatalogService } from './catalogs.js';
import { streamGate } from './gate-stream.js';
import { HttpError } from './http.js';
import type { GateEvidence } from './types.js';
import { withBacktestObjects } from '../state/stage-objects.js';
import { withWatchColumns } from '../watch/watch-columns.js';
import { createDecoder } from '../alerts/index.js';
import { FilterColumnError } from '../errors.js';
import { decodedColumns, decodesLightcurve } from '../stage/decoded-columns.js';

/** Alerts sampled by default. */
export const DEFAULT_GATE_SAMPLE = 1000;
/** Default wall-time budget of the gate. */
export const DEFAULT_GATE_BUDGET_MS = 20_000;

/** How long a stopped backtest may take to return before its filter is closed anyway. */
const STOP_WAIT_MS = 5000;

/** Waits until `p` settles or `ms` pass, whichever comes first. */
async function settled(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined
    ),
    new Promise<void>(resolve => (timer = setTimeout(resolve, ms)))
  ]);
  clearTimeout(timer);
}

/** What the gate needs. */
export interface GateInput {
  manifest: StageManifest;
  buffer: BufferClient;
  catalogs?: CatalogService;
  sampleAlerts?: number;
  budgetMs?: number;
  /** Stops the gate (the controller is shutting down): its query is interrupted. */
  signal?: AbortSignal;
}

function refuse(reason: string, message: string, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(422, `Deploy refused by the backtest gate: ${message}`, {
    reason,
    ...extra
  });
}

async function withBudget<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () => reject(refuse('time-budget', `${what} took longer than the gate budget of ${ms} ms.`)),
      ms
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the filter of a manifest exactly as a worker does. */
export async function buildFilter(m: StageManifest): Promise<Filter> {
  if (!m.filter) {
    throw refuse('no-filter', `stage "${m.id}" has no filter; the gate checks filter stages only.`);
  }
  return createStageFilter(m.filter, m.id);
}

/** The last `n` buffered alerts of `topic` (fewer when the topic holds fewer), and the offsets read. */
async function* lastAlerts(
  buffer: BufferClient,
  m: StageManifest,
  n: number,
  signal: AbortSignal,
  offsets: Record<string, [string, string]>,
  columns: readonly string[] | undefined
): AsyncGenerator<RecordBatch> {
  const ends = await (await buffer.admin()).endOffsets(m.input.topic);
  const filled = ends.filter(p => p.high > p.low);
  if (filled.length === 0 || n === 0) {
    return;
  }
  const per = BigInt(Math.ceil(n / filled.length));
  const minHigh = filled.reduce((a, p) => (p.high < a ? p.high : a), filled[0].high);
  const start = minHigh > per ? minHigh - per : 0n;
  const remaining = new Map(filled.map(p => [p.partition, p.high - 1n]));
  let taken = 0;
  for await (const ab of buffer.attach(m.input.topic, {
    from: { offset: start },
    format: m.input.format,
    // decoded as the stage decodes them (its projection, see decodedColumns)
    ...(columns && {
      decoder: createDecoder(m.input.format, {
        columns,
        lightcurve: decodesLightcurve(columns, m.objects !== undefined)
      })
    }),
    signal
  })) {
    const first = offsets[String(ab.partition)]?.[0] ?? ab.firstOffset.toString();
    offsets[String(ab.partition)] = [first, ab.lastOffset.toString()];
    if (ab.batch.numRows > 0) {
      const keep = Math.min(ab.batch.numRows, n - taken);
      taken += keep;
      yield keep < ab.batch.numRows ? ab.batch.slice(0, keep) : ab.batch;
    }
    const end = remaining.get(ab.partition);
    if (end !== undefined && ab.lastOffset >= end) {
      remaining.delete(ab.partition);
    }
    if (taken >= n || remaining.size === 0) {
      return;
    }
  }
}

/** Runs the gate; resolves with the evidence, or rejects with a 422 {@link HttpError}. */
export async function runGate(input: GateInput): Promise<GateEvidence> {
  if (input.manifest.kind !== 'filter') {
    return runStreamGate(input);
  }
  const t0 = performance.now();
  const m = input.manifest;
  const budgetMs = input.budgetMs ?? DEFAULT_GATE_BUDGET_MS;
  const n = input.sampleAlerts ?? DEFAULT_GATE_SAMPLE;
  let filter: Filter;
  try {
    filter = await withBudget(buildFilter(m), budgetMs, 'Loading the filter');
  } catch (err) {
    if (err instanceof HttpError) {
      throw err;
    }
    throw refuse(
      'load',
      `the filter failed to load: ${err instanceof Error ? err.message : String(err)}`
    );
  }
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  input.signal?.addEventListener('abort', stop, { once: true });
  const offsets: Record<string, [string, string]> = {};
  try {
    if (input.signal?.aborted) {
      throw refuse('stopped', 'the controller is shutting down.');
    }
    const xm = m.crossmatch;
    for (const c of xm?.catalogs ?? []) {
      if (!input.catalogs?.catalogs().has(c.name)) {
        throw refuse(
          'catalog',
          `catalog "${c.name}" is not served by this controller; load it (alertlab catalog load ${c.name}) and restart the controller.`
        );
      }
    }
    const sample = (columns: readonly string[] | undefined) => {
      const source = lastAlerts(input.buffer, m, n, abort.signal, offsets, columns);
      const matched = xm && input.catalogs ? enrich(source, input.catalogs, xm) : source;
      // watch columns (the stage's lists and maps as they are now), then obj_* when it keeps state
      const watched = m.watch ? withWatchColumns(matched, m.watch) : matched;
      return withBacktestObjects(watched, m);
    };
    // the signal reaches every evaluate: a budget that fires interrupts the running query, and
    // the filter is closed only once its call has returned (never under a running query)
    const run = (columns: readonly string[] | undefined) =>
      backtest(filter, sample(columns), {
        signal: abort.signal,
        context: { signal: abort.signal },
        sampleSize: 5
      });
    const columns = decodedColumns(m, filter);
    // like a stage (StagePipeline.widen): a filter that reads an undecoded column gets them all
    const running = run(columns).catch((error: unknown) => {
      if (columns !== undefined && error instanceof FilterColumnError && !abort.signal.aborted) {
        for (const key of Object.keys(offsets)) {
          delete offsets[key];
        }
        return run(undefined);
      }
      throw error;
    });
    const remaining = Math.max(1, budgetMs - (performance.now() - t0));
    const result = await withBudget(running, remaining, 'The backtest').catch(
      async (err: unknown) => {
        abort.abort();
        await settled(running, STOP_WAIT_MS);
        throw err;
      }
    );
    return {
      sampledAlerts: result.totalAlerts,
      offsets,
      result: {
        ...result,
        outputs: result.outputs.map(o => ({
          name: o.name,
          count: o.count,
          fraction: o.fraction,
          estimatedPerNight: o.estimatedPerNight,
          digest: o.digest
        }))
      },
      gateMs: performance.now() - t0,
      budgetMs
    };
  } catch (err) {
    if (err instanceof HttpError) {
      throw err;
    }
    const name = err instanceof Error ? err.name : 'Error';
    const reason = /Timeout/i.test(name) ? 'time-budget' : 'error';
    const what =
      reason === 'time-budget'
        ? 'the filter exceeded its time budget on the sample'
        : 'the filter failed on the sample';
    throw refuse(reason, `${what}: ${err instanceof Error ? err.message : String(err)}`, {
      error: name
    });
  } finally {
    input.signal?.removeEventListener('abort', stop);
    abort.abort();
    await filter.close().catch(() => undefined);
  }
}

async function* enrich(
  source: AsyncIterable<RecordBatch>,
  catalogs: CatalogService,
  xm: NonNullable<StageManifest['crossmatch']>
): AsyncGenerator<RecordBatch> {
  for await (const b of source) {
    yield (await addMatchColumns(b, catalogs.matcher, xm)).batch;
  }
}

/** The gate of an aggregate or archive stage: its own logic over the sample, within the budget. */
async function runStreamGate(input: GateInput): Promise<GateEvidence> {
  const t0 = performance.now();
  const m = input.manifest;
  const budgetMs = input.budgetMs ?? DEFAULT_GATE_BUDGET_MS;
  const n = input.sampleAlerts ?? DEFAULT_GATE_SAMPLE;
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  input.signal?.addEventListener('abort', stop, { once: true });
  const offsets: Record<string, [string, string]> = {};
  try {
    const source = lastAlerts(input.buffer, m, n, abort.signal, offsets, undefined);
    const report = await withBudget(
      streamGate(m, source, abort.signal),
      budgetMs,
      `The ${m.kind} stage on the sample`
    );
    return {
      sampledAlerts: report.result.totalAlerts,
      offsets,
      result: report.result,
      stream: report.counts,
      gateMs: performance.now() - t0,
      budgetMs
    };
  } catch (err) {
    if (err instanceof HttpError) {
      throw err;
    }
    throw refuse(
      'error',
      `the ${m.kind} stage failed on the sample: ${err instanceof Error ? err.message : String(err)}`
    );
  } finally {
    input.signal?.removeEventListener('abort', stop);
    abort.abort();
  }
}
