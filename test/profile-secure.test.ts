/**
 * A stream profile against a secured local Kafka (`alertlab kafka start --security sasl_ssl`, its
 * own home, port 52092): SASL_SSL with SCRAM-SHA-512 and the generated private CA, credentials from
 * the file the profile names, or from the environment variable it names. The real Rubin alerts
 * (Confluent-framed) are read and resumed; a profile whose password is wrong fails within seconds
 * with a message that names the setting and never the password.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const BIN = join(import.meta.dirname, '..', 'bin', 'alertlab');
const PORT = 52092; // this file's own broker
const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);
const run = promisify(execFile);

describe.skipIf(skipWithoutData(missing))(title('profiles on a SASL_SSL local Kafka'), () => {
  const home = mkdtempSync(join(tmpdir(), 'alertlab-secure-profile-'));
  const env = { ...process.env, ALERTLAB_HOME: home, ALERTLAB_LOG_LEVEL: 'error' };
  const brokers = [`127.0.0.1:${PORT}`];
  const topic = randomName('secure-profile');
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
    await run(
      BIN,
      ['kafka', 'start', '--security', 'sasl_ssl', '--port', String(PORT), '--heap', '384m'],
      { env, timeout: 180_000 }
    );
    const settings = join(home, 'kafka', 'security', 'client-security.json');
    security = JSON.parse(readFileSync(settings, 'utf8')) as KafkaSecurity;
    password = readFileSync(security.sasl!.passwordFile!, 'utf8').trim();
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
    await run(BIN, ['kafka', 'stop'], { env, timeout: 60_000 }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
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
    expect(good.stderr).toMatch(/group alertlab-alertlab\./);
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
