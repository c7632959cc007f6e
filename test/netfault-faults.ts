/**
 * The four network faults of issue 19, in the order a run applies them (the last is permanent):
 * a worker host cut off and healed; 200 ms more round trip and a 10 Mbit/s link on one worker;
 * the brokers split 2/1 with workers on both sides, healed; a broker host lost for good.
 */
import type { Fault } from './netfault-scenario.js';

/** w1 loses every link (brokers, other workers, the root side) for `holdMs`, then gets them back. */
export const workerCut = (holdMs = 20_000): Fault => ({
  name: 'worker-cut',
  holdMs,
  inject: async rig => rig.lab.split(['w1']),
  heal: async rig => rig.lab.healAll()
});

/**
 * w3 reaches the brokers only through Toxiproxy: 100 ms latency toxic each way (+200 ms round
 * trip), and its host link limited to 10 Mbit/s each way by a kernel token bucket.
 */
export const slowLink = (holdMs = 20_000): Fault => ({
  name: 'latency-200ms-10mbit',
  holdMs,
  inject: async rig => {
    await rig.cluster.addToxic('latency', 'latency', { latency: 100, jitter: 0 });
    rig.lab.shape('w3', 10);
  },
  heal: async rig => {
    await rig.cluster.removeToxic('latency');
    rig.lab.unshape('w3');
  }
});

/**
 * b3 and w2 on one side; b1, b2, w1, w3 and the root side (the test's producer and Toxiproxy, so
 * w3's proxied links too) on the other: packets between the halves vanish.
 */
export const brokerSplit = (holdMs = 25_000): Fault => ({
  name: 'broker-split-2-1',
  holdMs,
  inject: async rig => {
    for (const a of ['b3', 'w2']) {
      for (const b of ['b1', 'b2', 'w1', 'w3', 'root']) {
        rig.lab.cut(a, b);
      }
    }
  },
  heal: async rig => rig.lab.healAll()
});

/** Broker `nodeId`'s host is lost: its JVM killed -9 and its host cut from everyone, for good. */
export const brokerLost = (nodeId = 1, holdMs = 15_000): Fault => ({
  name: 'broker-lost',
  holdMs,
  inject: async rig => {
    await rig.cluster.loseBroker(nodeId);
    await rig.cluster.setProxyEnabled(nodeId, false);
  }
});

export const allFaults = (): Fault[] => [workerCut(), slowLink(), brokerSplit(), brokerLost()];
