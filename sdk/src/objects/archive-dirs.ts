/** Where archives are: the archive roots a lookup searches when none are given. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { alertlabHome } from '../catalog/paths.js';
import { StageRegistry } from '../control/registry.js';

/**
 * `$ALERTLAB_ARCHIVE_DIRS` (colon-separated) when set; otherwise `$ALERTLAB_HOME/archive` plus the
 * archive path of every archive stage the controller (state in `controllerDir`) has registered.
 */
export async function discoverArchiveDirs(
  controllerDir: string = join(alertlabHome(), 'controller')
): Promise<string[]> {
  const env = process.env.ALERTLAB_ARCHIVE_DIRS;
  if (env) {
    return env.split(':').filter(Boolean);
  }
  const dirs = new Set([join(alertlabHome(), 'archive')]);
  if (existsSync(join(controllerDir, 'stages'))) {
    const registry = await StageRegistry.open(controllerDir);
    for (const stage of registry.list()) {
      const m = registry.version(stage.id, stage.currentVersion)?.manifest as
        { kind?: string; archive?: { path?: string } } | undefined;
      if (m?.kind === 'archive' && typeof m.archive?.path === 'string') {
        dirs.add(m.archive.path);
      }
    }
  }
  return [...dirs];
}
