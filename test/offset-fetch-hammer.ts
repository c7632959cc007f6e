/**
 * A child process for test/cluster-fault.test.ts: reads the committed offsets of many groups over
 * and over while a broker (the coordinator of some of them) stops and starts again.
 *   node --import tsx test/offset-fetch-hammer.ts <transport|raw-confluent> <bootstrap> <topic> <group,...>
 * `transport`: the transport's admin.groupOffsets (the client ALERTLAB_KAFKA_CLIENT names);
 * `raw-confluent`: @confluentinc/kafka-javascript's own admin fetchOffsets, which the confluent
 * transport does not use: librdkafka dereferences a NULL consumer group there when the coordinator
 * answers NOT_COORDINATOR (SIGSEGV). Runs until SIGTERM, then prints one JSON line of counts
 * (it exits when its stdin closes too: the test died).
 */
import { loadConfluent } from '../sdk/src/buffer/confluent/client.js';
import { createLogger } from '../sdk/src/buffer/log.js';
import { createTransport } from '../sdk/src/buffer/transport.js';

const [mode, bootstrap, topic, groupList] = process.argv.slice(2);
const groups = groupList.split(',');
const counts = { rounds: 0, calls: 0, errors: 0, lastOkAtMs: 0, lastError: '' };
const report = () => {
  console.log(JSON.stringify(counts));
  process.exit(0);
};
process.on('SIGTERM', report); // calls in flight are abandoned: the counts are what happened
process.stdin.on('end', () => process.exit(1)).resume(); // the test is gone: never linger

type Fetch = (groupId: string) => Promise<unknown>;

async function fetcher(): Promise<{ fetch: Fetch }> {
  if (mode === 'raw-confluent') {
    const mod = loadConfluent();
    const admin = new mod.KafkaJS.Kafka({}).admin({
      'bootstrap.servers': bootstrap,
      kafkaJS: { logLevel: mod.KafkaJS.logLevel.NOTHING }
    }) as unknown as {
      connect(): Promise<void>;
      fetchOffsets(o: { groupId: string; topics: string[]; timeout: number }): Promise<unknown>;
    };
    await admin.connect();
    return { fetch: groupId => admin.fetchOffsets({ groupId, topics: [topic], timeout: 5_000 }) };
  }
  const transport = createTransport({
    bootstrapServers: bootstrap.split(','),
    logger: createLogger({ level: 'error' })
  });
  const admin = await transport.admin();
  return { fetch: groupId => admin.groupOffsets(groupId, topic) };
}

const { fetch } = await fetcher();
console.error(`hammer ${mode}: ready`);
for (;;) {
  const results = await Promise.allSettled(groups.map(fetch));
  const failed = results.filter(r => r.status === 'rejected');
  counts.rounds++;
  counts.calls += results.length;
  counts.errors += failed.length;
  if (failed.length === 0) {
    counts.lastOkAtMs = Date.now();
  }
  if (failed.length > 0) {
    counts.lastError = String((failed[0] as PromiseRejectedResult).reason).slice(0, 300);
  }
  await new Promise(resolve => setTimeout(resolve, 20));
}
