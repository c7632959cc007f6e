/**
 * Exactly once across hosts, under network faults (issue 19). Three KRaft brokers (rf 3, min.insync
 * 2) and three `alertlab stage run` workers, each on its own network-namespace host (test/netfault-
 * hosts.ts; w3 reaches the brokers through Toxiproxy); the workers run on the default Kafka client.
 * Per fault a fresh SQL switch stage gets small Rubin alerts (a bad record every 1,000) while the
 * fault is injected mid-stream, held and healed. Each time the read_committed outputs must hold
 * every input alert exactly once, routed as the SQL says, the dead-letter topic exactly the bad
 * inputs, all three workers back in the group, and the recovery (heal → everything written before
 * it committed) within RECOVERY_BOUND_MS. Needs root (namespaces) and Toxiproxy (setup installs it);
 * under CI=true a missing piece fails the file. Size: NETFAULT_ALERTS per fault (default 1,000);
 * bench/recovery.ts runs the same faults at 100,000 alerts.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOXIPROXY_BIN } from './netfault-cluster.js';
import { brokerLost, brokerSplit, slowLink, workerCut } from './netfault-faults.js';
import { netLabUnavailable } from './netfault-hosts.js';
import { NetfaultRig } from './netfault-rig.js';
import { bigintJson, runScenario, type Fault } from './netfault-scenario.js';
import { SAMPLES_MISSING_MESSAGE, skipWithoutSamples } from './stage-helpers.js';

const ALERTS = Number(process.env.NETFAULT_ALERTS ?? 1000);
const RECOVERY_BOUND_MS = 90_000;
const missing =
  netLabUnavailable() ??
  (existsSync(TOXIPROXY_BIN) ? undefined : `Toxiproxy is missing (${TOXIPROXY_BIN})`);
if (missing !== undefined) {
  if (process.env.CI === 'true') {
    throw new Error(`network-fault tests cannot run: ${missing}; scripts/setup.sh installs it`);
  }
  console.warn(`network-fault tests skipped: ${missing}`);
}
const skip = skipWithoutSamples() || missing !== undefined;
if (skipWithoutSamples()) {
  console.warn(SAMPLES_MISSING_MESSAGE);
}

/** The faults CI runs, in order (a lost broker stays lost: last). */
const FAULTS: Fault[] = [
  workerCut(12_000),
  slowLink(10_000),
  brokerSplit(15_000),
  brokerLost(1, 10_000)
];

describe.skipIf(skip)('exactly once on many hosts under network faults', () => {
  let rig: NetfaultRig;

  beforeAll(async () => {
    rig = await NetfaultRig.start();
  }, 420_000);

  afterAll(async () => {
    await rig?.close();
  }, 120_000);

  for (const fault of FAULTS) {
    it(`${fault.name}: ${ALERTS} alerts out exactly once, the stage recovers`, async () => {
      const r = await runScenario(rig, { alerts: ALERTS, partitions: 6 }, [fault]);
      console.log(`${fault.name}: ${JSON.stringify(r, bigintJson)}`);
      const v = r.verdict;
      expect({
        duplicates: v.duplicates,
        missing: v.missing,
        strangers: v.strangers,
        misrouted: v.misrouted,
        wrongDeadLetters: v.wrongDeadLetters,
        missingDeadLetters: v.missingDeadLetters
      }).toEqual({
        duplicates: 0,
        missing: 0,
        strangers: 0,
        misrouted: 0,
        wrongDeadLetters: 0,
        missingDeadLetters: 0
      });
      expect(v.inputRecords).toBeGreaterThanOrEqual(ALERTS);
      expect(v.outputRecords).toBe(v.inputRecords - v.badInputs);
      expect(v.badInputs).toBeGreaterThan(0);
      const [f] = r.faults;
      expect(f.fault).toBe(fault.name);
      expect(f.recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
      expect(f.rejoinMs).toBeLessThan(90_000);
    }, 300_000);
  }
});
