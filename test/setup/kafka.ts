/**
 * vitest globalSetup for the integration project: makes sure there is a Kafka to test against.
 * 1. ALERTLAB_BOOTSTRAP_SERVERS set: use that cluster as it is.
 * 2. A local Kafka already running (`$ALERTLAB_HOME/kafka/state.json`): reuse it, leave it running.
 * 3. Otherwise start a local single-node Kafka, and stop it in teardown.
 * Tests read the servers with `inject('bootstrapServers')` or `process.env.ALERTLAB_BOOTSTRAP_SERVERS`.
 */
import type { TestProject } from 'vitest/node';
import { LocalKafka, resolveBootstrap } from '../../sdk/src/buffer/local/index.js';

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
    if (started) {
      await started.close();
    }
  };
}
