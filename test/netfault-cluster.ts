/**
 * A 3-node Kafka (KRaft, combined broker+controller) with each node on its own lab host, and a
 * Toxiproxy server on the root side. Every broker has three listeners: PLAINTEXT on its own address
 * (brokers, the test's clients, the workers on direct links), SLOW (advertised at the Toxiproxy
 * address, so a worker that bootstraps there reaches every broker through the proxy, whose toxics
 * add latency or limit bandwidth) and CONTROLLER (the quorum). Ports 45092..45199 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { planNodes, serverProperties, type NodeLayout } from '../sdk/src/buffer/local/config.js';
import { checkPrerequisites } from '../sdk/src/buffer/local/prerequisites.js';
import { jvmArgs } from '../sdk/src/buffer/local/process.js';
import { newClusterId } from '../sdk/src/buffer/local/state.js';
import { formatNodes } from '../sdk/src/buffer/local/storage.js';
import type { AdminClient } from '../sdk/src/buffer/transport-types.js';
import type { NetLab } from './netfault-hosts.js';

export const BROKER_PORT = 45092;
export const SLOW_PORT = 45093;
export const CONTROLLER_PORT = 45192;
/** Toxiproxy listens on the gateway at 45100 + node id, its API on 127.0.0.1:45400 + lab. */
export const PROXY_PORT_BASE = 45100;
export const TOXIPROXY_BIN = join(
  import.meta.dirname,
  '..',
  '.alertlab',
  'tools',
  'bin',
  'toxiproxy-server'
);

/** Settings over the launcher's defaults: a lagging follower leaves the ISR after 10 s, not 30. */
const OVERRIDES: Record<string, string> = {
  'replica.lag.time.max.ms': '10000'
};

export interface LabBroker {
  nodeId: number;
  host: string;
  ip: string;
  layout: NodeLayout;
  child?: ChildProcess;
}

/** A Kafka cluster of lab hosts b1..b3. */
export class LabCluster {
  private toxiproxy?: ChildProcess;

  private constructor(
    readonly lab: NetLab,
    readonly brokers: LabBroker[],
    readonly dir: string
  ) {}

  /** Direct bootstrap list (PLAINTEXT listeners). */
  get bootstrap(): string {
    return this.brokers.map(b => `${b.ip}:${BROKER_PORT}`).join(',');
  }

  /** Bootstrap list through Toxiproxy (SLOW listeners). */
  get proxiedBootstrap(): string {
    return this.brokers.map(b => `${this.lab.gateway}:${PROXY_PORT_BASE + b.nodeId}`).join(',');
  }

  get toxiproxyApi(): string {
    return `http://127.0.0.1:${45400 + this.lab.lab}`;
  }

