/**
 * vitest globalSetup for the integration project: makes sure there is a Kafka to test against.
 * 1. ALERTLAB_BOOTSTRAP_SERVERS set: use that cluster as it is.
 * 2. A local Kafka already running (`$ALERTLAB_HOME/kafka/state.json`): reuse it, leave it running.
 * 3. Otherwise start a local single-node Kafka, and stop it in teardown.
 * Tests read the servers with `inject('bootstrapServers')` or `process.env.ALERTLAB_BOOTSTRAP_SERVERS`.
 */
import type { TestProject } from 'vitest/node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LocalKafka, resolveBootstrap } from '../../sdk/src/buffer/local/index.js';

/** Homes of the secured brokers the security tests start (test/security-helpers.ts). */
const SECURE_HOMES = ['sasl_ssl', 'ssl', 'sasl_plaintext'].map(mode =>
  join(import.meta.dirname, '..', '..', '.alertlab', `secure-${mode}`)
);

/**
 * Under CI=true the secured brokers the security tests started are stopped with the run (a
 * developer's stay up and are reused by the next run): CI leaves no process behind, and the next
 * run on the machine finds their ports free.
 */
async function stopSecuredBrokers(): Promise<void> {
  for (const home of SECURE_HOMES) {
    if (existsSync(home)) {
      await LocalKafka.stop({ home }).catch((e: unknown) =>
        console.warn(`[kafka setup] could not stop the secured broker in ${home}: ${String(e)}`)
      );
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let started: LocalKafka | undefined;
  let bootstrapServers: string;
  const external = process.env.ALERTLAB_BOOTSTRAP_SERVERS;
  if (external && external.trim() !== '') {
    bootstrapServers = await resolveBootstrap(external);
    console.log(`[kafka setup] using ALERTLAB_BOOTSTRAP_SERVERS=${bootstrapServers}`);
  } else {
    const kafka = await LocalKafka.start();
    bootstrapServers = kafka.bootstrapServers;
    if (kafka.alreadyRunning) {
      console.log(`[kafka setup] reusing the running local Kafka at ${bootstrapServers}`);
    } else {
      started = kafka;
      console.log(
        `[kafka setup] started a local Kafka at ${bootstrapServers} (stopped after the tests)`
      );
    }
  }
  process.env.ALERTLAB_BOOTSTRAP_SERVERS = bootstrapServers;
  project.provide('bootstrapServers', bootstrapServers);
  return async () => {
    if (process.env.CI === 'true') {
      await stopSecuredBrokers();
    }
    if (started) {
      await started.close();
    }
  };
}
