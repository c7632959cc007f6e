/**
 * Partition hand-over time in a consumer group, per Kafka client and group protocol, in one run:
 * kafkajs (classic), confluent (classic: eager round robin), confluent with KIP-848's
 * `consumer` protocol (the broker assigns, incrementally) and platformatic (classic). A producer writes small records to a
 * 6-partition topic throughout; member A consumes alone, then member B joins, then B leaves
 * (close: it says goodbye). Measured per event, from the join (B's subscribe) or the leave (B's
 * close) until every partition is owned again by the members that stay AND each of them has
 * received a record written after the event on a partition it newly owns. Rounds alternate the
 * cases; medians first. Writes bench/results/handover.json.
 *
 * Run: `node --import tsx bench/handover.ts [--rounds 3]`. Needs a local Kafka.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveBootstrapServers } from '../sdk/src/buffer/bootstrap.js';
import { createLogger } from '../sdk/src/buffer/log.js';
import type { ConsumerClient, KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { createTransport, type KafkaClientName } from '../sdk/src/buffer/transport.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(args.rounds);
const PARTITIONS = 6;
const TIMEOUT_MS = 120_000;
const logger = createLogger({ level: 'error' });
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const CASES: Array<{ client: KafkaClientName; protocol: 'classic' | 'consumer' }> = [
  { client: 'kafkajs', protocol: 'classic' },
  { client: 'confluent', protocol: 'classic' },
  { client: 'confluent', protocol: 'consumer' },
  { client: 'platformatic', protocol: 'classic' }
];

interface Member {
  consumer: ConsumerClient;
  owned: number[];
  /** Per partition: when this member last received a record written at or after `since`. */
  fresh: Map<number, number>;
}

async function joinGroup(
  transport: KafkaTransport,
  topic: string,
  groupId: string,
  protocol: 'classic' | 'consumer',
  since: () => number
): Promise<Member> {
  const consumer = await transport.consumer({
    groupId,
    groupProtocol: protocol,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    rebalanceTimeoutMs: 20_000,
    maxWaitTimeMs: 100
  });
  const m: Member = { consumer, owned: [], fresh: new Map() };
  consumer.onAssignment(a => (m.owned = a[topic] ?? []));
  await consumer.subscribe([topic], { fromBeginning: false });
  await consumer.run(async batch => {
    for (const r of batch.records) {
      if (r.timestampMs >= since()) {
        m.fresh.set(batch.partition, Date.now());
      }
    }
    const last = batch.records.at(-1);
    if (last !== undefined) {
      batch.resolveOffset(last.offset);
    }
  });
  return m;
}

/** Waits until `members` own every partition between them and each got a fresh record on `newly`. */
async function settled(members: Member[], newly: (m: Member) => number[], t0: number) {
  for (;;) {
    const all = members.flatMap(m => m.owned).sort((a, b) => a - b);
    const complete =
      all.length === PARTITIONS &&
      new Set(all).size === PARTITIONS &&
      members.every(m => m.owned.length > 0);
    if (complete && members.every(m => newly(m).every(p => (m.fresh.get(p) ?? 0) >= t0))) {
      return Date.now() - t0;
    }
    if (Date.now() - t0 > TIMEOUT_MS) {
      throw new Error(
        `no hand-over within ${TIMEOUT_MS} ms: ${JSON.stringify(members.map(m => m.owned))}`
      );
    }
    await sleep(10);
  }
}

async function once(servers: string[], c: (typeof CASES)[number]) {
  const transport = createTransport({ bootstrapServers: servers, logger, client: c.client });
  const admin = await transport.admin();
  const topic = `bench-handover-${randomBytes(4).toString('hex')}`;
  const groupId = `${topic}-g`;
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const producer = await transport.producer();
  let stop = false;
  let since = Number.MAX_SAFE_INTEGER;
  const writing = (async () => {
    for (let i = 0; !stop; i++) {
      const records = Array.from({ length: PARTITIONS }, (_, p) => ({
        topic,
        partition: p,
        value: Buffer.from(String(i))
      }));
      await producer.send(records);
      await sleep(20);
    }
  })();
  try {
    const a = await joinGroup(transport, topic, groupId, c.protocol, () => since);
    since = Date.now();
    await settled([a], m => m.owned, since);
    const beforeJoin = [...a.owned];
    since = Date.now();
    const b = await joinGroup(transport, topic, groupId, c.protocol, () => since);
    const joinMs = await settled([a, b], m => (m === b ? m.owned : []), since);
    const ofB = [...b.owned];
    since = Date.now();
    await b.consumer.close();
    const leaveMs = await settled([a], () => ofB, since);
    await a.consumer.close();
    return { joinMs, leaveMs, split: [beforeJoin.length, ofB.length] };
  } finally {
    stop = true;
    await writing.catch(() => undefined);
    await admin.deleteTopics([topic]).catch(() => undefined);
    await transport.close();
  }
}

const servers = await resolveBootstrapServers();
const rows: Array<{
  client: string;
  protocol: string;
  round: number;
  joinMs: number;
  leaveMs: number;
}> = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of round % 2 === 1 ? CASES : [...CASES].reverse()) {
    const r = await once(servers, c);
    rows.push({ ...c, round, joinMs: r.joinMs, leaveMs: r.leaveMs });
    console.log(
      `round ${round} ${c.client}/${c.protocol}: join ${r.joinMs} ms, leave ${r.leaveMs} ms`
    );
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const summary = CASES.map(c => {
  const mine = rows.filter(r => r.client === c.client && r.protocol === c.protocol);
  return {
    ...c,
    joinMs: median(mine.map(r => r.joinMs)),
    leaveMs: median(mine.map(r => r.leaveMs))
  };
});
const out = {
  benchmark: 'handover',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadavg: loadavg() },
  workload: `${PARTITIONS} partitions, small records written to every partition every 20 ms; member A alone, B joins, B leaves (close); session 10 s, heartbeat 1 s (classic; KIP-848 uses the broker's)`,
  statistic: `median of ${ROUNDS} round(s), cases alternating`,
  summary,
  rows
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'results', 'handover.json'),
  `${JSON.stringify(out, null, 2)}\n`
);
for (const s of summary) {
  console.log(`${s.client}/${s.protocol}: join ${s.joinMs} ms, leave ${s.leaveMs} ms (median)`);
}
