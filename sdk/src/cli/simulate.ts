/**
 * `alertlab simulate`: Rubin lsst.v10_0 alerts at visit cadence on a Kafka topic, positioned on
 * real catalogs, seeded and reproducible. `--expected` prints the class counts the seed implies
 * (no Kafka, no catalogs).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import {
  DEFAULT_MIX,
  expectedCounts,
  RUBIN_CONFLUENT_SCHEMA_ID,
  runSimulation,
  type ClassMix,
  type RubinFraming,
  type VisitReport
} from '../simulate/index.js';

const USAGE = `Usage: alertlab simulate [options]

Produces simulated Rubin alerts (official lsst.v10_0 schema, schemaless Avro bodies) to a topic,
one visit every --visit-interval-s seconds: variable stars on Hipparcos/Tycho-2 stars, supernova-
like transients beside dso galaxies, asteroids (ssObjectId set) and bogus detections. Each record
carries its ground truth in the header alertlab-sim-class. Ctrl-C stops after the current visit.

Options:
  --visits <n>              visits to run (default: until Ctrl-C)
  --alerts-per-visit <n>    alerts per visit (default 10000)
  --visit-interval-s <s>    seconds between visit starts; 0 = as fast as possible (default 39)
  --seed <s>                seed: same seed and options, byte-identical alerts (default 1)
  --topic <name>            topic, created when missing (default alerts-rubin)
  --partitions <n>          partitions of a created topic (default 1)
  --bootstrap <servers>     "local" or host:port,... (default $ALERTLAB_BOOTSTRAP_SERVERS or local)
  --mix <k=v,...>           class fractions of each visit, bogus is the rest (default
                            variable=${DEFAULT_MIX.variable},transient=${DEFAULT_MIX.transient},moving=${DEFAULT_MIX.moving})
  --fields <n>              distinct fields the visits cycle through (default 4)
  --days-per-visit <d>      simulated days between visits (default 1)
  --mjd-start <mjd>         MJD of visit 0 (default 61000)
  --confluent               Confluent wire header (magic 0 + schema id) before each body
  --schema-id <id>          schema id in that header (default ${RUBIN_CONFLUENT_SCHEMA_ID}, lsst-alert-packet's id)
  --expected                print the expected class counts for --visits as JSON and exit
  --json                    one JSON line per visit
  -h, --help                this help`;

const toJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

function num(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new ConfigError(
      `--${name} must be ${integer ? 'an integer' : 'a number'}, got "${text}".`
    );
  }
  return n;
}

function parseMix(text: string | undefined): ClassMix | undefined {
  if (text === undefined) {
    return undefined;
  }
  const mix: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=');
    if (!['variable', 'transient', 'moving'].includes(k) || v === undefined) {
      throw new ConfigError(
        `--mix takes variable=<f>,transient=<f>,moving=<f> (bogus is the rest), got "${part}".`
      );
    }
    mix[k] = num(`mix ${k}`, v, false)!;
  }
  return mix;
}

function line(r: VisitReport): string {
  const c = r.counts;
  return [
    `visit ${r.visit}`,
    `field ${r.field} (${r.raDeg.toFixed(2)}, ${r.decDeg.toFixed(2)})`,
    `band ${r.band}`,
    `mjd ${r.mjd.toFixed(2)}`,
    `${r.alerts} alerts: ${c.variable} variable, ${c.transient} transient, ${c.moving} moving, ${c.bogus} bogus`,
    `${(r.bytes / 1e6).toFixed(1)} MB`,
    `plan ${r.planMs.toFixed(0)} ms, encode ${r.encodeMs.toFixed(0)} ms, produce ${r.produceMs.toFixed(0)} ms`
  ].join(' | ');
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      visits: { type: 'string' },
      'alerts-per-visit': { type: 'string' },
      'visit-interval-s': { type: 'string' },
      seed: { type: 'string' },
      topic: { type: 'string' },
      partitions: { type: 'string' },
      bootstrap: { type: 'string' },
      mix: { type: 'string' },
      fields: { type: 'string' },
      'days-per-visit': { type: 'string' },
      'mjd-start': { type: 'string' },
      confluent: { type: 'boolean' },
      'schema-id': { type: 'string' },
      expected: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    },
    allowPositionals: false,
    strict: true
  });
}

export async function run(args: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    console.error(`alertlab simulate: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seedText = values.seed ?? '1';
  const seed = /^\d+$/.test(seedText) ? Number(seedText) : seedText;
  const sim = {
    alertsPerVisit: num('alerts-per-visit', values['alerts-per-visit'], true),
    mix: parseMix(values.mix),
    fields: num('fields', values.fields, true),
    daysPerVisit: num('days-per-visit', values['days-per-visit'], false),
    mjdStart: num('mjd-start', values['mjd-start'], false)
  };
  const visits = num('visits', values.visits, true);
  if (values.expected) {
    if (visits === undefined) {
      throw new ConfigError('--expected needs --visits <n>.');
    }
    console.log(JSON.stringify(expectedCounts(seed, visits, sim), null, 2));
    return 0;
  }
  const framing: RubinFraming = values.confluent
    ? {
        confluentSchemaId: num('schema-id', values['schema-id'], true) ?? RUBIN_CONFLUENT_SCHEMA_ID
      }
    : 'body';
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const summary = await runSimulation({
      ...sim,
      seed,
      framing,
      visits,
      topic: values.topic,
      partitions: num('partitions', values.partitions, true),
      bootstrapServers: values.bootstrap,
      visitIntervalS: num('visit-interval-s', values['visit-interval-s'], false),
      signal: controller.signal,
      onVisit: r => console.log(values.json ? toJson(r) : line(r))
    });
    const { reports: _reports, ...rest } = summary;
    console.log(values.json ? toJson(rest) : `done: ${toJson(rest)}`);
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
