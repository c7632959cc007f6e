/**
 * Starting and stopping a whole local cluster: prerequisites, ports, formatting, launching every
 * node, waiting until each serves, and recording it all in state.json. Callers hold the lock.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalKafkaError } from '../../errors.js';
import {
  bootstrapServersOf,
  brokerPortBase,
  planNodes,
  serverProperties,
  type NodeCount,
  type NodeLayout
} from './config.js';
import { assertPortsFree } from './ports.js';
import { checkPrerequisites, type KafkaRuntime } from './prerequisites.js';
import {
  DEFAULT_HEAP,
  isNodeProcess,
  spawnNode,
  stopProcess,
  type StopOutcome
} from './process.js';
import { fileSize, waitUntilServing, type StartingNode } from './readiness.js';
import {
  newClusterId,
  readIdentity,
  readState,
  removeState,
  stateFile,
  writeIdentity,
  writeState,
  type ClusterState,
  type NodeState
} from './state.js';
import {
  clientSecurity,
  ensureSecurityMaterial,
  INTERNAL_PORT_OFFSET,
  scramFormatArgs,
  type LocalSecurityMode
} from './secure.js';
import { formatNodes } from './storage.js';

/** Options of a cluster start. */
export interface StartClusterOptions {
  /** Number of nodes: 1 combined broker+controller, or 3 with a 3-voter quorum. @default 1 */
  nodes?: NodeCount;
  /** First broker port; controllers listen 100 higher. @default ALERTLAB_KAFKA_PORT or 19092 */
  port?: number;
  /** Wipe the data directories and format a new cluster. @default false */
  fresh?: boolean;
  /** How long to wait for every node to serve. @default 120_000 */
  timeoutMs?: number;
  /** JVM heap per node. @default '512m' */
  heap?: string;
  /** Secure the client listener (secure.ts): SASL_SSL, mTLS or SASL_PLAINTEXT. @default plaintext */
  security?: LocalSecurityMode;
  /**
   * Also offer OAUTHBEARER on the SASL listener with Kafka's UNSECURED token validator (any
   * unsigned JWT with `sub` and `exp` is accepted): for testing token clients only. @default false
   */
  unsecuredOauthForTests?: boolean;
}

/** What a start found or did. */
export interface StartClusterResult {
  state: ClusterState;
  /** True when a cluster was already running here and was left as it was. */
  alreadyRunning: boolean;
  /** Nodes of an already-running cluster that were down and have been started again. */
  restartedNodeIds: number[];
  /** True when the data directories were (re)formatted by this start. */
  formatted: boolean;
}

export const DEFAULT_START_TIMEOUT_MS = 120_000;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

export const nodeAlive = (n: NodeState): boolean => isNodeProcess(n.pid, n.propertiesFile);

function portsOf(nodes: readonly NodeLayout[]): { port: number; role: string }[] {
  return nodes.flatMap(n => [
    { port: n.brokerPort, role: `broker ${n.nodeId}` },
    { port: n.controllerPort, role: `controller ${n.nodeId}` },
    ...(n.probe ? [{ port: n.probe.port, role: `internal listener ${n.nodeId}` }] : [])
  ]);
}

/** Launches `nodes` (already formatted), records their pids, waits until all serve. */
export async function launchNodes(
  kafkaDir: string,
  runtime: KafkaRuntime,
  state: ClusterState,
  nodeIds: readonly number[],
  timeoutMs: number
): Promise<void> {
  const starting: StartingNode[] = [];
  for (const id of nodeIds) {
    const node = state.nodes.find(n => n.nodeId === id);
    if (!node) {
      throw new LocalKafkaError(`No node ${id} in this cluster (nodes 1..${state.nodeCount}).`);
    }
    const logOffset = fileSize(node.logFile);
    const stdoutOffset = fileSize(node.stdoutFile);
    const child = spawnNode(runtime, node, state.heap);
    if (child.pid === undefined) {
      throw new LocalKafkaError(`Could not launch ${runtime.java.javaPath} for Kafka node ${id}.`);
    }
    node.pid = child.pid;
    starting.push({ node, pid: child.pid, child, logOffset, stdoutOffset });
  }
  writeState(kafkaDir, state);
  const upIds = state.nodes.filter(n => nodeIds.includes(n.nodeId) || nodeAlive(n));
  await waitUntilServing(
    starting,
    upIds.map(n => n.nodeId),
    timeoutMs
  );
}

function wipeNodeDirs(kafkaDir: string): void {
  if (!existsSync(kafkaDir)) {
    return;
  }
  for (const name of readdirSync(kafkaDir)) {
    if (/^node-\d+$/.test(name)) {
      rmSync(join(kafkaDir, name), { recursive: true, force: true });
    }
  }
}

