import { describe, expect, it } from 'vitest';
import { KafkaSecurityError } from '../errors.js';
import { securityFailure } from './security-clients.js';
import { resolveSecurity } from './security-secrets.js';
import { parseSecurity } from './security.js';

const sec = resolveSecurity(
  parseSecurity({
    protocol: 'SASL_SSL',
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', passwordEnv: 'PW' },
    tls: {}
  }),
  { PW: 'sekrit-password-1' }
);
const mtls = {
  ...sec,
  tls: { verifyHostname: true, certFile: '/c.pem', keyFile: '/k.pem' }
};

describe('securityFailure', () => {
  it.each([
    // client error texts as kafkajs / librdkafka / Node give them
    [
      'KafkaJSSASLAuthenticationError SASL SCRAM SHA512 authentication failed: invalid credentials',
      sec,
      'security.sasl.username / security.sasl.passwordEnv'
    ],
    ['Local: Authentication failure (ERR__AUTHENTICATION)', sec, 'security.sasl.username'],
    [
      'unable to verify the first certificate UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      sec,
      'security.tls.caFile'
    ],
    [
      'SSL handshake failed: certificate verify failed: broker certificate could not be verified',
      sec,
      'security.tls.caFile'
    ],
    [
      "Hostname/IP does not match certificate's altnames: Host: localhost.",
      sec,
      'bootstrapServers'
    ],
    ['certificate has expired CERT_HAS_EXPIRED', sec, 'security.tls.caFile'],
    ['ssl/tls alert certificate expired SSL alert number 45', mtls, 'security.tls.certFile'],
    ['tlsv13 alert certificate required', mtls, 'security.tls.certFile'],
    ['tlsv1 alert unknown ca', mtls, 'security.tls.certFile']
  ])('%s → %s', (text, s, setting) => {
    const err = securityFailure(new Error(text), s, 'h:9093');
    expect(err).toBeInstanceOf(KafkaSecurityError);
    expect(String(err?.context.setting)).toContain(setting);
    expect(err?.retriable).toBe(false);
  });

  it('leaves network errors to the client, and never shows a secret it read', () => {
    expect(securityFailure(new Error('connect ECONNREFUSED 127.0.0.1:9093'), sec, 'h:1')).toBe(
      undefined
    );
    const err = securityFailure(new Error('authentication failed for sekrit-password-1'), sec, 'h');
    expect(err?.message).not.toContain('sekrit-password-1');
    expect(err?.message).toContain('[redacted]');
  });
});
