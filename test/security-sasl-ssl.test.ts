/**
 * Kafka over SASL_SSL with SCRAM-SHA-512, against a secured local broker (`kafka start --security
 * sasl_ssl`, port 51092, a private CA): produce and attach on kafkajs and confluent, a stage that
 * survives kill -9 exactly once, the controller, the CLI with --security-file; a wrong password,
 * an unknown user, an untrusted CA and a wrong host name each fail within seconds with an error
 * that names the setting to fix. No log line, error, `/stages` answer or metric shows a secret.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferClient } from '../sdk/src/buffer/client.js';
import { KafkaSecurityError } from '../sdk/src/errors.js';
import type { KafkaSecurity } from '../sdk/src/buffer/security.js';
import type { KafkaClientName } from '../sdk/src/buffer/transport.js';
import { controllerDeploys, produceAndAttach, stageSurvivesKill } from './security-scenarios.js';
import {
  securityTestClients,
  capturingLogger,
  expectNoSecret,
  failure,
  secureKafka,
  type SecureKafka
} from './security-helpers.js';
import { PYTHON, produceValues, randomName, skipWithoutSamples } from './stage-helpers.js';
import { smallRubinAlerts } from '../sdk/src/stage/testing/small-alerts.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'alertlab');
const run = promisify(execFile);
const CLIENTS: KafkaClientName[] = await securityTestClients();
const WRONG_PASSWORD = 'not-the-password-4711';

describe('Kafka over SASL_SSL (SCRAM-SHA-512)', () => {
  let kafka: SecureKafka;
  beforeAll(async () => {
    kafka = await secureKafka('sasl_ssl');
  }, 240_000);

  it.each(CLIENTS)('%s: produces and attaches; no secret in its logs', async client => {
    const { rows, logs } = await produceAndAttach(kafka, client, 1000);
    expect(rows).toBe(1000);
    expect(logs.length).toBeGreaterThan(0);
    expectNoSecret(logs.join('\n'), [kafka.password], `${client} logs`);
  });

  const wrong: Array<[string, (s: KafkaSecurity) => KafkaSecurity, RegExp, string[]?]> = [
    [
      'a wrong password',
      s => ({ ...s, sasl: { ...s.sasl!, passwordFile: undefined, passwordEnv: 'SEC_TEST_PW' } }),
      /security\.sasl\.username \/ security\.sasl\.passwordEnv/
    ],
    [
      'an unknown user',
      s => ({ ...s, sasl: { ...s.sasl!, username: 'nobody-here' } }),
      /security\.sasl\.username/
    ],
    ['an untrusted CA', s => ({ ...s, tls: {} }), /security\.tls\.caFile/],
    ['a wrong host name', s => s, /bootstrapServers/, ['localhost:51092']]
  ];

  for (const client of CLIENTS) {
    it.each(wrong)(
      `${client}: %s fails within seconds naming the setting`,
      async (_, edit, setting, servers) => {
        process.env.SEC_TEST_PW = WRONG_PASSWORD;
        const { logger, lines } = capturingLogger();
        const c = await BufferClient.create({
          bootstrapServers: servers ?? kafka.bootstrapServers,
          security: edit(kafka.security),
          kafkaClient: client,
          logger
        });
        try {
          const { error, ms } = await failure(async () => (await c.admin()).listTopics());
          expect(error).toBeInstanceOf(KafkaSecurityError);
          expect(error.message).toMatch(setting);
          expect(String(error.context?.setting)).toMatch(setting);
          expect(ms).toBeLessThan(10_000); // the preflight answers in ms; the clients alone retry 10–30 s
          const shown = `${error.message}\n${JSON.stringify(error.context)}\n${lines.join('\n')}`;
          expectNoSecret(shown, [kafka.password, WRONG_PASSWORD], 'the error and logs');
        } finally {
          await c.close();
        }
      }
    );
  }

  it.each([...CLIENTS, 'platformatic' as const])(
    '%s: OAUTHBEARER with a token from an owner-only file (unsigned test tokens)',
    async client => {
      const dir = mkdtempSync(join(tmpdir(), 'alertlab-sec-oauth-'));
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const token = `${b64({ alg: 'none' })}.${b64({ sub: 'alertlab', iat: now, exp: now + 600 })}.`;
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, token, { mode: 0o600 });
      const oauth: KafkaSecurity = {
        protocol: 'SASL_SSL',
        sasl: { mechanism: 'OAUTHBEARER', tokenFile },
        tls: kafka.security.tls
      };
      const { logger, lines } = capturingLogger();
      const c = await BufferClient.create({
        bootstrapServers: kafka.bootstrapServers,
        security: oauth,
        kafkaClient: client,
        logger
      });
      try {
        const admin = await c.admin();
        expect(Array.isArray(await admin.listTopics())).toBe(true);
        const producer = await c.producer();
        const topic = randomName('sec-oauth');
        await c.createTopics([{ topic, partitions: 1 }]);
        const [r] = await producer.send([{ topic, value: new TextEncoder().encode('x') }]);
        expect(r.baseOffset).toBe(0n);
        await c.deleteTopics([topic]);
      } finally {
        await c.close();
      }
      expectNoSecret(lines.join('\n'), [token.split('.')[1]], `${client} logs`);
      // an expired token is refused before anything connects, naming the file
      writeFileSync(tokenFile, `${b64({ alg: 'none' })}.${b64({ sub: 'a', exp: now - 60 })}.`);
      const stale = await BufferClient.create({
        bootstrapServers: kafka.bootstrapServers,
        security: { ...oauth },
        kafkaClient: client
      });
      try {
        const { error, ms } = await failure(async () => (await stale.admin()).listTopics());
        expect(error.message).toMatch(/expired[\s\S]*security\.sasl\.tokenFile/);
        expect(ms).toBeLessThan(10_000); // the preflight answers in ms; the clients alone retry 10–30 s
      } finally {
        await stale.close();
      }
    }
  );

  it('CLI: --security-file connects; a wrong password fails fast and prints neither password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertlab-sec-cli-'));
    const servers = kafka.bootstrapServers.join(',');
    const created = await run(
      BIN,
      [
        'buffer',
        'describe',
        '__consumer_offsets',
        '--bootstrap',
        servers,
        '--security-file',
        kafka.files.settingsFile,
        '--json'
      ],
      { timeout: 60_000 }
    );
    expect(JSON.parse(created.stdout)).toMatchObject({ topic: '__consumer_offsets' });
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...kafka.security,
        sasl: { ...kafka.security.sasl, passwordFile: undefined, passwordEnv: 'SEC_TEST_PW' }
      })
    );
    const start = Date.now();
    const res = await run(
      BIN,
      ['buffer', 'describe', 'x', '--bootstrap', servers, '--security-file', bad],
      {
        timeout: 60_000,
        env: { ...process.env, SEC_TEST_PW: WRONG_PASSWORD }
      }
    ).then(
      () => undefined,
      (e: { stderr: string; code: number }) => e
    );
    expect(res?.code).toBe(1);
    expect(Date.now() - start).toBeLessThan(15_000); // tsx start-up included
    expect(res?.stderr).toMatch(/security\.sasl\.passwordEnv/);
    expectNoSecret(res?.stderr ?? '', [kafka.password, WRONG_PASSWORD], 'CLI stderr');
  }, 60_000);

  it('Python: connect(security=...) attaches; a wrong password fails fast and shows neither', async () => {
    const topic = randomName('sec-py');
    const c = await BufferClient.create({
      bootstrapServers: kafka.bootstrapServers,
      security: kafka.security
    });
    const dir = mkdtempSync(join(tmpdir(), 'alertlab-sec-py-'));
    try {
      await c.createTopics([{ topic, partitions: 1 }]);
      const small = smallRubinAlerts(0);
      const values = Array.from({ length: 500 }, (_, i) => small.make(i));
      await produceValues(c.transport, topic, values);
      const script = join(import.meta.dirname, 'security_attach.py');
      const args = [
        script,
        join(dir, 'bridge.json'),
        kafka.bootstrapServers.join(','),
        kafka.files.settingsFile,
        topic,
        'SEC_TEST_PW'
      ];
      const { stdout, stderr } = await run(PYTHON, args, {
        timeout: 150_000,
        env: { ...process.env, SEC_TEST_PW: WRONG_PASSWORD }
      });
      const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
        rows: number;
        error: string;
        seconds: number;
      };
      expect(out.rows).toBe(500);
      expect(out.error).toMatch(/security\.sasl\.passwordEnv/);
      expect(out.seconds).toBeLessThan(5);
      const log = readFileSync(join(dir, 'bridge.log'), 'utf8');
      expectNoSecret(
        `${stdout}\n${stderr}\n${log}`,
        [kafka.password, WRONG_PASSWORD],
        'Python and engine'
      );
    } finally {
      await c.deleteTopics([topic]).catch(() => undefined);
      await c.close();
    }
  }, 180_000);

  describe.skipIf(skipWithoutSamples())('stages', () => {
    it('a stage killed with SIGKILL routes every alert exactly once', async () => {
      await stageSurvivesKill(kafka, 2000);
    }, 240_000);

    it('the controller deploys a stage; /stages and /metrics show no secret', async () => {
      await controllerDeploys(kafka, [kafka.password]);
    }, 240_000);
  });
});
