/** The headless demo's summary: alerts in, per output, dead letters, latency, and the check. */
import type { ExpectedCounts } from '../simulate/expected.js';
import { percentile, type OutputTally } from './watch.js';

export interface DemoSummary {
  alertsRouted: number;
  perOutput: Record<string, number>;
  deadLetters: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Output → simulator class → count. */
  confusion: Record<string, Record<string, number>>;
  expected?: ExpectedCounts['total'];
  /** True when every output holds exactly the alerts of its class. */
  countsMatch?: boolean;
  notebooks?: 'passed' | 'failed';
}

export function summarize(
  tally: OutputTally,
  outputClass: Record<string, string>,
  expected: ExpectedCounts | undefined
): DemoSummary {
  const routed = Object.values(tally.perOutput).reduce((a, b) => a + b, 0);
  const s: DemoSummary = {
    alertsRouted: routed,
    perOutput: { ...tally.perOutput },
    deadLetters: tally.deadLetters,
    latencyMs: {
      p50: percentile(tally.latenciesMs, 50),
      p99: percentile(tally.latenciesMs, 99),
      max: percentile(tally.latenciesMs, 100)
    },
    confusion: tally.confusion
  };
  if (expected) {
    s.expected = expected.total;
    s.countsMatch = Object.entries(outputClass).every(([output, cls]) => {
      const want = expected.total[cls as keyof ExpectedCounts['total']];
      const row = tally.confusion[output] ?? {};
      const got = tally.perOutput[output] ?? 0;
      return got === want && (row[cls] ?? 0) === want;
    });
  }
  return s;
}

export function printSummary(
  s: DemoSummary,
  outputClass: Record<string, string>,
  log: (l: string) => void
): void {
  log('');
  log('alertlab demo — summary');
  log(`  alerts routed       ${s.alertsRouted}`);
  log(`  dead letters        ${s.deadLetters}`);
  log(
    `  end-to-end latency  p50 ${s.latencyMs.p50.toFixed(0)} ms, p99 ${s.latencyMs.p99.toFixed(0)} ms, max ${s.latencyMs.max.toFixed(0)} ms (produce → visible downstream)`
  );
  log('  output      alerts   expected   simulator classes routed there');
  for (const [output, cls] of Object.entries(outputClass)) {
    const got = s.perOutput[output] ?? 0;
    const want = s.expected ? String(s.expected[cls as keyof typeof s.expected]) : '-';
    const classes = Object.entries(s.confusion[output] ?? {})
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    log(`  ${output.padEnd(10)} ${String(got).padStart(7)} ${want.padStart(10)}   ${classes}`);
  }
  if (s.countsMatch !== undefined) {
    log(
      s.countsMatch
        ? '  counts per output match what the simulator seed implies ✓'
        : '  counts per output DO NOT match what the simulator seed implies ✗'
    );
  }
  if (s.notebooks) {
    log(`  notebooks           ${s.notebooks}`);
  }
  log('');
}
