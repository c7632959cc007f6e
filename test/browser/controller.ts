import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startController, type RunningController } from '../../sdk/src/control/index.js';
import { freePort } from './jupyterlab.js';

/** Bootstrap servers of the integration Kafka (vitest's global setup, or the environment). */
export function bootstrapServers(): string | undefined {
  return inject('bootstrapServers') ?? process.env.ALERTLAB_BOOTSTRAP_SERVERS;
}

/** The real controller in-process on a temp state dir and token file; closed (workers too) after. */
export async function withController<T>(
  fn: (c: RunningController) => Promise<T>,
  opts: { storePath?: string } = {}
): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), 'alertlab-browser-ctl-'));
  const ctl = await startController({
    port: await freePort(),
    stateDir: join(root, 'state'),
    tokenFile: join(root, 'controller.token'),
    storePath: opts.storePath ?? join(root, 'catalogs.duckdb'),
    bootstrapServers: bootstrapServers(),
    supervisor: { initialBackoffMs: 200, maxBackoffMs: 2000, stopGraceMs: 15_000 }
  });
  try {
    return await fn(ctl);
  } finally {
    await ctl.close();
    rmSync(root, { recursive: true, force: true });
  }
}
