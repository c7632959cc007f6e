/**
 * Stream profiles: the shipped ones parse and cite their documentation; a profile never holds a
 * secret; lookup by name and path; resume group ids; reset_to; and each profile format decodes the
 * real samples (../shared/data): Avro with the schema in the message, Confluent framing, schemaless
 * Rubin bodies, and JSON (Lasair's records, built from the real Rubin alerts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodedRows } from '../alerts/testing/rows.js';
import {
  PYTHON,
  SAMPLE_FILES,
  oracleDump,
  oracleRubinBodies,
  readSample,
  samplesMissing,
  skipWithoutData
} from '../alerts/testing/samples.js';
import { parseResetTo, profileDecoder, profileGroupId, resumeGroupId } from './connect.js';
import {
  SHIPPED_PROFILES_DIR,
  listProfiles,
  loadProfile,
  parseProfile,
  type StreamProfile
} from './profile.js';

const dir = mkdtempSync(join(tmpdir(), 'alertlab-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  name: 'test',
  documentation: 'https://example.org/doc',
  brokers: ['127.0.0.1:19092'],
  format: { kind: 'json' }
};
const profileOf = (kind: string, extra: object = {}): StreamProfile =>
  parseProfile({ ...base, format: { kind, ...extra } }, join(dir, 'x.json'));

describe('shipped profiles', () => {
  it('each parses, names https documentation and cites it in its $comment', () => {
    const files = readdirSync(SHIPPED_PROFILES_DIR).filter(f => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const raw = JSON.parse(readFileSync(join(SHIPPED_PROFILES_DIR, f), 'utf8')) as {
        $comment: string;
      };
      const p = loadProfile(join(SHIPPED_PROFILES_DIR, f));
      expect(p.name).toBe(f.replace(/\.json$/, ''));
      expect(p.documentation).toMatch(/^https:\/\//);
      expect(raw.$comment).toMatch(/https:\/\/|github\.com\//);
      expect(p.brokers.length).toBeGreaterThan(0);
    }
    expect(listProfiles({}).map(p => p.name)).toEqual(
      expect.arrayContaining(['lasair-lsst', 'lasair-ztf', 'rubin-usdf-integration'])
    );
  });
});

describe('profile files', () => {
  it('refuses a plain-text secret and names every problem', () => {
    const bad = {
      ...base,
      brokers: ['no-port'],
      security: {
        protocol: 'SASL_SSL',
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'hunter2' }
      },
      format: { kind: 'xml' }
    };
    let message = '';
    try {
      parseProfile(bad, join(dir, 'bad.json'));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('security.sasl.password');
    expect(message).toContain('brokers');
    expect(message).toContain('format.kind');
    expect(message).not.toContain('hunter2');
  });

  it('keeps security settings that name where the secrets are', () => {
    const p = parseProfile(
      {
        ...base,
        security: {
          protocol: 'SASL_SSL',
          sasl: { mechanism: 'SCRAM-SHA-512', usernameEnv: 'S_USER', passwordEnv: 'S_PASS' },
          tls: { caFile: 'ca.pem' }
        }
      },
      join(dir, 'sec.json')
    );
    expect(p.security.sasl?.passwordEnv).toBe('S_PASS');
    expect(p.security.tls?.caFile).toBe(join(dir, 'ca.pem')); // relative to the profile file
  });

  it('is found by name in $ALERTLAB_PROFILES before the shipped ones, and by path', () => {
    writeFileSync(join(dir, 'lasair-lsst.json'), JSON.stringify({ ...base, name: 'mine' }));
    expect(loadProfile('lasair-lsst', { ALERTLAB_PROFILES: dir }).name).toBe('mine');
    expect(loadProfile('lasair-lsst', {}).brokers).toEqual(['lasair-lsst-kafka.lsst.ac.uk:9092']);
    expect(loadProfile(join(dir, 'lasair-lsst.json')).name).toBe('mine');
    expect(() => loadProfile('nope', {})).toThrow(/Known profiles: .*lasair-lsst/);
  });
});

describe('consumer groups a broker accepts', () => {
  it('a profile that wants groups named after the SASL user gets them prefixed', () => {
    const rubin = loadProfile('rubin-usdf-integration', {});
    const env = { RUBIN_ALERT_STREAM_USERNAME: 'alerce-int' };
    expect(profileGroupId(rubin, 'alertlab.x', env)).toBe('alerce-int-alertlab.x');
    expect(profileGroupId(rubin, 'alerce-int-mine', env)).toBe('alerce-int-mine');
    expect(() => profileGroupId(rubin, 'g', {})).toThrow(/RUBIN_ALERT_STREAM_USERNAME/);
    expect(profileGroupId(loadProfile('lasair-lsst', {}), 'g', env)).toBe('g');
  });
});

describe('resuming and rewinding', () => {
  it('a group id is stable per (user, stream, reader) and differs when any of them does', () => {
    const a = resumeGroupId({ user: 'ann', stream: 'lasair-lsst/t', reader: '/nb/a.ipynb' });
    expect(resumeGroupId({ user: 'ann', stream: 'lasair-lsst/t', reader: '/nb/a.ipynb' })).toBe(a);
    expect(a).toMatch(/^alertlab\.ann\.lasair-lsst_t\.a\.ipynb\.[0-9a-f]{8}$/);
    for (const other of [
      { user: 'bob', stream: 'lasair-lsst/t', reader: '/nb/a.ipynb' },
      { user: 'ann', stream: 'lasair-lsst/u', reader: '/nb/a.ipynb' },
      { user: 'ann', stream: 'lasair-lsst/t', reader: '/other/a.ipynb' }
    ]) {
      expect(resumeGroupId(other)).not.toBe(a);
    }
  });

  it('reset_to: earliest, latest, ISO time, epoch ms; anything else is refused', () => {
    expect(parseResetTo('earliest')).toEqual({ reset: 'earliest' });
    expect(parseResetTo('latest')).toEqual({ reset: 'latest' });
    expect(parseResetTo('2026-03-18T00:00:00Z')).toEqual({ timestamp: 1773792000000 });
    expect(parseResetTo(1773792000000)).toEqual({ timestamp: 1773792000000 });
    expect(() => parseResetTo('yesterday')).toThrow(/reset_to must be/);
  });
});

const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

/** Lasair "full alert" records (JSON) made by fastavro from the real Rubin container file. */
function lasairRecords(): Uint8Array[] {
  const script = `
import fastavro, json, sys
out = []
for a in fastavro.reader(open(sys.argv[1], 'rb')):
    s = a['diaSource']
    srcs = [s] + list(a.get('prvDiaSources') or [])
    clean = lambda d: {k: v for k, v in d.items() if not isinstance(v, bytes)}
    out.append(json.dumps({'diaObjectId': s['diaObjectId'], 'ra': s['ra'], 'decl': s['dec'],
        'UTC': '2026-03-18 00:00:00', 'alert': {'diaObject': clean(a['diaObject'] or {}),
        'diaSourcesList': [clean(x) for x in srcs],
        'diaForcedSourcesList': [clean(x) for x in (a.get('prvDiaForcedSources') or [])]}}))
print(json.dumps(out))`;
  const lines = JSON.parse(
    execFileSync(PYTHON, ['-c', script, SAMPLE_FILES.rubin], {
      encoding: 'utf8',
      maxBuffer: 1 << 28
    })
  ) as string[];
  return lines.map(l => new TextEncoder().encode(l));
}

