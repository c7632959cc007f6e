/** What is running under `$ALERTLAB_HOME/kafka`, read from state.json and checked live. */
import { nodeAlive } from './cluster.js';
import { probeNode } from './probe.js';
import { readState, stateFile, type ClusterState, type NodeState } from './state.js';

/** A recorded node, checked. */
export interface NodeStatus extends NodeState {
  /** Its JVM is running. */
  alive: boolean;
  /** A live node's Metadata answer lists it as a broker. */
  listed: boolean;
}

/** The local cluster as it is now. */
export interface LocalKafkaStatus {
  /** At least one recorded node's JVM is running. */
  running: boolean;
  /** Every node is running and listed as a broker. */
  healthy: boolean;
  stateFile: string;
  /** The recorded cluster, if any (also when all its JVMs are gone: a crash); nodes below. */
  cluster?: Omit<ClusterState, 'nodes'>;
  nodes: NodeStatus[];
  /** Broker ids in a live node's Metadata answer. */
  listedBrokerIds: number[];
  /** Why no node answered Metadata, when none did. */
  probeError?: string;
}

/** Reads state.json, checks each pid, and asks a live node which brokers the cluster lists. */
export async function readStatus(kafkaDir: string): Promise<LocalKafkaStatus> {
  const path = stateFile(kafkaDir);
  const state = readState(kafkaDir);
  if (!state) {
    return { running: false, healthy: false, stateFile: path, nodes: [], listedBrokerIds: [] };
  }
  const { nodes: recorded, ...cluster } = state;
  const alive = recorded.map(n => ({ node: n, alive: nodeAlive(n) }));
  let listedBrokerIds: number[] = [];
  let probeError: string | undefined;
  for (const { node } of alive.filter(a => a.alive)) {
    try {
      const meta = await probeNode(node, 1_500);
      listedBrokerIds = meta.brokers.map(b => b.nodeId);
      probeError = undefined;
      break;
    } catch (err) {
      probeError = `node ${node.nodeId}: ${(err as Error).message}`;
    }
  }
  const nodes = alive.map(a => ({
    ...a.node,
    alive: a.alive,
    listed: listedBrokerIds.includes(a.node.nodeId)
  }));
  const running = nodes.some(n => n.alive);
  return {
    running,
    healthy: running && nodes.every(n => n.alive && n.listed),
    stateFile: path,
    cluster,
    nodes,
    listedBrokerIds,
    ...(running && probeError !== undefined ? { probeError } : {})
  };
}
