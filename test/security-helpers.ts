/**
 * Helpers for the security tests: a secured local Kafka per mode (`alertlab kafka start
 * --security ...` through LocalKafka), each in its own home under .alertlab/ and on its own ports
 * (51092: SASL_SSL, 51492: mTLS, 51892: SASL_PLAINTEXT), started once and reused by later runs
 * like the shared broker;
 * a logger that keeps every line; and the check that a text holds no secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createLogger, type Logger } from '../sdk/src/buffer/log.js';
import { LocalKafka } from '../sdk/src/buffer/local/index.js';
import type { LocalSecurityMode } from '../sdk/src/buffer/local/secure.js';
import { securityFiles, type LocalSecurityFiles } from '../sdk/src/buffer/local/secure.js';
import type { KafkaSecurity } from '../sdk/src/buffer/security.js';
import { kafkaClientAvailable, type KafkaClientName } from '../sdk/src/buffer/transport.js';

export const SECURE_PORTS: Record<LocalSecurityMode, number> = {
  sasl_ssl: 51092,
  ssl: 51492,
  sasl_plaintext: 51892
};

export interface SecureKafka {
  mode: LocalSecurityMode;
  home: string;
  bootstrapServers: string[];
  /** The client settings `kafka start` printed (no secret in them). */
  security: KafkaSecurity;
  files: LocalSecurityFiles;
  /** The SCRAM password (for the "never shown" checks). */
  password: string;
}

/** Starts (or finds) the secured cluster of `mode`. */
export async function secureKafka(mode: LocalSecurityMode): Promise<SecureKafka> {
  const home = join(import.meta.dirname, '..', '.alertlab', `secure-${mode}`);
  const kafka = await LocalKafka.start({
    home,
    port: SECURE_PORTS[mode],
    security: mode,
    heap: '384m',
    timeoutMs: 180_000,
    // the SASL_SSL test broker also takes unsigned OAUTHBEARER tokens (token clients' tests)
    unsecuredOauthForTests: mode === 'sasl_ssl'
  });
  const security = kafka.security?.client;
  if (security === undefined) {
    throw new Error(`the local Kafka in ${home} is not secured`);
  }
  const files = securityFiles(join(home, 'kafka'));
  return {
    mode,
    home,
    bootstrapServers: kafka.bootstrapServers.split(','),
    security,
    files,
    password: readFileSync(files.passwordFile, 'utf8').trim()
  };
}

/** A logger at debug level that keeps every line (message and fields) as text. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    sink: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`)
  });
  return { logger, lines };
}

/** Asserts that none of `secrets` appears in `text` (named `where` in the failure). */
export function expectNoSecret(text: string, secrets: string[], where: string): void {
  for (const s of secrets) {
    expect(text.includes(s), `${where} shows a secret`).toBe(false);
  }
}

/** Runs `fn`, expecting it to fail; returns the error and how long it took. */
export async function failure(
  fn: () => Promise<unknown>
): Promise<{ error: Error & { context?: Record<string, unknown> }; ms: number }> {
  const start = Date.now();
  try {
    await fn();
  } catch (e) {
    return { error: e as Error & { context?: Record<string, unknown> }, ms: Date.now() - start };
  }
  throw new Error('expected a failure, but it succeeded');
}

/**
 * The clients the security tests run on: kafkajs and confluent. Without the librdkafka build the
 * confluent cases are left out with the reason (a failure under CI=true, where setup builds it).
 */
export async function securityTestClients(): Promise<KafkaClientName[]> {
  if (process.env.CI === 'true' || (await kafkaClientAvailable('confluent'))) {
    return ['kafkajs', 'confluent'];
  }
  console.warn(
    'security tests: the confluent cases are skipped: the librdkafka client is not built here ' +
      '(run scripts/setup-kafka-client.sh)'
  );
  return ['kafkajs'];
}
