/**
 * The `alertlab` command. Each subcommand lives in its own module exporting
 * `run(args: string[]): Promise<number>` (the exit code).
 */
import { resolve } from 'node:path';
import { AlertlabError, ConfigError } from '../errors.js';

type Runner = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<{ run: Runner }> }> = {
  demo: {
    summary: 'the whole system: Kafka, catalogs, controller, stage, simulator, JupyterLab',
    load: () => import('./demo.js')
  },
  kafka: {
    summary: 'start|stop|status a local Apache Kafka (KRaft)',
    load: () => import('./kafka.js')
  },
  buffer: { summary: 'create|list|describe buffer topics', load: () => import('./buffer.js') },
  attach: {
    summary: 'read a topic, or a public alert stream by its profile (--profile); resumes',
    load: () => import('./attach.js')
  },
  catalog: {
    summary: 'load|list|info catalogs in the DuckDB catalog store',
    load: () => import('./catalog.js')
  },
  serve: {
    summary: 'HTTP cone search and cross-match (JSON, IVOA SCS)',
    load: () => import('./serve.js')
  },
  controller: {
    summary: 'REST controller: deploy, scale, roll back stages; buffers; metrics',
    load: () => import('./controller.js')
  },
  objects: {
    summary: "reindex the object index behind lightcurves; print one object's lightcurve",
    load: () => import('./objects.js')
  },
  simulate: {
    summary: 'simulated Rubin alerts on real catalogs at visit cadence, to a topic',
    load: () => import('./simulate.js')
  },
  stage: {
    summary: 'run|check a pipeline stage (filter, aggregate, archive) from its manifest',
    load: () => import('./stage.js')
  },
  watchlist: {
    summary: 'add|replace|remove|list watchlists (name, ra, dec, radius) that stages match',
    load: async () => ({ run: (await import('./watch.js')).runWatchlist })
  },
  watchmap: {
    summary: 'add|remove|list watchmaps (IVOA MOC: file, cone, polygon, HEALPix cells)',
    load: async () => ({ run: (await import('./watch.js')).runWatchmap })
  }
};

function usage(): string {
  const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return [
    'Usage: alertlab <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command that talks to Kafka takes --security-file <json> (TLS/SASL settings; the same',
    'as ALERTLAB_KAFKA_SECURITY, which it sets for the command and the processes it starts).',
    '',
    'Run `alertlab <command> --help` for details.'
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`alertlab: unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  const mod = await entry.load();
  return mod.run(await takeSecurityFile(rest));
}

/** `--security-file <json>` (any command): checked, then ALERTLAB_KAFKA_SECURITY for all. */
async function takeSecurityFile(args: string[]): Promise<string[]> {
  const at = args.findIndex(a => a === '--security-file' || a.startsWith('--security-file='));
  if (at < 0) {
    return args;
  }
  const inline = args[at].includes('=') ? args[at].slice(args[at].indexOf('=') + 1) : undefined;
  const file = inline ?? args[at + 1];
  if (file === undefined || file === '') {
    throw new ConfigError(
      '--security-file wants the path of a JSON file of Kafka security settings.'
    );
  }
  const { loadSecurityFile } = await import('../buffer/security-sources.js');
  loadSecurityFile(file); // invalid settings stop here, with every issue listed
  process.env.ALERTLAB_KAFKA_SECURITY = resolve(file);
  return [...args.slice(0, at), ...args.slice(at + (inline === undefined ? 2 : 1))];
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  (err: unknown) => {
    if (err instanceof AlertlabError) {
      console.error(`alertlab: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exit(1);
  }
);