describe.skipIf(skipWithoutData(missing))(title('each profile format on the real samples'), () => {
  it('avro (schema in the message), confluent, rubin and json give the same Rubin alerts', () => {
    const oracle = oracleDump([SAMPLE_FILES.rubin]);
    const ids = oracle.map(o => o.alertId);
    const file = readSample(SAMPLE_FILES.rubin);
    // the sample holds a broker's enriched schema: fastavro re-encodes each alert as lsst.v10_0
    const bodies = oracleRubinBodies();
    const framed = bodies.map(b => {
      const out = new Uint8Array(b.length + 5);
      new DataView(out.buffer).setInt32(1, 1000); // lsst.v10_0 in Rubin's registry
      out.set(b, 5);
      return out;
    });
    const cases: Array<[StreamProfile, Uint8Array[]]> = [
      [profileOf('avro'), [file]],
      [profileOf('confluent'), framed],
      [profileOf('rubin', { rubinSchemaVersion: '10.0' }), bodies],
      [profileOf('json'), lasairRecords()]
    ];
    for (const [profile, values] of cases) {
      const { batch, rejects } = profileDecoder(profile).decodeBatch(values);
      expect(rejects, profile.format.kind).toEqual([]);
      const rows = decodedRows(batch);
      expect(rows.map(r => r.alertId)).toEqual(ids);
      rows.forEach((r, i) => {
        expect(r.ra).toBe(oracle[i].ra);
        expect(r.dec).toBe(oracle[i].dec);
        expect(r.diaObjectId).toBe(oracle[i].diaObjectId);
        expect(r.lightcurve.length).toBe(oracle[i].lightcurveLength);
      });
    }
  });

  it("the Rubin profile reads Confluent-framed real alerts by the package's ids, no registry call", () => {
    const rubin = loadProfile('rubin-usdf-integration', {});
    const framed = oracleRubinBodies().map(b => {
      const out = new Uint8Array(b.length + 5);
      new DataView(out.buffer).setInt32(1, 1000);
      out.set(b, 5);
      return out;
    });
    const { batch, rejects } = profileDecoder(rubin).decodeBatch(framed);
    expect(rejects).toEqual([]);
    expect(decodedRows(batch).map(r => r.alertId)).toEqual(
      oracleDump([SAMPLE_FILES.rubin]).map(o => o.alertId)
    );
  });

  it('avro: the real ZTF single-alert packets (schema in every message)', () => {
    const oracle = oracleDump(SAMPLE_FILES.ztfSingles);
    const { batch, rejects } = profileDecoder(profileOf('avro')).decodeBatch(
      SAMPLE_FILES.ztfSingles.map(readSample)
    );
    expect(rejects).toEqual([]);
    expect(decodedRows(batch).map(r => r.objectId)).toEqual(oracle.map(o => o.objectId));
  });
});
