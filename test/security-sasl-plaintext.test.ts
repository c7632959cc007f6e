/**
 * Kafka over SASL_PLAINTEXT — the mode of Rubin's community-broker stream — against a local broker
 * of its own (`kafka start --security sasl_plaintext`, port 51892, controller 51992, internal mTLS
 * listener 52092): produce and attach on kafkajs and confluent with SCRAM-SHA-512, SCRAM-SHA-256
 * and PLAIN, and OAUTHBEARER with a token from a command (Kafka's unsecured validator, test
 * tokens); a wrong password or a failing token command fails within seconds naming the setting;
 * the real Rubin alerts are read through a profile with the settings of
 * profiles/rubin-usdf-integration.json pointed at this broker. No log line, error or broker log shows the password. The broker is stopped at the end
 * unless this file found it already running.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { LocalKafka } from '../sdk/src/buffer/local/index.js';
import { securityFiles } from '../sdk/src/buffer/local/secure.js';
import type { SaslMechanism } from '../sdk/src/buffer/security.js';
import type { KafkaClientName } from '../sdk/src/buffer/transport.js';
import { KafkaSecurityError } from '../sdk/src/errors.js';
import { randomName } from './buffer-helpers.js';
import { produceAndAttach } from './security-scenarios.js';
import {
  capturingLogger,
  expectNoSecret,
  failure,
  SECURE_PORTS,
  securityTestClients,
  type SecureKafka
} from './security-helpers.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'alertlab');
const run = promisify(execFile);
const CLIENTS: KafkaClientName[] = await securityTestClients();
const MECHANISMS: SaslMechanism[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'];
const WRONG_PASSWORD = 'not-the-password-0815';
const missing = samplesMissing();

describe('Kafka over SASL_PLAINTEXT (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN)', () => {
  let local: LocalKafka;
  let kafka: SecureKafka;
  const withMechanism = (mechanism: SaslMechanism): SecureKafka => ({
    ...kafka,
    security: { ...kafka.security, sasl: { ...kafka.security.sasl!, mechanism } }
  });

  beforeAll(async () => {
    const home = join(ROOT, '.alertlab', 'secure-sasl_plaintext');
    local = await LocalKafka.start({
      home,
      port: SECURE_PORTS.sasl_plaintext,
      security: 'sasl_plaintext',
      heap: '384m',
      timeoutMs: 180_000,
      unsecuredOauthForTests: true // OAUTHBEARER with unsigned test tokens (the token command)
    });
    const security = local.security?.client;
    if (security === undefined) {
      throw new Error(`the local Kafka in ${home} is not secured`);
    }
    const files = securityFiles(join(home, 'kafka'));
    kafka = {
      mode: 'sasl_plaintext',
      home,
      bootstrapServers: local.bootstrapServers.split(','),
      security,
      files,
      password: readFileSync(files.passwordFile, 'utf8').trim()
    };
  }, 240_000);

  afterAll(async () => {
    if (local && !local.alreadyRunning) {
      await local.close();
    }
  }, 60_000);

  it('the settings `kafka start` printed are SASL_PLAINTEXT with SCRAM-SHA-512', () => {
    expect(kafka.security.protocol).toBe('SASL_PLAINTEXT');
    expect(kafka.security.sasl?.mechanism).toBe('SCRAM-SHA-512');
    expect(kafka.security.tls).toBeUndefined();
  });

  for (const client of CLIENTS) {
    it.each(MECHANISMS)(`${client}: %s produces and attaches; no secret in its logs`, async m => {
      const { rows, logs } = await produceAndAttach(withMechanism(m), client, 500);
      expect(rows).toBe(500);
      expect(logs.length).toBeGreaterThan(0);
      expectNoSecret(logs.join('\n'), [kafka.password], `${client} logs`);
    });

    it.each(MECHANISMS)(
      `${client}: %s with a wrong password fails within seconds naming the setting`,
      async m => {
        process.env.SEC_PLAINTEXT_TEST_PW = WRONG_PASSWORD;
        const base = withMechanism(m).security;
        const { logger, lines } = capturingLogger();
        const c = await BufferClient.create({
          bootstrapServers: kafka.bootstrapServers,
          security: {
            ...base,
            sasl: { ...base.sasl!, passwordFile: undefined, passwordEnv: 'SEC_PLAINTEXT_TEST_PW' }
          },
          kafkaClient: client,
          logger
        });
        try {
          const { error, ms } = await failure(async () => (await c.admin()).listTopics());
          expect(error).toBeInstanceOf(KafkaSecurityError);
          expect(error.message).toMatch(/security\.sasl\.username \/ security\.sasl\.passwordEnv/);
          expect(String(error.context?.setting)).toMatch(/security\.sasl\.passwordEnv/);
          expect(ms).toBeLessThan(10_000); // the preflight answers in ms; the clients alone retry 10–30 s
          const shown = `${error.message}\n${JSON.stringify(error.context)}\n${lines.join('\n')}`;
          expectNoSecret(shown, [kafka.password, WRONG_PASSWORD], 'the error and logs');
        } finally {
          await c.close();
        }
      }
    );
  }

  it.each(CLIENTS)(
    '%s: OAUTHBEARER with a token from tokenCommand; a failing command fails fast naming it',
    async client => {
      const dir = mkdtempSync(join(tmpdir(), 'alertlab-sasl-plaintext-oauth-'));
      const calls = join(dir, 'calls');
      const script = join(dir, 'get-token.mjs');
      // prints an unsigned JWT (sub, exp in 10 min) and counts its runs; fails when asked to,
      // after printing a token-like line on stderr (which must not be shown)
      writeFileSync(
        script,
        [
          "import { appendFileSync } from 'node:fs';",
          `appendFileSync(${JSON.stringify(calls)}, 'x');`,
          "if (process.argv[2] === 'fail') { console.error('SECRET-TOKEN-abc'); process.exit(3); }",
          "const b64 = o => Buffer.from(JSON.stringify(o)).toString('base64url');",
          'const now = Math.floor(Date.now() / 1000);',
          "console.log(`${b64({ alg: 'none' })}.${b64({ sub: 'alertlab', exp: now + 600 })}.`);"
        ].join('\n')
      );
      const oauth = (argv: string[]) => ({
        protocol: 'SASL_PLAINTEXT' as const,
        sasl: { mechanism: 'OAUTHBEARER' as const, tokenCommand: [process.execPath, ...argv] }
      });
      const { logger, lines } = capturingLogger();
      const c = await BufferClient.create({
        bootstrapServers: kafka.bootstrapServers,
        security: oauth([script]),
        kafkaClient: client,
        logger
      });
      const topic = randomName('sec-oauth-cmd');
      try {
        await c.createTopics([{ topic, partitions: 1 }]);
        const producer = await c.producer();
        const [r] = await producer.send([{ topic, value: new TextEncoder().encode('x') }]);
        expect(r.baseOffset).toBe(0n);
        await c.deleteTopics([topic]);
      } finally {
        await c.close();
      }
      expect(readFileSync(calls, 'utf8').length).toBeGreaterThanOrEqual(1);
      expect(lines.join('\n')).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT in the logs
      const bad = await BufferClient.create({
        bootstrapServers: kafka.bootstrapServers,
        security: oauth([script, 'fail']),
        kafkaClient: client
      });
      try {
        const { error, ms } = await failure(async () => (await bad.admin()).listTopics());
        expect(error).toBeInstanceOf(KafkaSecurityError);
        expect(error.message).toMatch(/security\.sasl\.tokenCommand/);
        expect(error.message).not.toContain('SECRET-TOKEN-abc');
        expect(ms).toBeLessThan(10_000); // the preflight answers in ms; the clients alone retry 10–30 s
      } finally {
        await bad.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  );

  describe.skipIf(skipWithoutData(missing))(
    `the Rubin profile's settings on this broker${missing ? ` (SKIPPED: ${missing})` : ''}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'alertlab-sasl-plaintext-profile-'));
      const topic = randomName('rubin-sasl-plaintext');
      let profile = '';

      beforeAll(async () => {
        // the shipped profile as it is, but on this broker and this topic; the Schema Registry is
        // left out (no network in tests): the schema id 1000 resolves to lsst.v10_0 locally
        const shipped = JSON.parse(
          readFileSync(join(ROOT, 'profiles', 'rubin-usdf-integration.json'), 'utf8')
        ) as Record<string, unknown> & { format: Record<string, unknown> };
        expect(shipped.security).toEqual({
          protocol: 'SASL_PLAINTEXT',
          sasl: {
            mechanism: 'SCRAM-SHA-512',
            usernameEnv: 'RUBIN_ALERT_STREAM_USERNAME',
            passwordEnv: 'RUBIN_ALERT_STREAM_PASSWORD'
          }
        });
        const format = { ...shipped.format };
        delete format.schemaRegistry;
        profile = join(dir, 'rubin-local.json');
        writeFileSync(
          profile,
          JSON.stringify({
            ...shipped,
            name: 'rubin-local',
            brokers: kafka.bootstrapServers,
            format,
            topics: topic
          })
        );
        const client = await BufferClient.create({
          bootstrapServers: kafka.bootstrapServers,
          security: kafka.security
        });
        try {
          await client.createTopics([{ topic, partitions: 2 }]);
          const producer = await client.producer();
          const values = oracleRubinBodies().map(b => {
            const value = new Uint8Array(b.length + 5);
            new DataView(value.buffer).setInt32(1, 1000); // Confluent framing, lsst.v10_0
            value.set(b, 5);
            return { topic, value };
          });
          await producer.send(values);
        } finally {
          await client.close();
        }
      }, 60_000);

      afterAll(async () => {
        const client = await BufferClient.create({
          bootstrapServers: kafka.bootstrapServers,
          security: kafka.security
        });
        try {
          await client.deleteTopics([topic]).catch(() => undefined);
        } finally {
          await client.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }, 30_000);

      const attach = (password: string) =>
        run(BIN, ['attach', topic, '--profile', profile, '--json', '--idle', '4'], {
          timeout: 60_000,
          env: {
            ...process.env,
            ALERTLAB_LOG_LEVEL: 'error',
            RUBIN_ALERT_STREAM_USERNAME: 'alertlab',
            RUBIN_ALERT_STREAM_PASSWORD: password
          }
        });

      it('reads the real Rubin alerts; a wrong password fails fast and shows neither', async () => {
        const expected = oracleDump([SAMPLE_FILES.rubin]).map(o => o.alertId);
        const { stdout, stderr } = await attach(kafka.password);
        const ids = stdout
          .split('\n')
          .filter(Boolean)
          .map(l => String((JSON.parse(l) as { alertId: string }).alertId));
        expect(ids.sort()).toEqual([...expected].sort());
        expect(stderr).toMatch(/\(group alertlab[.-]/); // consumer groups start with the user
        expectNoSecret(`${stdout}\n${stderr}`, [kafka.password], 'attach output');
        const started = Date.now();
        const failed = await attach(WRONG_PASSWORD).then(
          () => undefined,
          (e: { stderr: string }) => e.stderr
        );
        expect(Date.now() - started).toBeLessThan(20_000); // tsx start-up included
        expect(failed).toMatch(/security\.sasl\.passwordEnv/);
        expectNoSecret(failed ?? '', [kafka.password, WRONG_PASSWORD], 'attach stderr');
      }, 90_000);
    }
  );

  it("the broker's log and stdout never show the password (PLAIN's user is in its properties)", () => {
    for (const node of local.nodes) {
      const props = statSync(node.propertiesFile).mode & 0o777;
      expect(props, 'server.properties holds the PLAIN password: owner-only').toBe(0o600);
      const logs = [node.logFile, node.stdoutFile].map(f => readFileSync(f, 'utf8')).join('\n');
      expect(logs.length).toBeGreaterThan(0);
      expectNoSecret(logs, [kafka.password], `broker ${node.nodeId} logs`);
    }
  });
});
