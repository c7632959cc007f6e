/**
 * `alertlab demo`: the whole system on this machine (see sdk/src/demo/run.ts). Interactive by
 * default (JupyterLab, Ctrl-C stops); `--headless --visits N` prints a summary and exits 0 when the
 * counts per output match what the simulator's seed implies.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { runDemo } from '../demo/run.js';

const USAGE = `Usage: alertlab demo [--headless] [--visits N] [options]

Starts Kafka, creates the buffer topics, loads the real catalogs, starts the controller and the
kernel bridge, deploys the example stage (cross-match → switch: variable / transient / moving /
other), runs the simulator at visit cadence and JupyterLab with the notebooks. Ctrl-C stops it all.

Options:
  --headless                no JupyterLab; run --visits visits, print a summary, exit (0 = counts match)
  --visits <n>              visits to simulate (default: until Ctrl-C; headless default 3)
  --alerts-per-visit <n>    (default 10000; headless default 2000)
  --visit-interval-s <s>    seconds between visits (default 39; headless default 2)
  --mix <k=v,...>           class mix, e.g. variable=0.02,transient=0.01,moving=0.05
  --seed <n>                simulator seed (default 1)
  --controller-port <p>     (default 8750)
  --jupyter-port <p>        (default 8888)
  --notebooks               run every notebook against the live stack before stopping (headless)
  --keep-kafka              leave Kafka running at the end
  -h, --help`;

function num(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) {
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    throw new ConfigError(`--${name} must be a non-negative number, got "${v}".`);
  }
  return n;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      headless: { type: 'boolean', default: false },
      visits: { type: 'string' },
      'alerts-per-visit': { type: 'string' },
      'visit-interval-s': { type: 'string' },
      mix: { type: 'string' },
      seed: { type: 'string' },
      'controller-port': { type: 'string' },
      'jupyter-port': { type: 'string' },
      notebooks: { type: 'boolean', default: false },
      'keep-kafka': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const headless = values.headless === true;
  const visits =
    values.visits !== undefined ? num('visits', values.visits, 0) : headless ? 3 : undefined;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const summary = await runDemo(
    {
      headless,
      visits,
      alertsPerVisit: num('alerts-per-visit', values['alerts-per-visit'], headless ? 2000 : 10000),
      visitIntervalS: num('visit-interval-s', values['visit-interval-s'], headless ? 2 : 39),
      seed: num('seed', values.seed, 1),
      mix: values.mix ?? (headless ? 'variable=0.02,transient=0.01,moving=0.05' : undefined),
      controllerPort: num('controller-port', values['controller-port'], 8750),
      jupyterPort: num('jupyter-port', values['jupyter-port'], 8888),
      notebooks: values.notebooks === true,
      stopKafka: !values['keep-kafka'],
      log: line => console.log(line)
    },
    controller.signal
  );
  if (!headless) {
    return 0;
  }
  return summary.countsMatch === true && summary.notebooks !== 'failed' ? 0 : 1;
}
