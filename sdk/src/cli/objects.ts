/**
 * `alertlab objects reindex|lightcurve` — the object index behind lightcurve lookups
 * (sdk/src/objects): rebuild it, or look one object up from the command line.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { defaultObjectIndexPath, lightcurve, reindexObjects } from '../objects/index.js';

const USAGE = `Usage:
  alertlab objects reindex [--topic <name>]... [--archive <dir>]... [--index <file>]
  alertlab objects lightcurve <objectId> [--topic <name>] [--since <mjd>] [--index <file>]

reindex     rebuilds the object index (objectId -> topic, partition, offset; archive files) from
            every topic of the buffer (or the --topic ones) and the archive roots, into a new
            file swapped in atomically: a running bridge engine picks it up on its next lookup.
lightcurve  prints one object's merged lightcurve as CSV (mjd in days).

Options:
  --index <file>         the index (default ${defaultObjectIndexPath()}; $ALERTLAB_OBJECT_INDEX)
  --archive <dir>        archive roots (default $ALERTLAB_ARCHIVE_DIRS, else $ALERTLAB_HOME/archive
                         and the controller's archive stages)
  --bootstrap <servers>  "local" or host:port,... (default $ALERTLAB_BOOTSTRAP_SERVERS or local)
  --json                 machine-readable output
  -h, --help             this help`;

const csvCell = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'string' ? JSON.stringify(v) : String(v);

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      topic: { type: 'string', multiple: true },
      archive: { type: 'string', multiple: true },
      index: { type: 'string' },
      since: { type: 'string' },
      bootstrap: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  const [verb, objectId] = positionals;
  if (values.help || !verb) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const common = {
    indexPath: values.index,
    archiveDirs: values.archive,
    bootstrapServers: values.bootstrap
  };
  if (verb === 'reindex') {
    const report = await reindexObjects({
      ...common,
      topics: values.topic,
      onTopic: t => {
        if (!values.json && t.records > 0) {
          console.error(`  ${t.topic}: ${t.records} records, ${t.alerts} alerts`);
        }
      }
    });
    if (values.json) {
      console.log(JSON.stringify(report));
    } else {
      console.log(
        `Indexed ${report.alerts} alerts of ${report.objects} objects in ${report.topics.length} topics and ${report.archiveFiles} archive files into ${report.path} (${(report.elapsedMs / 1000).toFixed(1)} s).`
      );
    }
    return 0;
  }
  if (verb === 'lightcurve') {
    if (!objectId) {
      throw new ConfigError(`objects lightcurve needs an object id.\n\n${USAGE}`);
    }
    const since = values.since === undefined ? undefined : Number(values.since);
    if (values.topic !== undefined && values.topic.length > 1) {
      throw new ConfigError('objects lightcurve takes at most one --topic.');
    }
    const r = await lightcurve(objectId, { ...common, topic: values.topic?.[0], sinceMjd: since });
    const fields = r.table.schema.fields.map(f => f.name);
    let text: string;
    if (values.json) {
      const rows = r.table.toArray().map(row => row.toJSON() as Record<string, unknown>);
      text = JSON.stringify({ objectId, found: r.found, points: rows }, (_k, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : v
      );
    } else {
      console.error(r.message ?? `${objectId}: ${r.table.numRows} points from ${r.found} alerts`);
      const lines = [fields.join(',')];
      for (let i = 0; i < r.table.numRows; i++) {
        lines.push(fields.map(f => csvCell(r.table.getChild(f)?.get(i))).join(','));
      }
      text = lines.join('\n');
    }
    // the CLI exits right after: wait until the whole text is handed to the OS (a pipe would be cut)
    await new Promise<void>(done => process.stdout.write(text + '\n', () => done()));
    return 0;
  }
  throw new ConfigError(`Unknown objects command "${verb}".\n\n${USAGE}`);
}
