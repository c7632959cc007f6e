/**
 * A stream profile against the secured local Kafka of the security tests (test/security-helpers.ts:
 * `--security sasl_ssl` on 51092, started once and reused): SASL_SSL with SCRAM-SHA-512 and the
 * generated private CA, credentials from
 * the file the profile names, or from the environment variable it names. The real Rubin alerts
 * (Confluent-framed) are read and resumed; a profile whose password is wrong fails within seconds
 * with a message that names the setting and never the password.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  oracleDump,
  oracleRubinBodies,
  SAMPLE_FILES,
  samplesMissing,
  skipWithoutData
} from '../sdk/src/alerts/testing/samples.js';
import { BufferClient } from '../sdk/src/buffer/client.js';
import type { KafkaSecurity } from '../sdk/src/buffer/security.js';
import { randomName } from './buffer-helpers.js';
import { secureKafka } from './security-helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'alertlab');
const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);
const run = promisify(execFile);

describe.skipIf(skipWithoutData(missing))(title('profiles on a SASL_SSL local Kafka'), () => {
  const home = mkdtempSync(join(tmpdir(), 'alertlab-secure-profile-'));
  const env = { ...process.env, ALERTLAB_LOG_LEVEL: 'error' };
  const topic = randomName('secure-profile');
  let brokers: string[] = [];
  let security: KafkaSecurity;
  let password = '';

  const writeProfile = (name: string, sec: object, extra: object = {}): string => {
    const file = join(home, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        name,
        documentation: 'https://kafka.apache.org/documentation/#security_sasl_scram',
        brokers,
        security: sec,
        format: { kind: 'confluent' },
        ...extra
      })
    );
    return file;
  };
  const attach = async (profile: string, extraEnv: Record<string, string> = {}) => {
    const { stdout, stderr } = await run(
      BIN,
      ['attach', topic, '--profile', profile, '--json', '--idle', '4'],
      { env: { ...env, ...extraEnv }, timeout: 90_000 }
    );
    const ids = stdout
      .split('\n')
      .filter(Boolean)
      .map(l => String((JSON.parse(l) as { alertId: string }).alertId));
    return { ids, stderr };
  };

  beforeAll(async () => {
    const kafka = await secureKafka('sasl_ssl');
    brokers = kafka.bootstrapServers;
    security = kafka.security;
    password = kafka.password;
    const client = await BufferClient.create({ bootstrapServers: brokers, security });
    try {
      await client.createTopics([{ topic, partitions: 2 }]);
      const producer = await client.producer();
      for (const b of oracleRubinBodies()) {
        const value = new Uint8Array(b.length + 5);
        new DataView(value.buffer).setInt32(1, 1000); // lsst.v10_0
        value.set(b, 5);
        await producer.send([{ topic, value }]);
      }
    } finally {
      await client.close();
    }
  }, 240_000);

  afterAll(async () => {
    const client = await BufferClient.create({ bootstrapServers: brokers, security });
    try {
      await client.deleteTopics([topic]).catch(() => undefined);
      const admin = await client.admin();
      const groups = (await admin.listGroups()).map(g => g.groupId).filter(g => g.includes(topic));
      await admin.deleteGroups(groups).catch(() => undefined);
    } finally {
      await client.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 90_000);

  it('reads the real alerts with the password from a file, then resumes', async () => {
    const ids = oracleDump([SAMPLE_FILES.rubin]).map(o => o.alertId);
    const profile = writeProfile('secure-file', security);
    expect([...(await attach(profile)).ids].sort()).toEqual([...ids].sort());
    expect((await attach(profile)).ids).toEqual([]);
  }, 120_000);

  it('takes the password from the environment variable it names; a wrong one fails fast', async () => {
    // the shape of the Rubin profile: user and password from variables, groups named after the user
    const sec = {
      ...security,
      sasl: {
        mechanism: 'SCRAM-SHA-512',
        usernameEnv: 'LOCAL_KAFKA_USER',
        passwordEnv: 'LOCAL_KAFKA_PW'
      }
    };
    const profile = writeProfile('secure-env', sec, { consumerGroupPrefix: '$username' });
    const good = await attach(profile, { LOCAL_KAFKA_USER: 'alertlab', LOCAL_KAFKA_PW: password });
    expect(good.stderr).toMatch(/read 7 alerts/);
    expect(good.stderr).toMatch(/\(group alertlab[.-]/); // starts with the user name
    const wrong = 'not-the-password-42';
    const started = Date.now();
    const failed = await attach(profile, {
      LOCAL_KAFKA_USER: 'alertlab',
      LOCAL_KAFKA_PW: wrong
    }).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(failed).toMatch(/passwordEnv|password|SASL|authentication/i);
    expect(failed).not.toContain(wrong);
    expect(failed).not.toContain(password);
  }, 120_000);
});
