/**
 * A TypeScript filter's module text, written where its imports resolve: under the repository
 * (`<repo>/.alertlab/stage-filters/`), whose node_modules hold `@alertlab/sdk` and
 * `apache-arrow` — not under `$ALERTLAB_HOME`, which may be any folder (a wheel user's home),
 * where `import { defineFilter } from '@alertlab/sdk'` cannot be found.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './connection.js';
import type { StageManifest } from '../../sdk/src/stage/manifest-types.js';

/** Writes the module (named by its hash) and returns its path. */
export async function writeTsModule(source: string): Promise<string> {
  const dir = join(repoRoot(), '.alertlab', 'stage-filters');
  await mkdir(dir, { recursive: true });
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const path = join(dir, `backtest-${hash}.ts`);
  await writeFile(path, source);
  return path;
}

/** An inline TypeScript filter of `m` is given a path where its imports resolve. */
export async function placeTsSource(m: StageManifest): Promise<void> {
  const f = m.filter;
  if (f?.language === 'typescript' && f.path === undefined && typeof f.source === 'string') {
    f.path = await writeTsModule(f.source);
  }
}
