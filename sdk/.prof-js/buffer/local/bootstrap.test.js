import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalKafkaNotRunningError } from '../../errors.js';
import { resolveBootstrap, splitBootstrap } from './bootstrap.js';
import { writeState } from './state.js';
function withHome(fn) {
    const home = mkdtempSync(join(tmpdir(), 'alertlab-home-'));
    return fn(home).finally(() => rmSync(home, { recursive: true, force: true }));
}
describe('resolveBootstrap', () => {
    it('passes external bootstrap servers through, normalised', async () => {
        expect(await resolveBootstrap(' k1:9092, k2:9092 ', { env: {} })).toBe('k1:9092,k2:9092');
        expect(await resolveBootstrap(undefined, { env: { ALERTLAB_BOOTSTRAP_SERVERS: 'k:1' } })).toBe('k:1');
        expect(splitBootstrap('a:1,,b:2 ')).toEqual(['a:1', 'b:2']);
    });
    it("says to run `alertlab kafka start` when 'local' has no running cluster", async () => {
        await withHome(async (home) => {
            const attempt = resolveBootstrap('local', { home, env: {} });
            await expect(attempt).rejects.toBeInstanceOf(LocalKafkaNotRunningError);
            await expect(attempt).rejects.toThrow(/alertlab kafka start/);
        });
    });
    it('treats a state file whose processes are gone as not running', async () => {
        await withHome(async (home) => {
            const dir = join(home, 'kafka');
            writeState(dir, {
                stateVersion: 1,
                clusterId: 'x',
                kafkaVersion: '4.1.1',
                nodeCount: 1,
                bootstrapServers: '127.0.0.1:1',
                startedAt: new Date().toISOString(),
                heap: '512m',
                nodes: [
                    {
                        nodeId: 1,
                        pid: 2 ** 22 + 1, // above Linux's pid_max: never a live process
                        brokerPort: 1,
                        controllerPort: 101,
                        dir,
                        dataDir: dir,
                        logFile: join(dir, 'server.log'),
                        stdoutFile: join(dir, 'stdout.log'),
                        propertiesFile: join(dir, 'server.properties')
                    }
                ]
            });
            await expect(resolveBootstrap('local', { home, env: {} })).rejects.toThrow(/processes are gone/);
        });
    });
});
