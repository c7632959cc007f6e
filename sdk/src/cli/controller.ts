/** `alertlab controller` — the REST controller (stages, buffers, cone search, metrics). */
import { parseArgs } from 'node:util';
import { startController } from '../control/controller-server.js';
import { stageK8sObjects, toYamlDocuments } from '../control/k8s.js';
import { controllerK8sObjects } from '../control/k8s-controller.js';
import { StageRegistry } from '../control/registry.js';
import { DEFAULT_PORT } from '../control/serve.js';
import { alertlabHome } from '../catalog/paths.js';
import { join } from 'node:path';

const USAGE = `Usage:
  alertlab controller [--port ${DEFAULT_PORT}] [--host 127.0.0.1] [--state-dir <dir>] [--token-file <file>]
                      [--bootstrap-servers host:port] [--store <catalogs.duckdb>] [--catalogs a,b] [--quiet]
  alertlab controller user add|list|revoke [<name>] [--admin]   (see alertlab controller user --help)
  alertlab controller k8s <stage-id> [--state-dir <dir>] [--image alertlab:<version>] [--namespace default]
                      [--bootstrap-servers kafka-bootstrap:9092] [--kafka-secret alertlab-kafka]
                      [--catalog-claim alertlab-catalogs]
  alertlab controller k8s --controller [same options]   (the controller's own Deployment/Service/PDB)

Serves the controller REST API (OpenAPI at GET /openapi.json). Every route but /health needs
"Authorization: Bearer <token>"; the token is created (mode 0600) at first start in
$ALERTLAB_HOME/controller.token. Stages live in --state-dir (default $ALERTLAB_HOME/controller) and
come back when the controller restarts. Logs are JSON lines on stderr.`;

async function k8s(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'state-dir': { type: 'string' },
      image: { type: 'string' },
      namespace: { type: 'string' },
      'bootstrap-servers': { type: 'string' },
      'kafka-secret': { type: 'string' },
      'catalog-claim': { type: 'string' },
      controller: { type: 'boolean', default: false }
    }
  });
  const options = {
    image: values.image,
    namespace: values.namespace,
    bootstrapServers: values['bootstrap-servers'],
    kafkaSecret: values['kafka-secret'],
    catalogClaim: values['catalog-claim']
  };
  if (values.controller) {
    process.stdout.write(toYamlDocuments(controllerK8sObjects(options)));
    return 0;
  }
  const id = positionals[0];
  if (!id) {
    console.error(USAGE);
    return 2;
  }
  const registry = await StageRegistry.open(
    values['state-dir'] ?? join(alertlabHome(), 'controller')
  );
  const rec = registry.get(id);
  const objects = await stageK8sObjects(rec, registry.version(id, rec.currentVersion), options);
  process.stdout.write(toYamlDocuments(objects));
  return 0;
}

/** Longest wait for a clean stop after SIGTERM/SIGINT (the process exits after it regardless). */
export const SHUTDOWN_MS = 8000;

export async function run(args: string[]): Promise<number> {
  if (args[0] === 'k8s') {
    return k8s(args.slice(1));
  }
  if (args[0] === 'user') {
    return (await import('./users.js')).run(args.slice(1));
  }
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      'state-dir': { type: 'string' },
      'token-file': { type: 'string' },
      'bootstrap-servers': { type: 'string' },
      store: { type: 'string' },
      catalogs: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (entry: Record<string, unknown>): void => {
    if (!values.quiet) {
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
    }
  };
  const ctl = await startController({
    host: values.host,
    port: Number(values.port),
    stateDir: values['state-dir'],
    tokenFile: values['token-file'],
    bootstrapServers: values['bootstrap-servers'],
    storePath: values.store,
    catalogs: values.catalogs ? values.catalogs.split(',').filter(Boolean) : undefined,
    onLog: e => log({ event: 'request', ...e }),
    // stage workers get 6 s to finish their transaction: the whole stop fits in SHUTDOWN_MS
    supervisor: { onEvent: (event, fields) => log({ event, ...fields }), stopGraceMs: 6000 }
  });
  console.log(
    `alertlab controller: listening on ${ctl.url} (token in ${ctl.tokenFile}, state in ${ctl.stateDir})`
  );
  await new Promise<void>(resolve => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  // Whatever runs (a gate's query, a worker that ignores SIGTERM), the controller is gone within
  // SHUTDOWN_MS; a second signal exits at once.
  const exitNow = (): never => process.exit(1);
  process.once('SIGINT', exitNow);
  process.once('SIGTERM', exitNow);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>(resolve => {
    timer = setTimeout(() => resolve('late'), SHUTDOWN_MS);
  });
  const how = await Promise.race([ctl.close().then(() => 'closed' as const), deadline]);
  clearTimeout(timer);
  if (how === 'late') {
    process.stderr.write(
      `alertlab controller: shutdown took longer than ${SHUTDOWN_MS} ms; exiting without waiting.\n`
    );
    return 1;
  }
  return 0;
}
