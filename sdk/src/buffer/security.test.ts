import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KafkaSecurityError } from '../errors.js';
import { parseSecurity, safeParseSecurity } from './security.js';
import { parseToken, resolveSecurity, scrubSecrets } from './security-secrets.js';
import { describeSecurity, securityFromEnv } from './security-sources.js';

const SCRAM = {
  protocol: 'SASL_SSL',
  sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', passwordEnv: 'TEST_KAFKA_PW' },
  tls: { caFile: 'ca.pem' }
};

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'alertlab-sec-'));
}

describe('parseSecurity', () => {
  it('accepts SASL_SSL with SCRAM and makes paths absolute from baseDir', () => {
    const sec = parseSecurity(SCRAM, { baseDir: '/etc/kafka' });
    expect(sec).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', passwordEnv: 'TEST_KAFKA_PW' },
      tls: { caFile: '/etc/kafka/ca.pem' }
    });
  });

  it('refuses a plain-text password and says where secrets go instead', () => {
    const r = safeParseSecurity({
      protocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'PLAIN', username: 'a', password: 'hunter22' }
    });
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r);
    expect(text).toContain('security.sasl.password');
    expect(text).toContain('passwordEnv');
    expect(text).not.toContain('hunter22');
  });

  it('lists every issue: missing sasl, tls on plaintext, bad mechanism, half an mTLS pair', () => {
    expect(() => parseSecurity({ protocol: 'SASL_SSL' })).toThrow(/security\.sasl: required/);
    expect(() => parseSecurity({ protocol: 'PLAINTEXT', tls: {} })).toThrow(/security\.tls/);
    expect(() => parseSecurity({ protocol: 'SASL_SSL', sasl: { mechanism: 'GSSAPI' } })).toThrow(
      /mechanism: must be one of/
    );
    expect(() => parseSecurity({ protocol: 'SSL', tls: { certFile: 'c.pem' } })).toThrow(
      /certFile and keyFile go together/
    );
    expect(() =>
      parseSecurity({ protocol: 'SASL_SSL', sasl: { mechanism: 'OAUTHBEARER' } })
    ).toThrow(/tokenCommand\|tokenFile/);
  });

  it('reads ALERTLAB_KAFKA_SECURITY as JSON or as a file path', () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.json'), JSON.stringify(SCRAM));
    const fromFile = securityFromEnv({ ALERTLAB_KAFKA_SECURITY: join(dir, 's.json') });
    expect(fromFile?.tls?.caFile).toBe(join(dir, 'ca.pem'));
    const inline = securityFromEnv({ ALERTLAB_KAFKA_SECURITY: JSON.stringify(SCRAM) });
    expect(inline?.sasl?.username).toBe('alice');
    expect(securityFromEnv({})).toBeUndefined();
  });
});

describe('resolveSecurity', () => {
  it('reads the password from the environment and never shows it', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    const sec = parseSecurity(SCRAM, { baseDir: dir });
    const r = resolveSecurity(sec, { TEST_KAFKA_PW: 'pw-s3cret-value' });
    expect(r.sasl?.mechanism === 'SCRAM-SHA-512' && r.sasl.password.reveal()).toBe(
      'pw-s3cret-value'
    );
    expect(r.tls?.ca).toBe('PEM');
    for (const shown of [JSON.stringify(r), inspect(r, { depth: 9 }), String(r.sasl)]) {
      expect(shown).not.toContain('pw-s3cret-value');
    }
    expect(scrubSecrets('auth with pw-s3cret-value failed')).toBe('auth with [redacted] failed');
    expect(describeSecurity(sec)).toContain('SCRAM-SHA-512 as alice, password from $TEST_KAFKA_PW');
  });

  it('names the missing variable and the setting', () => {
    const sec = parseSecurity(SCRAM);
    try {
      resolveSecurity({ ...sec, tls: {} }, {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KafkaSecurityError);
      expect((e as Error).message).toMatch(/TEST_KAFKA_PW is not set.*security\.sasl\.passwordEnv/);
    }
  });

  it('refuses a secret file readable by group or others and accepts it at 0600', () => {
    const dir = tmp();
    const file = join(dir, 'pw');
    writeFileSync(file, 'filepw-123\n');
    chmodSync(file, 0o644);
    const sec = parseSecurity({
      protocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'PLAIN', username: 'bob', passwordFile: file }
    });
    expect(() => resolveSecurity(sec, {})).toThrow(/readable by group or others.*chmod 600/);
    chmodSync(file, 0o600);
    const r = resolveSecurity(sec, {});
    expect(r.sasl?.mechanism === 'PLAIN' && r.sasl.password.reveal()).toBe('filepw-123');
  });

  it('takes the expiry and principal of a JWT token and refuses an expired one', () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 600;
    const jwt = `${b64({ alg: 'none' })}.${b64({ sub: 'svc', exp })}.`;
    const t = parseToken(jwt, 'security.sasl.tokenFile');
    expect(t.principal).toBe('svc');
    expect(t.expiresAtMs).toBe(exp * 1000);
    const old = `${b64({ alg: 'none' })}.${b64({ sub: 'svc', exp: 1000 })}.`;
    expect(() => parseToken(old, 'security.sasl.tokenFile')).toThrow(/already expired/);
    const j = parseToken('{"access_token":"abcd","expires_in":60}', 'x', 0);
    expect(j.expiresAtMs).toBe(60_000);
  });
});

describe('OAUTHBEARER tokens', () => {
  it('runs tokenCommand (argv, no shell) and fetches again at 80 % of the lifetime', async () => {
    const dir = tmp();
    const counter = join(dir, 'n');
    writeFileSync(counter, '0');
    // a token command: counts its runs, prints a token endpoint answer living 1 s
    const script =
      `const fs=require('fs');const n=Number(fs.readFileSync('${counter}','utf8'))+1;` +
      `fs.writeFileSync('${counter}',String(n));` +
      `console.log(JSON.stringify({access_token:'tok-'+n,expires_in:1}))`;
    const sec = parseSecurity({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'OAUTHBEARER', tokenCommand: [process.execPath, '-e', script] }
    });
    const r = resolveSecurity(sec, {});
    if (r.sasl?.mechanism !== 'OAUTHBEARER') {
      throw new Error('expected an OAUTHBEARER provider');
    }
    const first = await r.sasl.provider.token();
    expect(first.value.reveal()).toBe('tok-1');
    expect((await r.sasl.provider.token()).value.reveal()).toBe('tok-1'); // cached
    await new Promise(res => setTimeout(res, 850)); // past 80 % of 1 s
    expect((await r.sasl.provider.token()).value.reveal()).toBe('tok-2');
    expect(JSON.stringify(first)).not.toContain('tok-1');
  });

  it('a failing token command names the setting, not its output', async () => {
    const sec = parseSecurity({
      protocol: 'SASL_SSL',
      sasl: {
        mechanism: 'OAUTHBEARER',
        tokenCommand: [process.execPath, '-e', 'console.error("leaked-tok");process.exit(3)']
      }
    });
    const r = resolveSecurity(sec, {});
    const provider = r.sasl?.mechanism === 'OAUTHBEARER' ? r.sasl.provider : undefined;
    await expect(provider?.token()).rejects.toThrow(/security\.sasl\.tokenCommand/);
    await expect(provider?.token()).rejects.not.toThrow(/leaked-tok/);
  });
});
