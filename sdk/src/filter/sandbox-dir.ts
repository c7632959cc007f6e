/**
 * A sandboxed worker's private folder: `<tmp>/<prefix>XXXX` (root-owned, 0711: the worker may
 * pass through but not list it) holding `scratch/` (the worker's own, 0700: its HOME, TMPDIR and
 * working directory, and the copy of its code when it could not read it in place).
 */
import { copyFile, chmod, chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isHidden, sandboxUid, type SandboxMode } from './sandbox.js';

export interface SandboxDir {
  readonly root: string;
  readonly scratch: string;
  /** The worker's uid (root mode). */
  readonly uid?: number;
  /** Makes `path` (in the folder) the worker's: owner and mode 0600 (files) or 0700. */
  grant(path: string): Promise<void>;
  /** Removes the folder. */
  remove(): Promise<void>;
}

/** Creates the private folder of one worker; in root mode it gets a uid of its own. */
export async function makeSandboxDir(prefix: string, mode: SandboxMode): Promise<SandboxDir> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const uid = mode === 'root' ? sandboxUid() : undefined;
  await chmod(root, mode === 'none' ? 0o700 : 0o711);
  const scratch = join(root, 'scratch');
  await mkdir(scratch, { mode: 0o700 });
  const grant = async (path: string): Promise<void> => {
    if (uid !== undefined) {
      await chown(path, uid, uid);
    }
  };
  await grant(scratch);
  return {
    root,
    scratch,
    uid,
    grant,
    remove: () => rm(root, { recursive: true, force: true, maxRetries: 2 })
  };
}

/** Whether a process that is neither owner nor group could read `path` (each folder above it searchable). */
async function othersCanRead(path: string): Promise<boolean> {
  try {
    if (((await stat(path)).mode & 0o004) === 0) {
      return false;
    }
    for (let d = dirname(path); ; d = dirname(d)) {
      if (((await stat(d)).mode & 0o001) === 0) {
        return false;
      }
      if (d === dirname(d)) {
        return true;
      }
    }
  } catch {
    return false;
  }
}

/**
 * Where the worker loads `path` from: in place when it can see and read it there, else a copy in
 * its scratch folder (code kept in the controller's state or `$ALERTLAB_HOME`, which the
 * sandbox hides). Returns the path the worker uses and whether it is a copy.
 */
export async function placeCode(
  dir: SandboxDir,
  path: string,
  mode: SandboxMode
): Promise<{ path: string; copied: boolean }> {
  const abs = resolve(path);
  const visible =
    mode === 'none' || (!isHidden(abs) && (mode !== 'root' || (await othersCanRead(abs))));
  if (visible) {
    return { path: abs, copied: false };
  }
  const copy = join(dir.scratch, basename(abs));
  await copyFile(abs, copy);
  await chmod(copy, 0o600);
  await dir.grant(copy);
  return { path: copy, copied: true };
}
