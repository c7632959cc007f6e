/**
 * `alertlab buffer create|list|describe`: the topics of buffer sets (alertlab.buffers.json), their
 * partitions, end offsets, and the consumer groups reading them with their lag per partition.
 */
import { parseArgs } from 'node:util';
import {
  bufferSetOfTopic,
  connectionOf,
  findBuffersConfig,
  loadBuffersConfig,
  selectBufferSet,
  type BufferSetConfig,
  type BuffersConfig
} from '../buffer/config.js';
import { withBuffer, type BufferOptions } from '../buffer/client.js';
import { createBufferSetTopics, summarizeTopics, type TopicReport } from '../buffer/topics.js';
import { ConfigError } from '../errors.js';

const USAGE = `Usage: alertlab buffer <create|list|describe> [options]

  create [--set <name>]        create the topics of a buffer set (all sets without --set);
                               existing topics are reported, not an error
  list [--set <name>] [--all]  topics of the buffer sets: partitions, replication, records
                               (--all: also topics on the cluster that no set lists)
  describe <topic>             partitions (leader, replicas, ISR, offsets) and consumer groups
                               with their lag per partition

Options:
  --config <file>       buffer sets file (default: nearest alertlab.buffers.json)
  --bootstrap <servers> brokers for describe ("local" or host:port,...), instead of the config
  --json                machine-readable output
  -h, --help            this help`;

const toJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** Left-aligned text table with a header row. */
export function formatTable(
  headers: string[],
  rows: Array<Array<string | number | bigint>>
): string {
  const cells = [headers, ...rows.map(r => r.map(String))];
  const widths = headers.map((_h, i) => Math.max(...cells.map(r => (r[i] ?? '').length)));
  return cells
    .map(r =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

interface Options {
  config?: string;
  set?: string;
  bootstrap?: string;
  json: boolean;
  all: boolean;
}

async function sets(opts: Options): Promise<{ config: BuffersConfig; chosen: BufferSetConfig[] }> {
  const { config } = await loadBuffersConfig(opts.config);
  const chosen = opts.set === undefined ? config.bufferSets : [selectBufferSet(config, opts.set)];
  return { config, chosen };
}

async function create(opts: Options): Promise<number> {
  const { chosen } = await sets(opts);
  const results = [];
  for (const set of chosen) {
    const r = await withBuffer(
      async c => createBufferSetTopics(await c.admin(), set),
      connectionOf(set)
    );
    results.push({ set: set.name, ...r });
  }
  if (opts.json) {
    console.log(toJson(results));
    return 0;
  }
  const rows = results.flatMap(r => [
    ...r.created.map(t => [r.set, t, 'created']),
    ...r.existing.map(t => [r.set, t, 'exists'])
  ]);
  console.log(formatTable(['SET', 'TOPIC', 'STATUS'], rows));
  return 0;
}

interface ListRow {
  set: string;
  topic: string;
  status: string;
  partitions?: number;
  replicationFactor?: number;
  records?: bigint;
}

async function list(opts: Options): Promise<number> {
  const { chosen } = await sets(opts);
  const out: ListRow[] = [];
  for (const set of chosen) {
    const rows = await withBuffer(async (c): Promise<ListRow[]> => {
      const admin = await c.admin();
      const onCluster = new Set(await admin.listTopics());
      const present = set.topics.filter(t => onCluster.has(t));
      const extra = opts.all ? [...onCluster].filter(t => !set.topics.includes(t)) : [];
      const summaries = await summarizeTopics(admin, [...present, ...extra]);
      return [
        ...summaries.map(s => ({
          set: set.topics.includes(s.topic) ? set.name : '-',
          status: set.topics.includes(s.topic) ? 'ok' : 'unlisted',
          ...s
        })),
        ...set.topics
          .filter(t => !onCluster.has(t))
          .map(topic => ({ set: set.name, status: 'missing', topic }))
      ];
    }, connectionOf(set));
    out.push(...rows);
  }
  if (opts.json) {
    console.log(toJson(out));
    return 0;
  }
  const rows = out.map(r =>
    r.status === 'missing'
      ? [r.set, r.topic, '-', '-', '-', 'missing (run alertlab buffer create)']
      : [
          r.set,
          r.topic,
          r.partitions ?? '-',
          r.replicationFactor ?? '-',
          r.records ?? '-',
          r.status
        ]
  );
  console.log(formatTable(['SET', 'TOPIC', 'PARTITIONS', 'RF', 'RECORDS', 'STATUS'], rows));
  return 0;
}

function printReport(report: TopicReport): void {
  console.log(
    `Topic ${report.topic}: ${report.partitions.length} partitions, ${report.records} records`
  );
  console.log(
    formatTable(
      ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOW', 'END'],
      report.partitions.map(p => [
        p.partition,
        p.leader,
        p.replicas.join(','),
        p.isr.join(','),
        p.low,
        p.high
      ])
    )
  );
  if (report.groups.length === 0) {
    console.log('\nNo consumer groups.');
    return;
  }
  for (const g of report.groups) {
    console.log(`\nGroup ${g.groupId}: ${g.state}, ${g.members} members, total lag ${g.totalLag}`);
    const owner = new Map<number, string>();
    for (const [member, parts] of Object.entries(g.assignment)) {
      parts.forEach(p => owner.set(p, member));
    }
    console.log(
      formatTable(
        ['PARTITION', 'COMMITTED', 'END', 'LAG', 'MEMBER'],
        g.partitions.map(p => [
          p.partition,
          p.committedOffset ?? '-',
          p.endOffset,
          p.lag,
          owner.get(p.partition) ?? '-'
        ])
      )
    );
  }
}

async function describe(topic: string | undefined, opts: Options): Promise<number> {
  if (topic === undefined) {
    throw new ConfigError('Which topic? Usage: alertlab buffer describe <topic>');
  }
  let connection: BufferOptions = { bootstrapServers: opts.bootstrap };
  if (
    opts.bootstrap === undefined &&
    (opts.config !== undefined || findBuffersConfig() !== undefined)
  ) {
    const { config } = await loadBuffersConfig(opts.config);
    const set =
      opts.set !== undefined ? selectBufferSet(config, opts.set) : bufferSetOfTopic(config, topic);
    connection = set ? connectionOf(set) : connection;
  }
  const report = await withBuffer(c => c.describeTopic(topic), connection);
  if (opts.json) {
    console.log(toJson(report));
  } else {
    printReport(report);
  }
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      set: { type: 'string' },
      bootstrap: { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  const [verb, ...rest] = positionals;
  if (values.help || verb === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const opts: Options = { ...values, json: values.json ?? false, all: values.all ?? false };
  switch (verb) {
    case 'create':
      return create(opts);
    case 'list':
      return list(opts);
    case 'describe':
      return describe(rest[0], opts);
    default:
      console.error(`alertlab buffer: unknown subcommand "${verb}".\n\n${USAGE}`);
      return 2;
  }
}
