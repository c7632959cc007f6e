/**
 * A secured local cluster (`alertlab kafka start --security sasl_ssl|ssl|sasl_plaintext`): a private
 * CA and certificates made with openssl under `<kafka>/security` (owner-only), a SCRAM user created
 * when the storage is formatted, and the listeners. Clients use the CLIENT listener (the chosen
 * protocol); brokers and controllers talk over mTLS (INTERNAL, CONTROLLER), where the readiness probe
 * also connects with the broker's own certificate. Certificates name IP 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaStartError } from '../../errors.js';
import type { KafkaSecurity } from '../security.js';

export const LOCAL_SECURITY_MODES = ['sasl_ssl', 'ssl', 'sasl_plaintext'] as const;
export type LocalSecurityMode = (typeof LOCAL_SECURITY_MODES)[number];

/** The SCRAM user made at format time (SCRAM-SHA-512 and SCRAM-SHA-256). */
export const LOCAL_SCRAM_USER = 'alertlab';

/** Internal (inter-broker, probe) listeners sit this far above the broker ports. */
export const INTERNAL_PORT_OFFSET = 200;

export interface LocalSecurityFiles {
  dir: string;
  caFile: string;
  caKeyFile: string;
  /** The broker's key and certificate in one PEM (Kafka's PEM keystore). */
  brokerKeystore: string;
  brokerCertFile: string;
  brokerKeyFile: string;
  /** The client certificate (mTLS), CN=alertlab. */
  clientCertFile: string;
  clientKeyFile: string;
  /** The SCRAM user's password (owner-only). */
  passwordFile: string;
  /** The client settings to use (security JSON, paths absolute). */
  settingsFile: string;
}

export function securityFiles(kafkaDir: string): LocalSecurityFiles {
  const dir = join(kafkaDir, 'security');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caKeyFile: join(dir, 'ca.key'),
    brokerKeystore: join(dir, 'broker-keystore.pem'),
    brokerCertFile: join(dir, 'broker.pem'),
    brokerKeyFile: join(dir, 'broker.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
    passwordFile: join(dir, 'client.password'),
    settingsFile: join(dir, 'client-security.json')
  };
}

