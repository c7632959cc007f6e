/**
 * The network-fault rig: a NetLab with 3 broker hosts (b1..b3, one KRaft node each) and 3 worker
 * hosts (w1..w3), Toxiproxy on the root side, and the test's own observer clients (kafkajs unless
 * NETFAULT_OBSERVER_CLIENT says otherwise: the verdict must not depend on the client under test,
 * which the stage workers run on — the default).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../sdk/src/buffer/log.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { createTransport, type KafkaClientName } from '../sdk/src/buffer/transport.js';
import { LabCluster } from './netfault-cluster.js';
import { Observer } from './netfault-helpers.js';
import { NetLab } from './netfault-hosts.js';

export const WORKERS = ['w1', 'w2', 'w3'] as const;

/** Everything a scenario runs on; `close()` stops it all and removes the hosts. */
export class NetfaultRig {
  private constructor(
    readonly lab: NetLab,
    readonly cluster: LabCluster,
    readonly transport: KafkaTransport,
    readonly obs: Observer,
    readonly dir: string,
    readonly clientLog: string[]
  ) {}

  /**
   * Starts the rig; a cluster whose node never starts listening (seen once in ~10 CI-sized runs:
   * a JVM alive but not serving for 4 minutes) is torn down and started once more, fresh.
   */
  static async start(): Promise<NetfaultRig> {
    try {
      return await NetfaultRig.startOnce(150_000);
    } catch (error) {
      if (!/not listening within/.test(String(error))) {
        throw error;
      }
      console.warn(`netfault: first cluster start failed, starting a fresh one: ${String(error)}`);
      return await NetfaultRig.startOnce(150_000);
    }
  }

  private static async startOnce(listenMs: number): Promise<NetfaultRig> {
    const dir = mkdtempSync(join(tmpdir(), 'alertlab-netfault-'));
    const lab = NetLab.create();
    let cluster: LabCluster | undefined;
    try {
      cluster = await LabCluster.start(lab, join(dir, 'kafka'));
      await cluster.waitListening(listenMs);
      WORKERS.forEach((w, i) => lab.addHost(w, 21 + i));
      const clientLog: string[] = [];
      const transport = createTransport({
        client: (process.env.NETFAULT_OBSERVER_CLIENT ?? 'kafkajs') as KafkaClientName,
        bootstrapServers: cluster.bootstrap.split(','),
        // a request into a lost or cut-off broker never answers: give up on it after 10 s (not
        // the default 30 s) so the client retries on the new leader before the scenario's 20 s
        // resend does; connections inside the lab are made in milliseconds or never
        requestTimeoutMs: 10_000,
        connectionTimeoutMs: 3_000,
        logger: createLogger({
          level: 'info',
          sink: (level, message) => {
            clientLog.push(`${new Date().toISOString()} ${level}: ${message}`);
            clientLog.splice(0, Math.max(0, clientLog.length - 500));
          }
        })
      });
      const obs = await Observer.create(transport);
      const rig = new NetfaultRig(lab, cluster, transport, obs, dir, clientLog);
      await cluster.waitServing(obs.admin, 3);
      await cluster.waitToxiproxy();
      await cluster.createProxies();
      return rig;
    } catch (error) {
      await cluster?.close();
      lab.close();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Undoes whatever a failed run left: cuts, shaping, toxics (a lost broker stays lost). */
  async undoFaults(): Promise<void> {
    this.lab.healAll();
    for (const h of ['w1', 'w2', 'w3']) {
      this.lab.unshape(h);
    }
    await this.cluster.removeToxic('latency').catch(() => undefined);
  }

  async close(): Promise<void> {
    try {
      const dir = join(import.meta.dirname, '..', 'test-artifacts', 'netfault');
      mkdirSync(dir, { recursive: true });
      for (const b of this.cluster.brokers) {
        writeFileSync(
          join(dir, `lab${this.lab.lab}-kafka-${b.nodeId}.log`),
          this.cluster.tail(b.nodeId, 400_000)
        );
      }
      await this.obs.close();
      await this.transport.close().catch(() => undefined);
      await this.cluster.close();
    } finally {
      this.lab.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
