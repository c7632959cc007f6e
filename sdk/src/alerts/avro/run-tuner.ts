/**
 * Keeps the learned layouts of a compiled reader's skip runs (see layouts.ts) and renders the
 * code that tries them. Generated code counts, per run, how often it ran, which layout matched
 * and how often none did, and samples the bytes of some misses. `tune()` (after each batch) swaps
 * in the layouts seen most when too many rows miss, and has the array readers recompiled.
 */
import type { AvroType } from './schema.js';
import { LAYOUTS_PER_RUN, layoutCheck, layoutSpan, traceLayout, type Layout } from './layouts.js';

/** A run is re-learned when more than 1 in MISS_SHARE of its rows miss every layout. */
const MISS_SHARE = 10;
/** Rows a run must have read before its miss rate is judged. */
const MIN_ROWS = 64;
/** Every SAMPLE_EVERY-th miss of a run is traced (its layout learned)... */
const SAMPLE_EVERY = 32;
/** ...up to this many per run between two tunings. */
const MAX_SAMPLES = 16;
/** A reader's arrays are recompiled at most this many times; then its layouts stay as they are. */
const MAX_RECOMPILES = 16;

interface Run {
  types: AvroType[];
  generic: string;
  owner: number;
  /** Inside a union branch of its item: rows counted per row, not per block of items. */
  perRow: boolean;
  layouts: Layout[];
  samples: Map<string, { layout: Layout; count: number }>;
  sampled: number;
}

export class RunTuner {
  private readonly runs: Run[] = [];
  /**
   * Rows read, misses, and hits per layout slot (generated code writes these). Hot-path counts are
   * cut to what cannot be derived: a run read once per item counts its rows once per block of
   * items, and the first layout's hits are the rows less the misses and the other layouts' hits.
   */
  E = new Uint32Array(0);
  M = new Uint32Array(0);
  H = new Uint32Array(0);
  /** The compiled array readers, replaced when their runs' layouts change. */
  readonly arrays: Array<(b: Uint8Array, p: number, end: number, dv: DataView) => number> = [];
  private recompiles = 0;
  /**
   * Each run's field-by-field skip (for rows no layout matches), a function of its own: the array
   * readers call it through `skip`, so its code stays out of theirs. It leaves in `bad` whether it
   * met a bad union byte; the caller takes that into its own flag (checked at its end).
   */
  readonly skips: Array<(b: Uint8Array, p: number, end: number, dv: DataView) => number> = [];
  bad = 0;
  private rebuild: (owner: number) => void = () => {};

  /**
   * Reads kept array `a`. Generated readers call arrays through this one method, shared by every
   * reader, so the call site inside it sees many targets and V8 compiles it as a plain call: a
   * replaced array reader then never deoptimises the (large) reader that calls it.
   */
  readArray(a: number, b: Uint8Array, p: number, end: number, dv: DataView): number {
    return this.arrays[a](b, p, end, dv);
  }

  /** Skips run `r` field by field (see `skips`). */
  skip(r: number, b: Uint8Array, p: number, end: number, dv: DataView): number {
    return this.skips[r](b, p, end, dv);
  }

  /** The field-by-field skip code of each run. */
  get generics(): string[] {
    return this.runs.map(run => run.generic);
  }

  /**
   * Registers a run of skipped fields read by `generic` in the items of array `owner` (`perRow`:
   * not read once per item); returns the code placeholder.
   */
  add(types: AvroType[], generic: string, owner: number, perRow: boolean): string {
    const run = { types, generic, owner, perRow, layouts: [], samples: new Map(), sampled: 0 };
    return `/*RUN${this.runs.push(run) - 1}*/`;
  }

  /** The placeholder, at the start of a block of `count` items, of its rows' count. */
  static rows(count: string): string {
    return `/*ROWS ${count}*/`;
  }

  get size(): number {
    return this.runs.length;
  }

  /** Allocates the counters once every run is known; `rebuild(owner)` recompiles an array reader. */
  seal(rebuild: (owner: number) => void): void {
    const n = this.runs.length;
    this.E = new Uint32Array(n);
    this.M = new Uint32Array(n);
    this.H = new Uint32Array(n * LAYOUTS_PER_RUN);
    this.rebuild = rebuild;
  }

