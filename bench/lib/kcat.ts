/**
 * The native floor: kcat (librdkafka, Debian package `kcat`) reading the same topic from the
 * beginning, every record, printing only offsets to /dev/null. Wall time from process start to
 * exit (metadata and connection included, as a consumer's join is in ours), and its CPU.
 */
import { spawnSync } from 'node:child_process';

export interface KcatRun {
  records: number;
  wallSeconds: number;
  alertsPerSec: number;
  cpuSeconds: number;
  cpuMicrosPerAlert: number;
}

/** Path of kcat, or undefined when it is not installed (scripts/bench.sh installs it). */
export function kcatPath(): string | undefined {
  const r = spawnSync('bash', ['-c', 'command -v kcat || command -v kafkacat'], {
    encoding: 'utf8'
  });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/** Reads `count` records of `topic` (all partitions) once. */
export function kcatRead(bin: string, servers: string, topic: string, count: number): KcatRun {
  const script = `TIMEFORMAT='%R %U %S'; time ( ${bin} -C -b ${servers} -t ${topic} -o beginning -c ${count} -e -q -f '%o\\n' > /tmp/kcat-$$.out ); wc -l < /tmp/kcat-$$.out >&2; rm -f /tmp/kcat-$$.out`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const lines = r.stderr.trim().split('\n');
  const records = Number(lines[lines.length - 1]);
  const [real, user, sys] = lines[lines.length - 2].split(' ').map(Number);
  if (r.status !== 0 || !Number.isFinite(real) || records !== count) {
    throw new Error(`kcat read ${records} of ${count} records: ${r.stderr.slice(0, 400)}`);
  }
  const cpu = user + sys;
  return {
    records,
    wallSeconds: real,
    alertsPerSec: Math.round(count / real),
    cpuSeconds: +cpu.toFixed(3),
    cpuMicrosPerAlert: Math.round((cpu * 1e6) / count)
  };
}
