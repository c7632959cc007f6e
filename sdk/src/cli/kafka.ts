/**
 * `alertlab kafka start|stop|status` — a real Apache Kafka (KRaft) on 127.0.0.1, one node or
 * three, through the LocalKafka launcher.
 */
import { parseArgs } from 'node:util';
import { LocalKafka, type NodeCount } from '../buffer/local/index.js';
import { LOCAL_SECURITY_MODES, type LocalSecurityMode } from '../buffer/local/secure.js';
import { describeSecurity } from '../buffer/security-sources.js';
import type { LocalKafkaStatus } from '../buffer/local/index.js';
import { ConfigError } from '../errors.js';

const USAGE = `Usage:
  alertlab kafka start [--nodes 1|3] [--port P] [--fresh] [--timeout SECONDS] [--heap 512m]
                       [--security sasl_ssl|ssl|sasl_plaintext] [--json]
  alertlab kafka stop [--timeout SECONDS]
  alertlab kafka status [--json]

start   Starts Apache Kafka (KRaft, combined broker+controller nodes) on 127.0.0.1 and waits until
        every broker answers. Brokers listen on P, P+1, P+2; controllers on P+100...
        P defaults to $ALERTLAB_KAFKA_PORT or 19092. Data is kept between runs (--fresh wipes it).
        If one is already running, says where and exits 0.
        --security secures the client listener: SASL_SSL or SASL_PLAINTEXT with SCRAM-SHA-512/256
        (user "alertlab", password in an owner-only file), or SSL with client certificates (mTLS).
        A private CA and certificates (IP 127.0.0.1) are made under $ALERTLAB_HOME/kafka/security;
        brokers talk to each other over mTLS on P+200... The client settings are printed and
        written to kafka/security/client-security.json (use it with --security-file or
        ALERTLAB_KAFKA_SECURITY).
stop    SIGTERM every node (controlled shutdown), SIGKILL after the timeout (default 30 s);
        also clears the state left by a crash.
status  Exit code 0 when every node runs and is listed as a broker, 1 when degraded,
        3 when nothing is running.
State: $ALERTLAB_HOME/kafka/state.json (ALERTLAB_HOME defaults to <repo>/.alertlab).`;

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new ConfigError(`--${name} wants a positive integer, got "${value}".\n\n${USAGE}`);
  }
  return n;
}

function nodeCount(value: string | undefined): NodeCount | undefined {
  const n = intOption(value, 'nodes');
  if (n === undefined || n === 1 || n === 3) {
    return n;
  }
  throw new ConfigError(`--nodes must be 1 or 3, got ${n}.`);
}

function securityMode(value: string | undefined): LocalSecurityMode | undefined {
  if (value === undefined || (LOCAL_SECURITY_MODES as readonly string[]).includes(value)) {
    return value as LocalSecurityMode | undefined;
  }
  throw new ConfigError(
    `--security must be one of ${LOCAL_SECURITY_MODES.join(', ')}, got "${value}".`
  );
}

function describeNodes(status: LocalKafkaStatus): string[] {
  return status.nodes.map(
    n =>
      `  node ${n.nodeId}: ${n.alive ? `pid ${n.pid}` : 'DOWN'}, broker 127.0.0.1:${n.brokerPort}, ` +
      `controller :${n.controllerPort}${n.alive && !n.listed ? ' (not listed as a broker)' : ''}\n` +
      `          log ${n.logFile}`
  );
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      nodes: { type: 'string' },
      port: { type: 'string' },
      fresh: { type: 'boolean' },
      timeout: { type: 'string' },
      heap: { type: 'string' },
      security: { type: 'string' },
      json: { type: 'boolean' }
    }
  });
  const timeoutS = intOption(values.timeout, 'timeout');
  const t0 = Date.now();
  const kafka = await LocalKafka.start({
    nodes: nodeCount(values.nodes),
    port: intOption(values.port, 'port'),
    fresh: values.fresh,
    heap: values.heap,
    security: securityMode(values.security),
    ...(timeoutS === undefined ? {} : { timeoutMs: timeoutS * 1000 })
  });
  const status = await kafka.status();
  if (values.json) {
    console.log(JSON.stringify({ alreadyRunning: kafka.alreadyRunning, ...status }, null, 2));
    return 0;
  }
  const n = kafka.nodes.length;
  if (kafka.alreadyRunning) {
    const restarted = kafka.restartedNodeIds;
    console.log(
      `Kafka is already running (${n} node${n > 1 ? 's' : ''}): ${kafka.bootstrapServers}` +
        (restarted.length > 0 ? ` — started again: node ${restarted.join(', ')}` : '')
    );
  } else {
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(
      `Kafka ${status.cluster?.kafkaVersion} started (${n} node${n > 1 ? 's' : ''}, ${seconds} s): ` +
        kafka.bootstrapServers
    );
  }
  console.log([...describeNodes(status), `  state ${kafka.stateFile}`].join('\n'));
  const sec = status.cluster?.security;
  if (sec) {
    console.log(
      `Clients connect with ${describeSecurity(sec.client)}.\n` +
        `Client settings (${sec.settingsFile}):\n${JSON.stringify(sec.client, null, 2)}\n` +
        `Use them: export ALERTLAB_BOOTSTRAP_SERVERS=${kafka.bootstrapServers} ` +
        `ALERTLAB_KAFKA_SECURITY=${sec.settingsFile}`
    );
  }
  return 0;
}

async function stop(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { timeout: { type: 'string' } } });
  const timeoutS = intOption(values.timeout, 'timeout');
  const result = await LocalKafka.stop(
    timeoutS === undefined ? {} : { timeoutMs: timeoutS * 1000 }
  );
  if (!result.wasRunning) {
    console.log('No local Kafka is recorded as running; nothing to stop.');
    return 0;
  }
  for (const n of result.nodes) {
    const what = { 'not-running': 'was not running', terminated: 'stopped', killed: 'killed' };
    console.log(`node ${n.nodeId} (pid ${n.pid}): ${what[n.outcome]}`);
  }
  console.log('Kafka stopped.');
  return 0;
}

async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const s = await LocalKafka.status();
  const code = !s.running ? 3 : s.healthy ? 0 : 1;
  if (values.json) {
    console.log(JSON.stringify(s, null, 2));
    return code;
  }
  if (!s.running) {
    console.log(
      s.cluster
        ? `Kafka is not running (its processes are gone; \`alertlab kafka start\` starts it again).`
        : 'Kafka is not running. Start it with `alertlab kafka start`.'
    );
    return code;
  }
  const c = s.cluster;
  console.log(
    `Kafka ${c?.kafkaVersion} ${s.healthy ? 'running' : 'DEGRADED'}: ${c?.bootstrapServers} ` +
      `(cluster ${c?.clusterId}, since ${c?.startedAt})` +
      (s.probeError ? `\n  no Metadata answer: ${s.probeError}` : '') +
      (c?.security
        ? `\n  clients: ${describeSecurity(c.security.client)} (settings ${c.security.settingsFile})`
        : '')
  );
  console.log([...describeNodes(s), `  state ${s.stateFile}`].join('\n'));
  return code;
}

export async function run(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  if (rest.includes('--help') || rest.includes('-h') || verb === '--help' || verb === '-h') {
    console.log(USAGE);
    return 0;
  }
  switch (verb) {
    case 'start':
      return start(rest);
    case 'stop':
      return stop(rest);
    case 'status':
      return status(rest);
    default:
      console.error(
        `alertlab kafka: ${verb ? `unknown verb "${verb}"` : 'missing verb'}.\n\n${USAGE}`
      );
      return 2;
  }
}
