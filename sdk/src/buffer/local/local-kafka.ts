/**
 * `LocalKafka`: a real Apache Kafka (KRaft) on 127.0.0.1, one combined node or three, run as
 * detached JVMs that outlive the process that started them. State lives in
 * `$ALERTLAB_HOME/kafka/state.json`, so any process (the CLI, a test setup, a notebook) can find,
 * inspect, fault or stop the running cluster.
 */
import { LocalKafkaError, LocalKafkaNotRunningError } from '../../errors.js';
import {
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  launchNodes,
  nodeAlive,
  startCluster,
  stopCluster,
  type StartClusterOptions,
  type StopClusterResult
} from './cluster.js';
import { alertlabHome, kafkaHome } from './paths.js';
import { assertPortsFree } from './ports.js';
import { checkPrerequisites } from './prerequisites.js';
import { probeNode, type ProbeMetadata } from './probe.js';
import { stopProcess, type StopOutcome } from './process.js';
import { readState, stateFile, withKafkaLock, type ClusterState, type NodeState } from './state.js';
import { readStatus, type LocalKafkaStatus } from './status.js';

/** Where the cluster's state lives. */
export interface LocalKafkaHomeOptions {
  /** @default ALERTLAB_HOME or `<repo>/.alertlab` */
  home?: string;
}

export interface LocalKafkaStartOptions extends StartClusterOptions, LocalKafkaHomeOptions {}

export interface LocalKafkaStopOptions extends LocalKafkaHomeOptions {
  /** SIGTERM grace per node before SIGKILL. @default 30_000 */
  timeoutMs?: number;
}

const dirOf = (home?: string): string => kafkaHome(home ?? alertlabHome());

/** A handle on the local cluster recorded under one `$ALERTLAB_HOME`. */
export class LocalKafka {
  private constructor(
    /** The `$ALERTLAB_HOME` in use. */
    readonly home: string,
    private state: ClusterState,
    /** True when `start` found this cluster already running (and did not start it). */
    readonly alreadyRunning: boolean,
    /** Nodes that `start` brought back because they were down. */
    readonly restartedNodeIds: readonly number[] = []
  ) {}

  /** Starts a cluster, or returns the running one (see `alreadyRunning`). */
  static async start(options: LocalKafkaStartOptions = {}): Promise<LocalKafka> {
    const home = options.home ?? alertlabHome();
    const result = await withKafkaLock(kafkaHome(home), () =>
      startCluster(kafkaHome(home), options)
    );
    return new LocalKafka(home, result.state, result.alreadyRunning, result.restartedNodeIds);
  }

  /** The running cluster, or undefined when none of its nodes is alive. */
  static async find(options: LocalKafkaHomeOptions = {}): Promise<LocalKafka | undefined> {
    const home = options.home ?? alertlabHome();
    const state = readState(kafkaHome(home));
    return state?.nodes.some(nodeAlive) ? new LocalKafka(home, state, true) : undefined;
  }

  /** The recorded cluster checked live: pids, which brokers Metadata lists. */
  static status(options: LocalKafkaHomeOptions = {}): Promise<LocalKafkaStatus> {
    return readStatus(dirOf(options.home));
  }

  /** Stops every node and removes the state file; also clears state left by a crash. */
  static stop(options: LocalKafkaStopOptions = {}): Promise<StopClusterResult> {
    const dir = dirOf(options.home);
    return withKafkaLock(dir, () => stopCluster(dir, options.timeoutMs));
  }

  /** `127.0.0.1:19092[,127.0.0.1:19093,...]` */
  get bootstrapServers(): string {
    return this.state.bootstrapServers;
  }

  /** A secured cluster's mode and client settings (no secret in them); undefined: plaintext. */
  get security(): ClusterState['security'] {
    return this.state.security;
  }

  get clusterId(): string {
    return this.state.clusterId;
  }

  /** The nodes as last recorded (pids, ports, directories, log files). */
  get nodes(): readonly NodeState[] {
    return this.state.nodes;
  }

  get stateFile(): string {
    return stateFile(kafkaHome(this.home));
  }

  status(): Promise<LocalKafkaStatus> {
    return LocalKafka.status({ home: this.home });
  }

  /** A raw Metadata answer from the first live node (brokers, controller, cluster id). */
  async describeCluster(timeoutMs = 2_000): Promise<ProbeMetadata> {
    this.refresh();
    let lastError: unknown;
    for (const node of this.state.nodes.filter(nodeAlive)) {
      try {
        return await probeNode(node, timeoutMs);
      } catch (err) {
        lastError = err;
      }
    }
    throw new LocalKafkaNotRunningError(
      `No node of the local Kafka (${this.bootstrapServers}) answered Metadata. ` +
        'Check `alertlab kafka status`.',
      { cause: lastError, retriable: true }
    );
  }

  /** Stops one node (SIGTERM: a controlled shutdown), leaving the others running. */
  stopNode(nodeId: number, timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<StopOutcome> {
    return this.locked(async () => {
      const node = this.node(nodeId);
      return stopProcess(node.pid, node.propertiesFile, timeoutMs);
    });
  }

  /** Starts a stopped node again on its data and waits until it is listed with the live ones. */
  startNode(nodeId: number, timeoutMs = DEFAULT_START_TIMEOUT_MS): Promise<void> {
    return this.locked(async () => {
      const node = this.node(nodeId);
      if (nodeAlive(node)) {
        return;
      }
      const runtime = checkPrerequisites();
      await assertPortsFree(
        [
          { port: node.brokerPort, role: `broker ${nodeId}` },
          { port: node.controllerPort, role: `controller ${nodeId}` }
        ],
        this.state.nodes[0].brokerPort
      );
      await launchNodes(kafkaHome(this.home), runtime, this.state, [nodeId], timeoutMs);
    });
  }

  /** stopNode then startNode. */
  async restartNode(nodeId: number, timeoutMs = DEFAULT_START_TIMEOUT_MS): Promise<void> {
    await this.stopNode(nodeId);
    await this.startNode(nodeId, timeoutMs);
  }

  /** Stops the whole cluster (every node) and removes its state. */
  async close(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    await LocalKafka.stop({ home: this.home, timeoutMs });
  }

  private refresh(): void {
    const state = readState(kafkaHome(this.home));
    if (!state || state.clusterId !== this.state.clusterId) {
      throw new LocalKafkaNotRunningError(
        `The local Kafka ${this.state.clusterId} is no longer recorded in ${this.stateFile} ` +
          '(stopped?). Start one with `alertlab kafka start`.'
      );
    }
    this.state = state;
  }

  private node(nodeId: number): NodeState {
    const node = this.state.nodes.find(n => n.nodeId === nodeId);
    if (!node) {
      throw new LocalKafkaError(
        `No node ${nodeId} in the local Kafka: its nodes are ${this.state.nodes
          .map(n => n.nodeId)
          .join(', ')}.`
      );
    }
    return node;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withKafkaLock(kafkaHome(this.home), async () => {
      this.refresh();
      return fn();
    });
  }
}

/**
 * Starts a local cluster for `fn` and stops it afterwards — unless it was already running, in
 * which case it is left running.
 */
export async function withLocalKafka<T>(
  options: LocalKafkaStartOptions,
  fn: (kafka: LocalKafka) => Promise<T>
): Promise<T> {
  const kafka = await LocalKafka.start(options);
  try {
    return await fn(kafka);
  } finally {
    if (!kafka.alreadyRunning) {
      await kafka.close();
    }
  }
}
