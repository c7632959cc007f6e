/**
 * The shape of a local cluster — node ids, ports, directories — and each node's
 * `server.properties`. Pure functions: nothing here touches the disk or the network.
 */
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { secureListenerProps, type LocalSecurityFiles, type LocalSecurityMode } from './secure.js';

/** Node counts the launcher supports: one combined node, or three with a 3-voter quorum. */
export type NodeCount = 1 | 3;

/** First broker port when neither `--port` nor `ALERTLAB_KAFKA_PORT` is given. */
export const DEFAULT_BROKER_PORT = 19092;

/** Controller ports sit this far above the broker ports (19092 → 19192). */
export const CONTROLLER_PORT_OFFSET = 100;

/** Where one node lives and listens. Node ids run 1..n. */
export interface NodeLayout {
  nodeId: number;
  brokerPort: number;
  controllerPort: number;
  /** The node's directory: properties, logs, data. */
  dir: string;
  /** `log.dirs` (and the KRaft metadata log). */
  dataDir: string;
  /** log4j2 output. */
  logFile: string;
  /** The JVM's own stdout/stderr (crashes, JVM errors). */
  stdoutFile: string;
  propertiesFile: string;
  /**
   * Where the readiness probe asks for Metadata when the client listener is secured: the internal
   * mTLS listener, with the broker's own certificate. @default the broker port, plaintext
   */
  probe?: { port: number; tls: { caFile: string; certFile: string; keyFile: string } };
}

/** A secured cluster's mode and files (secure.ts). */
export interface NodeSecurity {
  mode: LocalSecurityMode;
  files: LocalSecurityFiles;
  /** OAUTHBEARER with Kafka's unsecured validator too (tests only). @default false */
  unsecuredOauth?: boolean;
}

/** Broker port base from an explicit value, else `ALERTLAB_KAFKA_PORT`, else 19092. */
export function brokerPortBase(explicit?: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = explicit ?? (env.ALERTLAB_KAFKA_PORT ? Number(env.ALERTLAB_KAFKA_PORT) : undefined);
  const port = raw ?? DEFAULT_BROKER_PORT;
  if (!Number.isInteger(port) || port < 1024 || port > 65535 - CONTROLLER_PORT_OFFSET - 3) {
    throw new ConfigError(
      `Kafka port ${String(raw)} is not usable: give an integer from 1024 to ` +
        `${65535 - CONTROLLER_PORT_OFFSET - 3} (--port or ALERTLAB_KAFKA_PORT).`,
      { context: { port: raw } }
    );
  }
  return port;
}

/** Lays out `nodeCount` nodes under `kafkaDir`, brokers on base.., controllers on base+100... */
export function planNodes(kafkaDir: string, nodeCount: NodeCount, portBase: number): NodeLayout[] {
  return Array.from({ length: nodeCount }, (_, i) => {
    const nodeId = i + 1;
    const dir = join(kafkaDir, `node-${nodeId}`);
    return {
      nodeId,
      brokerPort: portBase + i,
      controllerPort: portBase + CONTROLLER_PORT_OFFSET + i,
      dir,
      dataDir: join(dir, 'data'),
      logFile: join(dir, 'server.log'),
      stdoutFile: join(dir, 'stdout.log'),
      propertiesFile: join(dir, 'server.properties')
    };
  });
}

/** `127.0.0.1:19092,127.0.0.1:19093,...` */
export function bootstrapServersOf(nodes: readonly NodeLayout[]): string {
  return nodes.map(n => `127.0.0.1:${n.brokerPort}`).join(',');
}

/**
 * `server.properties` for one combined broker+controller node. Replication settings follow the
 * node count: with 3 nodes, internal topics get 3 replicas and min.insync.replicas is 2, so a
 * cluster with one node down still accepts acks=all writes and transactions.
 */
export function serverProperties(
  node: NodeLayout,
  all: readonly NodeLayout[],
  security?: NodeSecurity
): string {
  const n = all.length;
  const replicas = n >= 3 ? 3 : 1;
  const minIsr = n >= 3 ? 2 : 1;
  const voters = all.map(v => `${v.nodeId}@127.0.0.1:${v.controllerPort}`).join(',');
  const props: [string, string | number | boolean][] = [
    ['process.roles', 'broker,controller'],
    ['node.id', node.nodeId],
    ['controller.quorum.voters', voters],
    [
      'listeners',
      `PLAINTEXT://127.0.0.1:${node.brokerPort},CONTROLLER://127.0.0.1:${node.controllerPort}`
    ],
    ['advertised.listeners', `PLAINTEXT://127.0.0.1:${node.brokerPort}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['log.dirs', node.dataDir],
    ['auto.create.topics.enable', false],
    ['num.partitions', 1],
    ['default.replication.factor', replicas],
    ['min.insync.replicas', minIsr],
    ['offsets.topic.replication.factor', replicas],
    ['offsets.topic.num.partitions', 10],
    ['transaction.state.log.replication.factor', replicas],
    ['transaction.state.log.min.isr', minIsr],
    ['transaction.state.log.num.partitions', 10],
    ['share.coordinator.state.topic.replication.factor', replicas],
    ['share.coordinator.state.topic.min.isr', minIsr],
    ['group.initial.rebalance.delay.ms', 0],
    ['num.network.threads', 2],
    ['num.io.threads', 4],
    // The cleaner's dedupe map is heap; the 128 MB default is a quarter of a 512 MB heap.
    ['log.cleaner.dedupe.buffer.size', 32 * 1024 * 1024]
  ];
  if (security) {
    const secured = secureListenerProps(
      security.mode,
      node,
      security.files,
      security.unsecuredOauth
    );
    const keys = new Set(secured.map(([k]) => k));
    props.splice(0, props.length, ...props.filter(([k]) => !keys.has(k)), ...secured);
  }
  const header = `# Written by alertlab (sdk/src/buffer/local). Regenerated at every start.\n`;
  return header + props.map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n';
}
