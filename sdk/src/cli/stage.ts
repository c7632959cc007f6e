/**
 * `alertlab stage run|check <manifest>`: runs one stage worker until SIGINT/SIGTERM, printing its
 * counters as one JSON line every `--stats-interval-ms` (and a last line on exit); `check` only
 * validates the manifest and prints it with defaults filled in.
 */
import { parseArgs } from 'node:util';
import { healthPortFromEnv, startHealthServer } from '../control/k8s-health.js';
import { loadStageManifest } from '../stage/manifest.js';
import { StageRunner } from '../stage/runner.js';
import { workerMemory } from '../stage/stats.js';

const USAGE = `Usage: alertlab stage <run|check> <manifest.json> [options]

  run <manifest>     consume → decode → cross-match → filter → produce, exactly once
                     (or aggregate / archive, by the manifest's kind); stops on Ctrl-C
  check <manifest>   validate the manifest and print it with defaults

Options:
  --bootstrap <servers>       brokers ("local" or host:port,...) instead of the manifest's
  --stats-interval-ms <ms>    print counters as a JSON line this often (default 10000; 0: never)
  -h, --help                  this help`;

const line = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v === Infinity ? 'Infinity' : v
  );

export async function run(args: string[]): Promise<number> {
  if (args[0] !== undefined && !['run', 'check'].includes(args[0]) && !args[0].startsWith('-')) {
    // promote, list, status, scale, stop, start, rollback, delete, k8s: the controller's REST API.
    return (await import('./stage-remote.js')).run(args);
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      bootstrap: { type: 'string' },
      'stats-interval-ms': { type: 'string', default: '10000' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  const [verb, path] = positionals;
  if (values.help || !verb) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if ((verb !== 'run' && verb !== 'check') || !path) {
    console.error(`alertlab stage: expected "run <manifest>" or "check <manifest>".\n\n${USAGE}`);
    return 2;
  }
  if (verb === 'check') {
    console.log(JSON.stringify(await loadStageManifest(path), null, 2));
    return 0;
  }
  const intervalMs = Number(values['stats-interval-ms']);
  if (!Number.isFinite(intervalMs) || intervalMs < 0) {
    console.error('alertlab stage: --stats-interval-ms must be a number of milliseconds >= 0.');
    return 2;
  }
  const runner = await StageRunner.create(path, { bootstrapServers: values.bootstrap });
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer =
    intervalMs > 0
      ? setInterval(
          () => console.log(line({ type: 'stats', ...runner.stats(), memory: workerMemory() })),
          intervalMs
        )
      : undefined;
  // GET /health for Kubernetes probes when ALERTLAB_HEALTH_PORT is set (200 while running)
  const healthPort = healthPortFromEnv();
  const health =
    healthPort === undefined
      ? undefined
      : await startHealthServer(healthPort, () => ({
          ...runner.stats(),
          ok: !controller.signal.aborted
        }));
  console.log(line({ type: 'started', stageId: runner.manifest.id, kind: runner.manifest.kind }));
  try {
    await runner.run(controller.signal);
  } finally {
    clearInterval(timer);
    await health?.close();
    console.log(line({ type: 'stopped', ...runner.stats() }));
    await runner.close();
  }
  return 0;
}
