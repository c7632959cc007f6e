/** Small steps of the demo: CLI subcommands, catalogs, the real samples, a clean slate. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTransport } from '../buffer/transport.js';
import { loadBuiltinCatalog } from '../catalog/builtin.js';
import { CatalogStore } from '../catalog/store.js';
import { repoRoot } from '../buffer/local/paths.js';
import { DemoError } from '../errors.js';

/** Runs `bin/alertlab <args>` and fails with its output when it fails. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(repoRoot, 'bin', 'alertlab'), args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', code =>
      code === 0
        ? resolvePromise(out)
        : reject(new DemoError(`alertlab ${args.join(' ')} failed (exit ${code}):\n${out}`))
    );
  });
}

/** Loads the built-in real catalogs that the store lacks (before anything opens it read-only). */
export async function ensureCatalogs(names: string[], log: (s: string) => void): Promise<void> {
  const store = await CatalogStore.open();
  try {
    const have = new Set((await store.list()).map(c => c.name));
    for (const name of names) {
      if (have.has(name)) {
        log(`catalog ${name}: already loaded`);
        continue;
      }
      const info = await loadBuiltinCatalog(store, name);
      log(`catalog ${name}: ${info.rows} rows from ${info.source}`);
    }
  } finally {
    store.close();
  }
}

/** The real alert packets beside the checkout (`../shared/data/alerts`), when present. */
export function sampleFiles(root: string): { topic: string; path: string }[] {
  const dir = resolve(root, '..', 'shared', 'data', 'alerts');
  const files = [
    { topic: 'alerts-rubin-real', path: join(dir, 'rubin', 'rubin-v10-7alerts.avro') },
    { topic: 'alerts-ztf', path: join(dir, 'ztf', 'ztf-31alerts.avro') }
  ];
  return files.filter(f => existsSync(f.path));
}

/** Deletes topics (the demo's own input and outputs) so a rerun starts from a clean slate. */
export async function deleteTopics(bootstrap: string, topics: string[]): Promise<void> {
  const transport = createTransport({ bootstrapServers: bootstrap.split(',') });
  try {
    const admin = await transport.admin();
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter(t => existing.has(t));
    if (doomed.length > 0) {
      await admin.deleteTopics(doomed);
      // topic deletion is asynchronous in Kafka: wait until the names are gone
      for (let i = 0; i < 100; i++) {
        const left = new Set(await admin.listTopics());
        if (doomed.every(t => !left.has(t))) {
          break;
        }
        await new Promise(r => setTimeout(r, 200));
      }
    }
  } finally {
    await transport.close();
  }
}
