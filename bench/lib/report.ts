/**
 * What every benchmark writes: the machine and its load (os.loadavg at start and end — the machine
 * is shared, so compare peers only within one run), the protocol it followed, the inputs (alert
 * size beside every figure), and the README rows (bench/readme-table.ts renders them; nothing in
 * the README's table is typed by hand).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** One row of the README's benchmark table. */
export interface ReadmeRow {
  /** What is measured. */
  benchmark: string;
  /** The input, with its alert size (e.g. "realistic Rubin lsst.v10, 232 KB mean, cutouts"). */
  input: string;
  /** The headline (medians), best-of and spreads beside it. */
  figure: string;
  /** The peer measured in the same run, with its figure, or "—". */
  peer: string;
}

/** How a benchmark measured: the same for us and every peer in it. */
export interface Protocol {
  warmup: string;
  repeats: number;
  statistic: string;
  /** What is inside the timed region (and what is not). */
  clock: string;
  [more: string]: unknown;
}

export class BenchReport {
  private readonly startedAt = new Date();
  readonly rows: ReadmeRow[] = [];

  /** `loadStart`: the load average when the run began (default: now). */
  constructor(
    readonly name: string,
    readonly protocol: Protocol,
    private readonly loadStart = loadavg()
  ) {}

  /** The machine's load average now, rounded (for logs). */
  static load(): string {
    return loadavg()
      .map(x => x.toFixed(2))
      .join(' ');
  }

  row(r: ReadmeRow): void {
    this.rows.push(r);
    console.log(`| ${r.benchmark} | ${r.input} | ${r.figure} | ${r.peer} |`);
  }

  /** Writes bench/results/<file> with the figures in `body`. */
  write(body: Record<string, unknown>, file = `${this.name}.json`): string {
    const out = {
      benchmark: this.name,
      date: this.startedAt.toISOString(),
      finished: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        node: process.version,
        loadavgStart: this.loadStart.map(x => +x.toFixed(2)),
        loadavgEnd: loadavg().map(x => +x.toFixed(2))
      },
      protocol: this.protocol,
      ...body,
      readme: this.rows
    };
    const dir = join(import.meta.dirname, '..', 'results');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, file);
    writeFileSync(path, `${JSON.stringify(out, bigintJson, 2)}\n`);
    console.log(`wrote bench/results/${file} (load average ${BenchReport.load()})`);
    return path;
  }
}

function bigintJson(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Median of numbers (mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "12,345" */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits
  });
}

/** "232 KB" for a byte count. */
export function kb(bytes: number): string {
  return bytes >= 10_000 ? `${fmt(bytes / 1000)} KB` : `${fmt(bytes / 1000, 1)} KB`;
}
