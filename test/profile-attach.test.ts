/**
 * `alertlab attach --profile <file>` against the real local broker (PLAINTEXT): a profile naming
 * the broker and the Confluent wire format reads the real Rubin alerts (lsst.v10_0 bodies framed
 * with Rubin's registry id 1000, no registry needed); attaching again resumes (nothing new), new
 * records come alone, `--reset-to earliest` rewinds and `--reset-to <time>` starts at a timestamp.
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
import { bootstrapServers, randomName, withTopics, withTransport } from './buffer-helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'alertlab');
const missing = samplesMissing();
const title = (t: string): string => (missing ? `${t} (SKIPPED: ${missing})` : t);

async function attach(...args: string[]): Promise<{ ids: string[]; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(BIN, ['attach', ...args], {
    env: { ...process.env, ALERTLAB_LOG_LEVEL: 'error' },
    timeout: 90_000
  });
  const ids = stdout
    .split('\n')
    .filter(Boolean)
    .map(l => String((JSON.parse(l) as { alertId: string }).alertId));
  return { ids, stderr };
}

function framed(body: Uint8Array, id: number): Uint8Array {
  const out = new Uint8Array(body.length + 5);
  new DataView(out.buffer).setInt32(1, id);
  out.set(body, 5);
  return out;
}

describe.skipIf(skipWithoutData(missing))(title('attach --profile on the local broker'), () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertlab-profile-'));
  const profile = join(dir, 'local-rubin.json');
  const topic = randomName('profile-attach');
  let ids: string[] = [];
  let bodies: Uint8Array[] = [];
  beforeAll(() => {
    ids = oracleDump([SAMPLE_FILES.rubin]).map(o => o.alertId);
    bodies = oracleRubinBodies();
    writeFileSync(
      profile,
      JSON.stringify({
        name: 'local-rubin',
        documentation: 'https://github.com/lsst/alert_packet',
        brokers: bootstrapServers(),
        security: { protocol: 'PLAINTEXT' },
        format: { kind: 'confluent' }
      })
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads, resumes, reads only what is new, rewinds', async () => {
    await withTransport(async t => {
      await withTopics(t, [{ topic, partitions: 2 }], async () => {
        const producer = await t.producer();
        // one record per request: together they pass the broker's 1 MB batch limit
        const send = async (timestampMs: number): Promise<void> => {
          for (const [i, b] of bodies.entries()) {
            await producer.send([
              { topic, key: ids[i], value: framed(b, 1000), timestampMs: timestampMs + i }
            ]);
          }
        };
        const t0 = Date.now() - 60_000;
        await send(t0);
        const args = [topic, '--profile', profile, '--json', '--idle', '4'];
        const first = await attach(...args);
        expect([...first.ids].sort()).toEqual([...ids].sort());
        expect(first.stderr).toMatch(/group alertlab\.[^.]+\.local-rubin_/);
        expect((await attach(...args)).ids).toEqual([]); // resumed: nothing new
        const t1 = Date.now();
        await send(t1);
        expect([...(await attach(...args)).ids].sort()).toEqual([...ids].sort());
        const rewound = await attach(...args, '--reset-to', 'earliest');
        expect(rewound.ids.length).toBe(14);
        const since = await attach(...args, '--reset-to', new Date(t1).toISOString());
        expect([...since.ids].sort()).toEqual([...ids].sort());
        expect((await attach(...args, '--reset-to', 'latest')).ids).toEqual([]);
        await producer.close();
        const admin = await t.admin();
        const groups = (await admin.listGroups())
          .map(g => g.groupId)
          .filter(g => g.includes(topic));
        expect(groups.length).toBe(1); // the one resume group the six reads shared
        await admin.deleteGroups(groups).finally(() => admin.close());
      });
    });
  }, 240_000);
});
