/**
 * `alertlab attach <topic>`: reads a topic — of the local buffer, or of a public alert stream
 * through its profile (`--profile lasair-lsst`) — and prints each decoded batch, or each alert as a
 * JSON line. Reads through a consumer group that is the same for one user, stream and topic, so
 * attaching again resumes where the last read stopped; `--reset-to` rewinds explicitly.
 */
import { parseArgs } from 'node:util';
import { createDecoder } from '../alerts/index.js';
import type { AlertFormat } from '../alerts/types.js';
import type { AlertBatch, AttachFrom } from '../buffer/attach.js';
import { BufferClient } from '../buffer/client.js';
import { describeSecurity } from '../buffer/security-sources.js';
import { ConfigError } from '../errors.js';
import {
  parseResetTo,
  profileClient,
  profileDecoder,
  profileGroupId,
  resumeGroupId
} from '../profiles/connect.js';
import { listProfiles, loadProfile } from '../profiles/profile.js';

const USAGE = `Usage: alertlab attach <topic> [options]
       alertlab attach --profiles

  Reads <topic> and prints one line per decoded batch (--json: one JSON line per alert).

Options:
  --profile <name|file>  a stream profile: its brokers, security settings and alert format
  --bootstrap <servers>  brokers ("local" or host:port,...) when no profile is given
  --format <format>      rubin | ztf | confluent | json | auto (default: the profile's, else auto)
  --group <id>           consumer group (default: the same one for you, this stream and topic,
                         so attaching again resumes)
  --no-resume            read without a group (nothing committed; starts at --reset-to)
  --reset-to <where>     earliest | latest | an ISO 8601 time | epoch ms: rewind explicitly
  --max <n>              stop after n alerts
  --idle <seconds>       stop when no batch came for this long (default 10)
  --json                 one JSON line per alert (canonical columns)
  --profiles             list the stream profiles found, with their documentation
  -h, --help             this help`;

const CANONICAL = ['alertId', 'objectId', 'ra', 'dec', 'mjd', 'band', 'mag', 'kafkaOffset'];
const toJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

function printProfiles(): number {
  for (const p of listProfiles()) {
    console.log(`${p.name}  ${p.title ?? ''}`.trimEnd());
    console.log(`    brokers ${p.brokers.join(',')}  format ${p.format.kind}`);
    console.log(`    security ${describeSecurity(p.security)}`);
    console.log(`    topics ${p.topics ?? '(see the documentation)'}`);
    console.log(`    documented at ${p.documentation}`);
  }
  return 0;
}

/**
 * The batches of `source` until none came for `idleMs` after the reader got its partitions
 * (`assigned`), which a reader that never gets any within `joinMs` reports as an error.
 */
async function* untilIdle(
  source: AsyncGenerator<AlertBatch>,
  assigned: Promise<void>,
  idleMs: number,
  joinMs = 60_000
): AsyncGenerator<AlertBatch> {
  let joinTimer: NodeJS.Timeout | undefined;
  const joined = Promise.race([
    assigned,
    new Promise<never>((_r, reject) => {
      joinTimer = setTimeout(
        () => reject(new ConfigError(`No partitions were assigned within ${joinMs / 1000} s.`)),
        joinMs
      );
    })
  ]).finally(() => clearTimeout(joinTimer));
  joined.catch(() => undefined);
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = joined.then(
      () => new Promise<'idle'>(r => (timer = setTimeout(() => r('idle'), idleMs)))
    );
    const next = await Promise.race([source.next(), idle]).finally(() => clearTimeout(timer));
    if (next === 'idle' || next.done) {
      return;
    }
    yield next.value;
  }
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      profile: { type: 'string' },
      bootstrap: { type: 'string' },
      format: { type: 'string' },
      group: { type: 'string' },
      'no-resume': { type: 'boolean', default: false },
      'reset-to': { type: 'string' },
      max: { type: 'string' },
      idle: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      profiles: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.profiles) {
    return printProfiles();
  }
  const topic = positionals[0];
  if (!topic) {
    console.error(USAGE);
    return 2;
  }
  if (values.profile && values.bootstrap) {
    throw new ConfigError(
      'Give --profile or --bootstrap, not both (the profile names the brokers).'
    );
  }
  const profile = values.profile ? loadProfile(values.profile) : undefined;
  const max = values.max === undefined ? Infinity : Number(values.max);
  const idleMs = Number(values.idle) * 1000;
  if (!(max > 0) || !(idleMs > 0)) {
    throw new ConfigError('--max and --idle must be positive numbers.');
  }
  const client = profile
    ? await profileClient(profile)
    : await BufferClient.create({ bootstrapServers: values.bootstrap });
  const decoder =
    values.format !== undefined
      ? createDecoder(values.format as AlertFormat)
      : profile
        ? profileDecoder(profile)
        : undefined;
  const stream = profile?.name ?? client.bootstrapServers.join(',');
  const chosen = values['no-resume']
    ? undefined
    : (values.group ?? resumeGroupId({ stream: `${stream}/${topic}`, reader: 'cli' }));
  const group = chosen && profile ? profileGroupId(profile, chosen) : chosen;
  const from: AttachFrom = values['reset-to'] ? parseResetTo(values['reset-to']) : 'earliest';
  const abort = new AbortController();
  let alerts = 0;
  let rejects = 0;
  let onAssigned: () => void = () => undefined;
  const assigned = new Promise<void>(r => (onAssigned = r));
  const source = client.attach(topic, {
    group,
    from,
    decoder,
    signal: abort.signal,
    onAssignment: () => onAssigned()
  });
  try {
    for await (const b of untilIdle(source, assigned, idleMs)) {
      const rows = Math.min(b.batch.numRows, max - alerts);
      alerts += rows;
      rejects += b.rejects.length;
      if (values.json) {
        const cols = CANONICAL.map(c => [c, b.batch.getChild(c)] as const);
        for (let i = 0; i < rows; i++) {
          console.log(toJson(Object.fromEntries(cols.map(([c, v]) => [c, v?.get(i) ?? null]))));
        }
      } else {
        console.log(
          `partition ${b.partition} offsets ${b.firstOffset}..${b.lastOffset}: ${rows} alerts, ${b.rejects.length} rejected${b.rejects[0] ? ` (${b.rejects[0].reason})` : ''}`
        );
      }
      await b.commit();
      if (alerts >= max) {
        break;
      }
    }
  } finally {
    // stop the pending read, then let attach leave the group and close its consumer (a member
    // that just vanishes would delay the next join to the same group)
    abort.abort();
    await source.return(undefined).catch(() => undefined);
    await client.close();
  }
  console.error(
    `read ${alerts} alerts, ${rejects} rejected, from ${topic} on ${stream}${group ? ` (group ${group})` : ''}`
  );
  return 0;
}
