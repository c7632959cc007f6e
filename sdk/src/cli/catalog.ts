/**
 * `alertlab catalog load|list|info|drop` — the DuckDB catalog store from the command line.
 */
import { parseArgs } from 'node:util';
import {
  BUILTIN_CATALOGS,
  CatalogStore,
  defaultCatalogPath,
  isBuiltinCatalog,
  loadBuiltinCatalog,
  type CatalogInfo,
  type LoadOptions,
  type LoadProgress
} from '../catalog/index.js';
import { ConfigError } from '../errors.js';

const USAGE = `Usage:
  alertlab catalog load <name> [<source>] [--columns a,b] [--zone-height-deg h]
                        [--ra-column ra] [--dec-column dec] [--id-column id]
  alertlab catalog list [--json]
  alertlab catalog info <name> [--json]
  alertlab catalog drop <name>

<source> is a .csv / .csv.gz / .parquet file. Without a source, <name> must be a built-in:
${Object.entries(BUILTIN_CATALOGS)
  .map(([n, b]) => `  ${n.padEnd(10)} ${b.description}`)
  .join('\n')}

Options: --store <file> (default ${defaultCatalogPath()}; $ALERTLAB_HOME moves it)`;

/** A progress bar on stderr (redrawn in place on a terminal, a line per phase otherwise). */
function progressBar(): (p: LoadProgress) => void {
  const tty = process.stderr.isTTY === true;
  let lastPhase = '';
  let lastDraw = 0;
  return p => {
    const now = Date.now();
    if (p.phase === lastPhase && p.phase !== 'done' && now - lastDraw < 100) {
      return;
    }
    lastDraw = now;
    const frac = p.totalRows > 0 ? Math.min(1, p.doneRows / p.totalRows) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const line = `${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${p.phase.padEnd(6)} ${p.doneRows.toLocaleString()}/${p.totalRows.toLocaleString()} rows`;
    if (tty) {
      process.stderr.write(`\r${line.padEnd(78)}${p.phase === 'done' ? '\n' : ''}`);
    } else if (p.phase !== lastPhase) {
      process.stderr.write(`${line}\n`);
    }
    lastPhase = p.phase;
  };
}

function printInfo(info: CatalogInfo): void {
  console.log(`${info.name}`);
  console.log(
    `  rows:         ${info.rows.toLocaleString()}${info.droppedRows ? ` (${info.droppedRows} dropped: no position)` : ''}`
  );
  console.log(
    `  zone height:  ${info.zoneHeightDeg}° (${(info.zoneHeightDeg * 3600).toFixed(1)}″)`
  );
  console.log(`  id:           ${info.idKind}`);
  console.log(
    `  columns:      ${info.columns.map(c => `${c.name}:${c.kind}`).join(', ') || '(none)'}`
  );
  console.log(`  source:       ${info.source}`);
  console.log(`  loaded:       ${info.loadedAt.toISOString()}`);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      columns: { type: 'string' },
      'zone-height-deg': { type: 'string' },
      'ra-column': { type: 'string' },
      'dec-column': { type: 'string' },
      'id-column': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  });
  const [verb, name, source] = positionals;
  if (values.help || !verb) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const store = await CatalogStore.open(values.store ?? defaultCatalogPath());
  try {
    switch (verb) {
      case 'list': {
        const all = await store.list();
        if (values.json) {
          console.log(JSON.stringify(all, null, 2));
        } else if (all.length === 0) {
          console.log('No catalogs loaded. Load one with: alertlab catalog load tycho2');
        } else {
          for (const c of all) {
            console.log(
              `${c.name.padEnd(12)} ${c.rows.toLocaleString().padStart(10)} rows  h=${(c.zoneHeightDeg * 3600).toFixed(0)}″  ${c.source}`
            );
          }
        }
        return 0;
      }
      case 'info': {
        if (!name) {
          throw new ConfigError('catalog info needs a name: alertlab catalog info <name>');
        }
        const info = await store.info(name);
        if (values.json) {
          console.log(JSON.stringify(info, null, 2));
        } else {
          printInfo(info);
        }
        return 0;
      }
      case 'drop': {
        if (!name) {
          throw new ConfigError('catalog drop needs a name: alertlab catalog drop <name>');
        }
        await store.info(name);
        await store.drop(name);
        console.log(`Dropped ${name}.`);
        return 0;
      }
      case 'load': {
        if (!name) {
          throw new ConfigError(`catalog load needs a name.\n\n${USAGE}`);
        }
        const h = values['zone-height-deg'];
        const options: LoadOptions = {
          zoneHeightDeg: h === undefined ? undefined : Number(h),
          columns: values.columns
            ?.split(',')
            .map(s => s.trim())
            .filter(Boolean),
          raColumn: values['ra-column'],
          decColumn: values['dec-column'],
          idColumn: values['id-column'],
          onProgress: progressBar()
        };
        const t0 = Date.now();
        let info: CatalogInfo;
        if (source) {
          info = await store.load(name, source, options);
        } else if (isBuiltinCatalog(name)) {
          info = await loadBuiltinCatalog(store, name, options);
        } else {
          throw new ConfigError(
            `"${name}" is not a built-in catalog; give a source file: alertlab catalog load ${name} <file.csv|file.parquet>. Built-ins: ${Object.keys(BUILTIN_CATALOGS).join(', ')}.`
          );
        }
        console.log(
          `Loaded ${info.name}: ${info.rows.toLocaleString()} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s into ${store.path}`
        );
        return 0;
      }
      default:
        console.error(`alertlab catalog: unknown verb "${verb}".\n\n${USAGE}`);
        return 2;
    }
  } finally {
    store.close();
  }
}