async function restartDeadNodes(
  kafkaDir: string,
  state: ClusterState,
  options: StartClusterOptions
): Promise<StartClusterResult> {
  if (options.nodes !== undefined && options.nodes !== state.nodeCount) {
    throw new LocalKafkaError(
      `A ${state.nodeCount}-node local Kafka is already running (${state.bootstrapServers}, ` +
        `state ${stateFile(kafkaDir)}). Stop it with \`alertlab kafka stop\` to start ${options.nodes} nodes.`,
      { context: { bootstrapServers: state.bootstrapServers, nodeCount: state.nodeCount } }
    );
  }
  if (options.port !== undefined && options.port !== state.nodes[0].brokerPort) {
    throw new LocalKafkaError(
      `A local Kafka is already running on ${state.bootstrapServers} (state ${stateFile(kafkaDir)}), ` +
        `not on port ${options.port}. Stop it with \`alertlab kafka stop\`, or use another ALERTLAB_HOME.`,
      { context: { bootstrapServers: state.bootstrapServers } }
    );
  }
  if (options.security !== undefined && options.security !== state.security?.mode) {
    throw new LocalKafkaError(
      `A local Kafka is already running on ${state.bootstrapServers} with security ` +
        `${state.security?.mode ?? 'none (plaintext)'}, not ${options.security}. Stop it with ` +
        '`alertlab kafka stop`, or use another ALERTLAB_HOME.',
      { context: { bootstrapServers: state.bootstrapServers } }
    );
  }
  const dead = state.nodes.filter(n => !nodeAlive(n)).map(n => n.nodeId);
  if (dead.length > 0) {
    const runtime = checkPrerequisites();
    const deadNodes = state.nodes.filter(n => dead.includes(n.nodeId));
    await assertPortsFree(portsOf(deadNodes), state.nodes[0].brokerPort);
    await launchNodes(
      kafkaDir,
      runtime,
      state,
      dead,
      options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS
    );
  }
  return { state, alreadyRunning: true, restartedNodeIds: dead, formatted: false };
}

/**
 * Starts a local cluster under `kafkaDir`, or reports the one already running there (starting any
 * of its nodes that are down). Data directories are kept between runs unless `fresh` is set or the
 * node count changed.
 */
export async function startCluster(
  kafkaDir: string,
  options: StartClusterOptions = {}
): Promise<StartClusterResult> {
  const existing = readState(kafkaDir);
  if (existing) {
    if (existing.nodes.some(nodeAlive)) {
      return restartDeadNodes(kafkaDir, existing, options);
    }
    removeState(kafkaDir); // every recorded pid is gone: a crash or a reboot
  }
  const nodeCount = options.nodes ?? 1;
  const portBase = brokerPortBase(options.port);
  const runtime = checkPrerequisites();
  const layout = planNodes(kafkaDir, nodeCount, portBase);
  await assertPortsFree(portsOf(layout), portBase);

  const identity = readIdentity(kafkaDir);
  const mode = options.security;
  const formatted =
    options.fresh === true ||
    identity?.nodeCount !== nodeCount ||
    identity?.security !== mode ||
    layout.some(n => !existsSync(join(n.dataDir, 'meta.properties')));
  const clusterId = formatted || !identity ? newClusterId() : identity.clusterId;
  if (formatted) {
    wipeNodeDirs(kafkaDir);
  }
  const files = mode ? ensureSecurityMaterial(kafkaDir, mode, formatted) : undefined;
  for (const node of layout) {
    if (files) {
      node.probe = {
        port: node.brokerPort + INTERNAL_PORT_OFFSET,
        tls: { caFile: files.caFile, certFile: files.brokerCertFile, keyFile: files.brokerKeyFile }
      };
    }
    mkdirSync(node.dir, { recursive: true });
    const security =
      mode && files
        ? { mode, files, unsecuredOauth: options.unsecuredOauthForTests === true }
        : undefined;
    writeFileSync(node.propertiesFile, serverProperties(node, layout, security), { mode: 0o600 });
    chmodSync(node.propertiesFile, 0o600); // `mode` applies only when the file is created
  }
  if (files) {
    await assertPortsFree(portsOf(layout), portBase);
  }
  if (formatted) {
    await formatNodes(runtime, layout, clusterId, files ? scramFormatArgs(files) : []);
    writeIdentity(kafkaDir, { clusterId, nodeCount, ...(mode ? { security: mode } : {}) });
  }
  const state: ClusterState = {
    stateVersion: 1,
    clusterId,
    kafkaVersion: runtime.kafkaVersion,
    nodeCount,
    bootstrapServers: bootstrapServersOf(layout),
    startedAt: new Date().toISOString(),
    heap: options.heap ?? DEFAULT_HEAP,
    nodes: layout.map(n => ({ ...n, pid: 0 })),
    ...(mode && files
      ? {
          security: { mode, settingsFile: files.settingsFile, client: clientSecurity(mode, files) }
        }
      : {})
  };
  try {
    await launchNodes(
      kafkaDir,
      runtime,
      state,
      layout.map(n => n.nodeId),
      options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS
    );
  } catch (err) {
    await Promise.all(state.nodes.map(n => stopProcess(n.pid, n.propertiesFile, 5_000)));
    removeState(kafkaDir);
    throw err;
  }
  return { state, alreadyRunning: false, restartedNodeIds: [], formatted };
}

/** What a stop did, per node. */
export interface StopClusterResult {
  /** False when no state file was there (nothing recorded as running). */
  wasRunning: boolean;
  nodes: { nodeId: number; pid: number; outcome: StopOutcome }[];
}

/** Stops every recorded node (all at once; SIGKILL after `timeoutMs`) and removes state.json. */
export async function stopCluster(
  kafkaDir: string,
  timeoutMs = DEFAULT_STOP_TIMEOUT_MS
): Promise<StopClusterResult> {
  const state = readState(kafkaDir);
  if (!state) {
    return { wasRunning: false, nodes: [] };
  }
  const nodes = await Promise.all(
    state.nodes.map(async n => ({
      nodeId: n.nodeId,
      pid: n.pid,
      outcome: await stopProcess(n.pid, n.propertiesFile, timeoutMs)
    }))
  );
  removeState(kafkaDir);
  return { wasRunning: true, nodes };
}
