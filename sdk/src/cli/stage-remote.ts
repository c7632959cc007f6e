/**
 * `alertlab stage promote|list|status|scale|stop|start|rollback|delete|k8s` — the controller's REST
 * API from the command line (`alertlab stage run` lives in stage.ts, which delegates here).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ControllerClient } from '../control/client.js';
import { promotionManifest, sourceOfNotebookCell } from '../control/promote.js';

const USAGE = `Usage (talks to a running \`alertlab controller\`):
  alertlab stage promote <file.sql|file.ts|file.py|notebook.ipynb> --input <topic> [--cell N]
        [--id <stage>] [--kind yesno|leftright|switch] [--outputs a,b] [--entry <python function>]
        [--manifest <base.json>] [--replicas N] [--author <name>] [--sample N]
  alertlab stage list
  alertlab stage status <id>
  alertlab stage scale <id> <replicas>
  alertlab stage stop|start|delete <id>
  alertlab stage rollback <id> [<version>]
  alertlab stage k8s <id> [--yaml]

Common: --url (default $ALERTLAB_CONTROLLER_URL or http://127.0.0.1:8750), --token-file, --json.
A .ts file must default-export defineFilter({...}); a .py file names its @alertlab.filter function
with --entry; an .sql file (or a notebook cell starting with %%sql) is the filter's WHERE-style SQL.`;

function table(rows: Record<string, unknown>[], cols: string[]): string {
  const cell = (v: unknown): string =>
    v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const widths = cols.map(c => Math.max(c.length, ...rows.map(r => cell(r[c]).length)));
  const fmt = (vals: string[]): string => vals.map((v, i) => v.padEnd(widths[i])).join('  ');
  return [fmt(cols), ...rows.map(r => fmt(cols.map(c => cell(r[c]))))].join('\n');
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'token-file': { type: 'string' },
      json: { type: 'boolean', default: false },
      yaml: { type: 'boolean', default: false },
      input: { type: 'string' },
      cell: { type: 'string' },
      id: { type: 'string' },
      kind: { type: 'string' },
      outputs: { type: 'string' },
      entry: { type: 'string' },
      manifest: { type: 'string' },
      replicas: { type: 'string' },
      author: { type: 'string' },
      sample: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  const [verb, arg1, arg2] = positionals;
  if (values.help || !verb) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const client = new ControllerClient({ url: values.url, tokenFile: values['token-file'] });
  const print = (v: unknown, text?: string): void =>
    console.log(values.json || text === undefined ? JSON.stringify(v, null, 2) : text);
  const need = (v: string | undefined, what: string): string => {
    if (!v) {
      throw new Error(`alertlab stage ${verb}: ${what} is required.\n\n${USAGE}`);
    }
    return v;
  };
  switch (verb) {
    case 'promote': {
      const file = resolve(need(arg1, '<file>'));
      const text = await readFile(file, 'utf8');
      const notebook = extname(file) === '.ipynb';
      const cell = notebook
        ? Number(need(values.cell, '--cell N (0-based) for a notebook'))
        : undefined;
      const { source, language } =
        cell !== undefined
          ? sourceOfNotebookCell(text, cell)
          : { source: text, language: undefined };
      const base = values.manifest
        ? (JSON.parse(await readFile(values.manifest, 'utf8')) as Record<string, unknown>)
        : {};
      const manifest = promotionManifest(base, {
        file,
        source,
        language,
        input: values.input,
        id: values.id ?? basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '-'),
        kind: values.kind,
        outputs: values.outputs?.split(','),
        entry: values.entry
      });
      const body = {
        manifest,
        replicas: values.replicas ? Number(values.replicas) : undefined,
        author: values.author ?? userInfo().username,
        lineage: notebook ? { notebook: file, cell } : { path: file },
        gate: values.sample ? { sampleAlerts: Number(values.sample) } : undefined
      };
      const r = await client.request<Record<string, unknown>>('POST', '/stages', body);
      const ev = r.evidence as {
        sampledAlerts: number;
        result: { outputs: { name: string; count: number }[] };
      };
      print(
        r,
        `Promoted ${String(r.id)} v${String(r.version)} (source sha256 ${String(r.sourceHash).slice(0, 12)}, local ${createHash('sha256').update(source).digest('hex').slice(0, 12)})\n` +
          `  backtest on ${ev.sampledAlerts} buffered alerts: ${ev.result.outputs.map(o => `${o.name}=${o.count}`).join(', ')}\n` +
          `  outputs: ${JSON.stringify(r.outputTopics)}`
      );
      return 0;
    }
    case 'list': {
      const r = await client.request<{ stages: Record<string, unknown>[] }>('GET', '/stages');
      print(
        r,
        r.stages.length === 0
          ? 'No stages.'
          : table(r.stages, [
              'id',
              'status',
              'version',
              'replicas',
              'liveWorkers',
              'recordsIn',
              'errors'
            ])
      );
      return 0;
    }
    case 'status':
      print(await client.request('GET', `/stages/${encodeURIComponent(need(arg1, '<id>'))}`));
      return 0;
    case 'scale':
      print(
        await client.request('POST', `/stages/${encodeURIComponent(need(arg1, '<id>'))}/scale`, {
          replicas: Number(need(arg2, '<replicas>'))
        })
      );
      return 0;
    case 'stop':
    case 'start':
      print(
        await client.request(
          'POST',
          `/stages/${encodeURIComponent(need(arg1, '<id>'))}/${verb}`,
          {}
        )
      );
      return 0;
    case 'delete':
      print(await client.request('DELETE', `/stages/${encodeURIComponent(need(arg1, '<id>'))}`));
      return 0;
    case 'rollback':
      print(
        await client.request(
          'POST',
          `/stages/${encodeURIComponent(need(arg1, '<id>'))}/rollback`,
          arg2 === undefined ? {} : { version: Number(arg2) }
        )
      );
      return 0;
    case 'k8s': {
      const r = await client.request<unknown>(
        'GET',
        `/stages/${encodeURIComponent(need(arg1, '<id>'))}/k8s${values.yaml ? '?format=yaml' : ''}`
      );
      console.log(typeof r === 'string' ? r : JSON.stringify(r, null, 2));
      return 0;
    }
    default:
      console.error(`alertlab stage: unknown subcommand "${verb}".\n\n${USAGE}`);
      return 2;
  }
}
