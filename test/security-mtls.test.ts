/**
 * Kafka over mTLS (SSL with client certificates), against a secured local broker (`kafka start
 * --security ssl`, port 51492): produce and attach on kafkajs and confluent, a stage that survives
 * kill -9 exactly once, the controller. An expired client certificate, a client certificate from
 * another CA, no client certificate, an untrusted broker CA and an expired broker certificate each
 * fail within seconds with an error naming the setting to fix; the key never shows.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferClient } from '../sdk/src/buffer/client.js';
import { ensureSecurityMaterial, issueCertificate } from '../sdk/src/buffer/local/secure.js';
import type { KafkaSecurity } from '../sdk/src/buffer/security.js';
import type { KafkaClientName } from '../sdk/src/buffer/transport.js';
import { KafkaSecurityError } from '../sdk/src/errors.js';
import { controllerDeploys, produceAndAttach, stageSurvivesKill } from './security-scenarios.js';
import {
  securityTestClients,
  capturingLogger,
  expectNoSecret,
  failure,
  secureKafka,
  type SecureKafka
} from './security-helpers.js';
import { skipWithoutSamples } from './stage-helpers.js';

const CLIENTS: KafkaClientName[] = await securityTestClients();
const DAY = 86_400_000;

describe('Kafka over mTLS (SSL with client certificates)', () => {
  let kafka: SecureKafka;
  let dir: string;
  let keyText: string;
  const certs: Record<string, { certFile: string; keyFile: string }> = {};

  beforeAll(async () => {
    kafka = await secureKafka('ssl');
    keyText = readFileSync(kafka.security.tls!.keyFile!, 'utf8');
    dir = await mkdtemp(join(tmpdir(), 'alertlab-mtls-'));
    const now = Date.now();
    // an expired client certificate from the broker's own CA
    certs.expired = { certFile: join(dir, 'expired.pem'), keyFile: join(dir, 'expired.key') };
    issueCertificate(kafka.files, {
      commonName: 'expired-client',
      ...certs.expired,
      usage: 'client',
      notBeforeMs: now - 3 * DAY,
      notAfterMs: now - DAY
    });
    // a client certificate of another CA (a second private CA made the same way)
    const other = ensureSecurityMaterial(join(dir, 'other'), 'ssl');
    certs.otherCa = { certFile: other.clientCertFile, keyFile: other.clientKeyFile };
  }, 240_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CLIENTS)('%s: produces and attaches with its client certificate', async client => {
    const { rows, logs } = await produceAndAttach(kafka, client, 1000);
    expect(rows).toBe(1000);
    expectNoSecret(logs.join('\n'), [keyText.split('\n')[1]], `${client} logs`);
  });

  const wrong: Array<[string, (s: KafkaSecurity) => KafkaSecurity, RegExp]> = [
    [
      'an expired client certificate',
      s => ({ ...s, tls: { ...s.tls, ...certs.expired } }),
      /security\.tls\.certFile[\s\S]*expired|expired[\s\S]*security\.tls\.certFile/
    ],
    [
      'a client certificate from another CA',
      s => ({ ...s, tls: { ...s.tls, ...certs.otherCa } }),
      /security\.tls\.certFile/
    ],
    [
      'no client certificate',
      s => ({ ...s, tls: { caFile: s.tls!.caFile } }),
      /security\.tls\.certFile/
    ],
    [
      'an untrusted broker CA',
      s => ({ ...s, tls: { ...s.tls, caFile: undefined } }),
      /security\.tls\.caFile/
    ]
  ];

  for (const client of CLIENTS) {
    it.each(wrong)(
      `${client}: %s fails within seconds naming the setting`,
      async (_, edit, setting) => {
        const { logger, lines } = capturingLogger();
        const c = await BufferClient.create({
          bootstrapServers: kafka.bootstrapServers,
          security: edit(kafka.security),
          kafkaClient: client,
          logger
        });
        try {
          const { error, ms } = await failure(async () => (await c.admin()).listTopics());
          expect(error).toBeInstanceOf(KafkaSecurityError);
          expect(error.message).toMatch(setting);
          expect(ms).toBeLessThan(10_000); // the preflight answers in ms; the clients alone retry 10–30 s
          expectNoSecret(
            `${error.message}\n${lines.join('\n')}`,
            [keyText.split('\n')[1]],
            'error'
          );
        } finally {
          await c.close();
        }
      }
    );
  }

  it("an expired broker certificate fails at once, naming the broker's certificate", async () => {
    // a TLS server with a broker certificate of the same CA that expired yesterday
    const broker = { certFile: join(dir, 'old-broker.pem'), keyFile: join(dir, 'old-broker.key') };
    issueCertificate(kafka.files, {
      commonName: 'old-broker',
      ...broker,
      subjectAltName: 'IP:127.0.0.1',
      usage: 'server',
      notBeforeMs: Date.now() - 3 * DAY,
      notAfterMs: Date.now() - DAY
    });
    const server = createServer({
      cert: readFileSync(broker.certFile),
      key: readFileSync(broker.keyFile)
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const c = await BufferClient.create({
      bootstrapServers: [`127.0.0.1:${port}`],
      security: kafka.security
    });
    try {
      const { error, ms } = await failure(async () => (await c.admin()).listTopics());
      expect(error).toBeInstanceOf(KafkaSecurityError);
      expect(error.message).toMatch(/broker's certificate .*has expired/);
      expect(ms).toBeLessThan(10_000); // the preflight answers in ms; the clients alone retry 10–30 s
    } finally {
      await c.close();
      server.close();
    }
  });

  describe.skipIf(skipWithoutSamples())('stages', () => {
    it('a stage killed with SIGKILL routes every alert exactly once', async () => {
      await stageSurvivesKill(kafka, 2000);
    }, 240_000);

    it('the controller deploys a stage over mTLS', async () => {
      await controllerDeploys(kafka, [keyText.split('\n')[1]]);
    }, 240_000);
  });
});