  /** Formats and starts 3 nodes on hosts b1..b3 (.11..13) and Toxiproxy; waits until all serve. */
  static async start(lab: NetLab, dir: string, heap = '384m'): Promise<LabCluster> {
    const runtime = checkPrerequisites();
    const layout = planNodes(dir, 3, BROKER_PORT);
    const brokers: LabBroker[] = layout.map(n => {
      const host = lab.addHost(`b${n.nodeId}`, 10 + n.nodeId);
      return { nodeId: n.nodeId, host: host.name, ip: host.ip, layout: n };
    });
    const voters = brokers.map(b => `${b.nodeId}@${b.ip}:${CONTROLLER_PORT}`).join(',');
    for (const b of brokers) {
      mkdirSync(b.layout.dir, { recursive: true });
      const own: Record<string, string> = {
        ...OVERRIDES,
        'controller.quorum.voters': voters,
        listeners: [
          `PLAINTEXT://${b.ip}:${BROKER_PORT}`,
          `SLOW://${b.ip}:${SLOW_PORT}`,
          `CONTROLLER://${b.ip}:${CONTROLLER_PORT}`
        ].join(','),
        'advertised.listeners': `PLAINTEXT://${b.ip}:${BROKER_PORT},SLOW://${lab.gateway}:${PROXY_PORT_BASE + b.nodeId}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SLOW:PLAINTEXT,CONTROLLER:PLAINTEXT'
      };
      const lines = serverProperties(b.layout, layout)
        .split('\n')
        .filter(l => !(l.split('=')[0] in own));
      writeFileSync(
        b.layout.propertiesFile,
        [...lines, ...Object.entries(own).map(([k, v]) => `${k}=${v}`)].join('\n') + '\n'
      );
    }
    await formatNodes(runtime, layout, newClusterId());
    const cluster = new LabCluster(lab, brokers, dir);
    for (const b of brokers) {
      const out = openSync(b.layout.stdoutFile, 'a');
      const args = [
        ...jvmArgs(runtime, b.layout.dir, heap),
        'kafka.Kafka',
        b.layout.propertiesFile
      ];
      b.child = spawn(
        'ip',
        ['netns', 'exec', lab.host(b.host).ns, runtime.java.javaPath, ...args],
        {
          cwd: b.layout.dir,
          stdio: ['ignore', out, out]
        }
      );
      closeSync(out);
    }
    cluster.startToxiproxy();
    return cluster;
  }

  private startToxiproxy(): void {
    if (!existsSync(TOXIPROXY_BIN)) {
      throw new Error(
        `Toxiproxy is not installed (${TOXIPROXY_BIN}): run bash scripts/setup-toxiproxy.sh`
      );
    }
    const port = String(45400 + this.lab.lab);
    this.toxiproxy = spawn(TOXIPROXY_BIN, ['-host', '127.0.0.1', '-port', port], {
      stdio: ['ignore', 'ignore', 'ignore']
    });
  }

  /** Creates one proxy per broker (gateway:45100+id → broker SLOW listener). */
  async createProxies(): Promise<void> {
    for (const b of this.brokers) {
      await this.api('POST', '/proxies', {
        name: `b${b.nodeId}`,
        listen: `${this.lab.gateway}:${PROXY_PORT_BASE + b.nodeId}`,
        upstream: `${b.ip}:${SLOW_PORT}`,
        enabled: true
      });
    }
  }

  /** Adds a toxic to every proxy, both directions (Toxiproxy's JSON API). */
  async addToxic(name: string, type: string, attributes: Record<string, number>): Promise<void> {
    for (const b of this.brokers) {
      for (const stream of ['upstream', 'downstream']) {
        await this.api('POST', `/proxies/b${b.nodeId}/toxics`, {
          name: `${name}-${stream}`,
          type,
          stream,
          toxicity: 1,
          attributes
        });
      }
    }
  }

  async removeToxic(name: string): Promise<void> {
    for (const b of this.brokers) {
      for (const stream of ['upstream', 'downstream']) {
        await this.api('DELETE', `/proxies/b${b.nodeId}/toxics/${name}-${stream}`);
      }
    }
  }

  /** Turns one broker's proxy off (its connections through the proxy drop) or on. */
  async setProxyEnabled(nodeId: number, enabled: boolean): Promise<void> {
    await this.api('POST', `/proxies/b${nodeId}`, { enabled });
  }

  async waitToxiproxy(timeoutMs = 20_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      try {
        await this.api('GET', '/version');
        return;
      } catch (error) {
        if (Date.now() - start > timeoutMs) {
          throw error;
        }
        await new Promise(r => setTimeout(r, 200));
      }
    }
  }

  private async api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(this.toxiproxyApi + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`Toxiproxy ${method} ${path}: ${res.status} ${text}`);
    }
    try {
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return text; // /version answers in plain text
    }
  }

  /** Waits until every broker accepts TCP connections on its PLAINTEXT listener. */
  async waitListening(timeoutMs = 240_000): Promise<void> {
    const start = Date.now();
    for (const b of this.brokers) {
      while (!(await canConnect(b.ip, BROKER_PORT))) {
        if (b.child && b.child.exitCode !== null) {
          throw new Error(`Kafka node ${b.nodeId} exited:\n${this.tail(b.nodeId)}`);
        }
        if (Date.now() - start > timeoutMs) {
          throw new Error(
            `Kafka node ${b.nodeId} not listening within ${timeoutMs} ms:\n${this.tail(b.nodeId)}`
          );
        }
        await new Promise(r => setTimeout(r, 300));
      }
    }
  }

  /** Waits until `admin` lists `count` brokers and the JVMs still run. */
  async waitServing(admin: AdminClient, count: number, timeoutMs = 150_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      const dead = this.brokers.find(b => b.child && b.child.exitCode !== null && count === 3);
      if (dead) {
        throw new Error(`Kafka node ${dead.nodeId} exited:\n${this.tail(dead.nodeId)}`);
      }
      const listed = await admin
        .describeCluster()
        .then(c => c.brokers.length)
        .catch(() => 0);
      if (listed >= count) {
        return;
      }
      if (Date.now() - start > timeoutMs) {
        throw new Error(`${count} brokers not serving within ${timeoutMs} ms`);
      }
      await new Promise(r => setTimeout(r, 500));
    }
  }

  /** The last lines of a node's own log. */
  tail(nodeId: number, chars = 3000): string {
    const b = this.brokers[nodeId - 1];
    const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
    return (read(b.layout.stdoutFile) + read(b.layout.logFile)).slice(-chars);
  }

  /** Host loss: SIGKILL the node's JVM and cut its host from everyone. */
  async loseBroker(nodeId: number): Promise<void> {
    const b = this.brokers[nodeId - 1];
    this.lab.split([b.host]);
    if (b.child && b.child.exitCode === null) {
      const exited = new Promise(r => b.child?.once('exit', r));
      b.child.kill('SIGKILL');
      await exited;
    }
  }

  /** Stops everything this cluster started (SIGKILL: the data is thrown away). */
  async close(): Promise<void> {
    const all = [...this.brokers.map(b => b.child), this.toxiproxy];
    await Promise.all(
      all.map(async c => {
        if (c && c.exitCode === null && c.signalCode === null) {
          const exited = new Promise(r => c.once('exit', r));
          c.kill('SIGKILL');
          await exited;
        }
      })
    );
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