function openssl(args: string[], what: string): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (cause) {
    const err = cause as { stderr?: Buffer; message: string };
    throw new KafkaStartError(
      `openssl failed making ${what}: ${err.stderr?.toString().trim() || err.message}. ` +
        'Install openssl (Debian: apt-get install openssl).',
      { cause }
    );
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** `YYYYMMDDHHMMSSZ` as openssl wants it. */
const asn1Time = (ms: number): string =>
  new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

export interface CertificateRequest {
  commonName: string;
  certFile: string;
  keyFile: string;
  /** e.g. `IP:127.0.0.1`; none for a client certificate. */
  subjectAltName?: string;
  usage: 'server' | 'client' | 'both';
  /** @default now - 1 h */
  notBeforeMs?: number;
  /** @default now + 825 days */
  notAfterMs?: number;
}

/** Makes a key (owner-only) and a certificate signed by the local CA (`openssl ca`). */
export function issueCertificate(files: LocalSecurityFiles, req: CertificateRequest): void {
  const work = join(files.dir, `.ca-${randomBytes(4).toString('hex')}`);
  mkdirSync(work, { mode: 0o700 });
  try {
    const csr = join(work, 'req.csr');
    openssl(
      ['req', '-new', ...EC, '-keyout', req.keyFile, '-out', csr, '-subj', `/CN=${req.commonName}`],
      `a key for ${req.commonName}`
    );
    chmodSync(req.keyFile, 0o600);
    const eku = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' };
    writeFileSync(join(work, 'index.txt'), '');
    writeFileSync(join(work, 'serial'), `${randomBytes(8).toString('hex')}\n`);
    const config = [
      '[ca]',
      'default_ca = local',
      '[local]',
      `database = ${join(work, 'index.txt')}`,
      `new_certs_dir = ${work}`,
      `serial = ${join(work, 'serial')}`,
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      'x509_extensions = ext',
      '[any]',
      'commonName = supplied',
      '[ext]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage = ${eku[req.usage]}`,
      ...(req.subjectAltName ? [`subjectAltName = ${req.subjectAltName}`] : [])
    ].join('\n');
    writeFileSync(join(work, 'ca.cnf'), config);
    const now = Date.now();
    openssl(
      [
        'ca', '-batch', '-notext', '-config', join(work, 'ca.cnf'),
        '-cert', files.caFile, '-keyfile', files.caKeyFile, '-in', csr, '-out', req.certFile,
        '-startdate', asn1Time(req.notBeforeMs ?? now - 3_600_000),
        '-enddate', asn1Time(req.notAfterMs ?? now + 825 * 86_400_000)
      ], // prettier-ignore
      `the certificate of ${req.commonName}`
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Makes the CA, the broker and client certificates and the SCRAM password once (kept across
 * restarts; `fresh` makes new ones), and writes the client settings for `mode`.
 */
export function ensureSecurityMaterial(
  kafkaDir: string,
  mode: LocalSecurityMode,
  fresh = false
): LocalSecurityFiles {
  const files = securityFiles(kafkaDir);
  if (fresh) {
    rmSync(files.dir, { recursive: true, force: true });
  }
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  chmodSync(files.dir, 0o700);
  if (!existsSync(files.caFile) || !existsSync(files.caKeyFile)) {
    const subj = '/CN=alertlab local CA';
    openssl(
      ['req', '-x509', '-new', ...EC, '-keyout', files.caKeyFile, '-out', files.caFile,
        '-days', '3650', '-subj', subj,
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], // prettier-ignore
      'the local CA'
    );
    chmodSync(files.caKeyFile, 0o600);
    rmSync(files.brokerCertFile, { force: true });
    rmSync(files.clientCertFile, { force: true });
  }
  if (!existsSync(files.brokerCertFile)) {
    issueCertificate(files, {
      commonName: 'alertlab-broker',
      certFile: files.brokerCertFile,
      keyFile: files.brokerKeyFile,
      subjectAltName: 'IP:127.0.0.1',
      usage: 'both'
    });
    const pem = readFileSync(files.brokerKeyFile, 'utf8') + readFileSync(files.brokerCertFile);
    writeFileSync(files.brokerKeystore, pem, { mode: 0o600 });
  }
  if (!existsSync(files.clientCertFile)) {
    issueCertificate(files, {
      commonName: LOCAL_SCRAM_USER,
      certFile: files.clientCertFile,
      keyFile: files.clientKeyFile,
      usage: 'client'
    });
  }
  if (!existsSync(files.passwordFile)) {
    writeFileSync(files.passwordFile, randomBytes(18).toString('base64url') + '\n', {
      mode: 0o600
    });
  }
  writeFileSync(files.settingsFile, JSON.stringify(clientSecurity(mode, files), null, 2) + '\n');
  return files;
}

/** The settings a client uses against the CLIENT listener in `mode`. */
export function clientSecurity(mode: LocalSecurityMode, files: LocalSecurityFiles): KafkaSecurity {
  const sasl = {
    mechanism: 'SCRAM-SHA-512' as const,
    username: LOCAL_SCRAM_USER,
    passwordFile: files.passwordFile
  };
  switch (mode) {
    case 'sasl_ssl':
      return { protocol: 'SASL_SSL', sasl, tls: { caFile: files.caFile } };
    case 'sasl_plaintext':
      return { protocol: 'SASL_PLAINTEXT', sasl };
    case 'ssl':
      return {
        protocol: 'SSL',
        tls: { caFile: files.caFile, certFile: files.clientCertFile, keyFile: files.clientKeyFile }
      };
  }
}

/** `--add-scram` arguments for Kafka's storage tool (the user, both SCRAM mechanisms). */
export function scramFormatArgs(files: LocalSecurityFiles): string[] {
  const password = readFileSync(files.passwordFile, 'utf8').split('\n')[0].trim();
  return ['SCRAM-SHA-512', 'SCRAM-SHA-256'].flatMap(m => [
    '--add-scram',
    `${m}=[name=${LOCAL_SCRAM_USER},password=${password}]`
  ]);
}

/** The listener properties of a secured node (they replace the plaintext ones). */
export function secureListenerProps(
  mode: LocalSecurityMode,
  ports: { brokerPort: number; controllerPort: number },
  files: LocalSecurityFiles,
  unsecuredOauth = false
): [string, string][] {
  const internal = ports.brokerPort + INTERNAL_PORT_OFFSET;
  const clientProtocol = mode.toUpperCase();
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  // PLAIN too on a SASL listener: its one user and the generated password, kept in the node's
  // owner-only server.properties (Kafka never logs a JAAS value)
  const plain: [string, string][] = [];
  if (mode.startsWith('sasl')) {
    const password = readFileSync(files.passwordFile, 'utf8').split('\n')[0].trim();
    const login = 'org.apache.kafka.common.security.plain.PlainLoginModule required';
    plain.push([
      'listener.name.client.plain.sasl.jaas.config',
      `${login} user_${LOCAL_SCRAM_USER}="${password}";`
    ]);
  }
  return [
    [
      'listeners',
      `CLIENT://127.0.0.1:${ports.brokerPort},INTERNAL://127.0.0.1:${internal},` +
        `CONTROLLER://127.0.0.1:${ports.controllerPort}`
    ],
    [
      'advertised.listeners',
      `CLIENT://127.0.0.1:${ports.brokerPort},INTERNAL://127.0.0.1:${internal}`
    ],
    ['listener.security.protocol.map', `CLIENT:${clientProtocol},INTERNAL:SSL,CONTROLLER:SSL`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'INTERNAL'],
    ['ssl.keystore.type', 'PEM'],
    ['ssl.keystore.location', files.brokerKeystore],
    ['ssl.truststore.type', 'PEM'],
    ['ssl.truststore.location', files.caFile],
    ['ssl.client.auth', 'required'],
    ['listener.name.client.ssl.client.auth', mode === 'ssl' ? 'required' : 'none'],
    [
      'listener.name.client.sasl.enabled.mechanisms',
      `SCRAM-SHA-512,SCRAM-SHA-256${plain.length ? ',PLAIN' : ''}${unsecuredOauth ? ',OAUTHBEARER' : ''}`
    ],
    ['listener.name.client.scram-sha-512.sasl.jaas.config', scram],
    ['listener.name.client.scram-sha-256.sasl.jaas.config', scram],
    ...plain,
    // tests only: Kafka's default OAUTHBEARER validator accepts any unsigned JWT (sub, exp)
    ...(unsecuredOauth
      ? ([
          [
            'listener.name.client.oauthbearer.sasl.jaas.config',
            'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;'
          ]
        ] as [string, string][])
      : []),
    // a wrong password is answered at once, not after the broker's default 100 ms..1 s delay
    ['connection.failed.authentication.delay.ms', '0']
  ];
}
