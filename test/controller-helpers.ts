/** Helpers for the controller tests: a controller on a temp state dir, REST calls, alert producers. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startController,
  type ControllerOptions,
  type RunningController
} from '../sdk/src/control/controller-server.js';
import { ControllerClient } from '../sdk/src/control/client.js';
import { smallRubinAlerts, type SmallAlerts } from '../sdk/src/stage/testing/small-alerts.js';
import type { KafkaTransport } from '../sdk/src/buffer/transport-types.js';
import { produceValues, readTopic, alertIdsOf, bootstrapServers } from './stage-helpers.js';

export { alertIdsOf, bootstrapServers, produceValues, readTopic };

/** A temp folder for the controller's state, token and catalog store. */
export interface ControllerDirs {
  root: string;
  stateDir: string;
  tokenFile: string;
  storePath: string;
}

/** Makes the temp dirs; `remove()` deletes them. */
export async function makeControllerDirs(): Promise<ControllerDirs & { remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'alertlab-ctl-'));
  return {
    root,
    stateDir: join(root, 'state'),
    tokenFile: join(root, 'controller.token'),
    storePath: join(root, 'catalogs.duckdb'),
    remove: () => rm(root, { recursive: true, force: true })
  };
}

/** Polls `check` every 200 ms until it holds; fails after `timeoutMs` naming `what`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

/** Starts a controller on the temp dirs (port 0, quick restarts). */
export function launchController(
  dirs: ControllerDirs,
  extra: Partial<ControllerOptions> = {}
): Promise<RunningController> {
  return startController({
    port: 0,
    stateDir: dirs.stateDir,
    tokenFile: dirs.tokenFile,
    storePath: dirs.storePath,
    bootstrapServers: bootstrapServers().join(','),
    supervisor: { initialBackoffMs: 200, maxBackoffMs: 2000, stopGraceMs: 15_000 },
    ...extra
  });
}

/** A REST client for a running controller. */
export function clientOf(ctl: RunningController): ControllerClient {
  return new ControllerClient({ url: ctl.url, token: ctl.token });
}

let small: SmallAlerts | undefined;
/** Distinct small Rubin alerts (ids FIRST_SMALL_ALERT_ID + i), built once. */
export function alerts(): SmallAlerts {
  small ??= smallRubinAlerts(3);
  return small;
}

/** Produces alerts `from` .. `to - 1` to `topic` (keyed by index, so they spread over partitions). */
export async function produceRange(
  t: KafkaTransport,
  topic: string,
  from: number,
  to: number
): Promise<string[]> {
  const a = alerts();
  const values: Uint8Array[] = [];
  const ids: string[] = [];
  for (let i = from; i < to; i++) {
    values.push(a.make(i));
    ids.push(a.idOf(i).toString());
  }
  await produceValues(t, topic, values, { chunk: 500, key: i => `k${from + i}` });
  return ids;
}

/** Counts of each id: the ids seen more than once, and the expected ids never seen. */
export function lossAndDuplicates(
  expected: string[],
  seen: string[]
): { missing: string[]; duplicated: string[] } {
  const count = new Map<string, number>();
  for (const id of seen) {
    count.set(id, (count.get(id) ?? 0) + 1);
  }
  return {
    missing: expected.filter(id => !count.has(id)),
    duplicated: [...count].filter(([, n]) => n > 1).map(([id]) => id)
  };
}
