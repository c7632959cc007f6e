/** The soak's feed: `alertlab simulate` as a child process, its visits counted from its --json lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MS_PER_DAY, nowMjdMs } from '../../sdk/src/stage/windows.js';

const ROOT = join(import.meta.dirname, '..', '..');

export interface FeedOptions {
  ratePerSecond: number;
  visitIntervalS?: number;
  partitions?: number;
  bootstrapServers: string;
}

export interface Simulator {
  child: ChildProcess;
  produced: number;
  visits: number;
  firstVisitAt: number;
  lastVisitAt: number;
  firstVisit: Promise<void>;
}

/** `seed`: one visit of 1,000 alerts (the gate's sample), then the simulator exits. */
export function startSimulator(topic: string, o: FeedOptions, seed = false): Simulator {
  const interval = o.visitIntervalS ?? 5;
  // event time follows processing time from one day back: windows close as the run goes on,
  // and no visit is ever beyond now + the allowed future skew
  const mjdStart = (nowMjdMs() - MS_PER_DAY) / MS_PER_DAY;
  const args = [
    'simulate',
    '--topic',
    topic,
    '--partitions',
    String(o.partitions ?? 2),
    ...(seed ? ['--visits', '1'] : []),
    '--alerts-per-visit',
    String(seed ? 1000 : Math.round(o.ratePerSecond * interval)),
    '--visit-interval-s',
    String(interval),
    '--days-per-visit',
    String(interval / 86_400),
    '--mjd-start',
    mjdStart.toFixed(6),
    '--seed',
    String(Date.now() % 100_000),
    '--bootstrap',
    o.bootstrapServers,
    '--json'
  ];
  const child = spawn(join(ROOT, 'bin', 'alertlab'), args, {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const sim: Simulator = {
    child,
    produced: 0,
    visits: 0,
    firstVisitAt: 0,
    lastVisitAt: 0,
    firstVisit: Promise.resolve()
  };
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  sim.firstVisit = new Promise((resolve, reject) => {
    child.once('exit', code =>
      reject(new Error(`alertlab simulate exited (${code}) before its first visit: ${stderr}`))
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', line => {
      const v = JSON.parse(line) as { visit?: number; alerts?: number };
      if (typeof v.visit === 'number' && typeof v.alerts === 'number') {
        sim.produced += v.alerts;
        sim.visits++;
        sim.lastVisitAt = Date.now();
        if (sim.visits === 1) {
          sim.firstVisitAt = sim.lastVisitAt;
          resolve();
        }
      }
    });
  });
  return sim;
}