  /** `template` with each run placeholder replaced by code that tries the run's layouts. */
  render(template: string): string {
    const counted = [...template.matchAll(/\/\*RUN(\d+)\*\//g)]
      .map(m => Number(m[1]))
      .filter(r => !this.runs[r].perRow);
    return template
      .replace(/\/\*ROWS (\w+)\*\//g, (_, n: string) =>
        counted.map(r => `RE[${r}] += ${n};`).join(' ')
      )
      .replace(/\/\*RUN(\d+)\*\//g, (_, r: string) => this.runCode(Number(r)));
  }

  private runCode(r: number): string {
    const run = this.runs[r];
    const tries = run.layouts.map(
      (l, i) =>
        `if (p + ${layoutSpan(l)} <= end && ${layoutCheck(l)}) { p += ${l.length};${i > 0 ? ` RH[${r * LAYOUTS_PER_RUN + i}]++;` : ''} }`
    );
    const miss = `{ if ((++RM[${r}] & ${SAMPLE_EVERY - 1}) === 1) { T.sample(${r}, b, p, end); }\np = T.skip(${r}, b, p, end, dv); bad |= T.bad; }`;
    return `${run.perRow ? `RE[${r}]++;\n` : ''}${[...tries, miss].join(' else ')}`;
  }

  /** Per run: layouts known, rows, misses since the last tuning (for tests and diagnostics). */
  stats(): Array<{ fields: number; layouts: number; rows: number; misses: number }> {
    return this.runs.map((run, r) => ({
      fields: run.types.length,
      layouts: run.layouts.length,
      rows: this.E[r],
      misses: this.M[r]
    }));
  }

  /** Traces the run's bytes at `p` (called by generated code on some misses). */
  sample(r: number, b: Uint8Array, p: number, end: number): void {
    const run = this.runs[r];
    if (run.sampled >= MAX_SAMPLES) {
      return;
    }
    run.sampled++;
    const layout = traceLayout(run.types, b, p, end);
    if (layout) {
      const seen = run.samples.get(layout.key);
      if (seen) {
        seen.count++;
      } else {
        run.samples.set(layout.key, { layout, count: 1 });
      }
    }
  }

  /** Re-learns the runs that miss too often; recompiles their array readers. Cheap otherwise. */
  tune(): void {
    if (this.recompiles >= MAX_RECOMPILES) {
      return;
    }
    const dirty = new Set<number>();
    this.runs.forEach((run, r) => {
      const rows = this.E[r];
      if (rows < MIN_ROWS) {
        return;
      }
      const misses = this.M[r];
      if (misses * MISS_SHARE > rows && run.samples.size > 0) {
        const perSample = misses / Math.max(1, run.sampled);
        const scored = new Map<string, { layout: Layout; score: number }>();
        const hits = this.H.subarray(r * LAYOUTS_PER_RUN, (r + 1) * LAYOUTS_PER_RUN);
        // the first layout's hits are not counted: every row neither missed nor another's hit
        hits[0] = Math.max(0, rows - misses - hits.reduce((s, h, i) => (i > 0 ? s + h : s), 0));
        run.layouts.forEach((layout, i) => scored.set(layout.key, { layout, score: hits[i] }));
        for (const { layout, count } of run.samples.values()) {
          const s = scored.get(layout.key);
          scored.set(layout.key, { layout, score: (s?.score ?? 0) + count * perSample });
        }
        const best = [...scored.values()]
          .sort((a, b) => b.score - a.score)
          .slice(0, LAYOUTS_PER_RUN)
          .map(x => x.layout);
        if (best.map(l => l.key).join('|') !== run.layouts.map(l => l.key).join('|')) {
          run.layouts = best;
          dirty.add(run.owner);
        }
      }
      this.E[r] = 0;
      this.M[r] = 0;
      this.H.fill(0, r * LAYOUTS_PER_RUN, (r + 1) * LAYOUTS_PER_RUN);
      run.samples.clear();
      run.sampled = 0;
    });
    for (const owner of dirty) {
      this.recompiles++;
      this.rebuild(owner);
    }
  }
}
