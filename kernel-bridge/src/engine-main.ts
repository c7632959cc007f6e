/**
 * Starts the bridge engine as a process:
 *   node --import tsx kernel-bridge/src/engine-main.ts [--connection-file PATH] [--transport tcp|ipc]
 *        [--port N] [--memory-topic NAME=FILE.arrow]... [--no-sdk] [--quiet] [--idle-exit-ms N]
 * `--no-sdk` (tests, benchmarks): no Kafka — `topics` and `attach` serve the `--memory-topic`s only
 * (any other topic is `not-found`); cross-match, cone, lightcurve and backtest still run on the SDK
 * (catalog store, DuckDB, filter runtimes), loaded on first use.
 * `--idle-exit-ms N` (what `alertlab.connect()` passes when it starts an engine): the engine exits
 * once its clients are gone — no request, acknowledgement or ping for N ms and no open stream.
 * Without the flag it serves until stopped.
 * Writes the connection file (mode 0600), serves until SIGINT/SIGTERM or a shutdown_request, then
 * removes the file. The Python `alertlab.connect()` runs this when no engine is running.
 */
import { parseArgs } from 'node:util';
import { defaultConnectionFile } from './connection.js';
import { BridgeEngine, type EngineEvent } from './engine.js';
import { tuneGcForArrowPayloads } from './gc-tuning.js';
import { watchIdle } from './idle-exit.js';
import { MemoryTopics } from './memory-topics.js';
import { sdkServices } from './sdk-services.js';

const USAGE =
  'Usage: engine-main [--connection-file PATH] [--transport tcp|ipc] [--port N] [--memory-topic NAME=FILE.arrow]... [--no-sdk] [--quiet] [--idle-exit-ms N]';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'connection-file': { type: 'string' },
      transport: { type: 'string', default: 'tcp' },
      port: { type: 'string' },
      'memory-topic': { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
      'no-sdk': { type: 'boolean', default: false },
      'idle-exit-ms': { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.transport !== 'tcp' && values.transport !== 'ipc') {
    console.error(`--transport must be tcp or ipc.\n${USAGE}`);
    return 2;
  }
  const idleExitMs =
    values['idle-exit-ms'] === undefined ? undefined : Number(values['idle-exit-ms']);
  if (idleExitMs !== undefined && !(Number.isFinite(idleExitMs) && idleExitMs > 0)) {
    console.error(`--idle-exit-ms needs a positive number of milliseconds.\n${USAGE}`);
    return 2;
  }
  // a full collection per request otherwise (see gc-tuning.ts)
  tuneGcForArrowPayloads();
  const memory = new MemoryTopics();
  for (const spec of values['memory-topic'] ?? []) {
    const at = spec.indexOf('=');
    if (at <= 0) {
      console.error(`--memory-topic needs NAME=FILE.arrow (got "${spec}").`);
      return 2;
    }
    await memory.load(spec.slice(0, at), spec.slice(at + 1));
  }
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>(resolve => (stop = resolve));
  let lastActivityMs = Date.now();
  const log = (e: EngineEvent): void => {
    if (e.type !== 'request') {
      console.error(`[bridge] ${e.type} ${JSON.stringify(e.payload)}`);
    }
  };
  const engine = await BridgeEngine.create({
    connectionFile: values['connection-file'] ?? defaultConnectionFile(),
    transport: values.transport,
    port: values.port === undefined ? undefined : Number(values.port),
    services: values['no-sdk']
      ? memory.instead(await sdkServices())
      : memory.over(await sdkServices()),
    onShutdown: () => stop(),
    onEvent: e => {
      if (e.type === 'request' || e.type === 'rejected') {
        lastActivityMs = e.timestamp; // a message from a client
      }
      if (!values.quiet) {
        log(e);
      }
    }
  });
  const idle =
    idleExitMs === undefined
      ? undefined
      : watchIdle(
          engine,
          idleExitMs,
          () => lastActivityMs,
          () => {
            console.error(`[bridge] no client for ${idleExitMs} ms and no open stream: exiting`);
            stop();
          }
        );
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  console.log(
    `alertlab bridge engine pid ${process.pid} on ${engine.endpoint} (connection file ${engine.connectionFile})`
  );
  await stopped;
  idle?.stop();
  await engine.close();
  return 0;
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  (err: unknown) => {
    console.error(`alertlab bridge: ${(err as Error).message}`);
    process.exit(1);
  }
);
