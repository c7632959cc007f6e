/**
 * What the sandbox hides and the mount script that hides it (run as root, or as root of a user
 * namespace, in the worker's new mount namespace; see sandbox.ts).
 */
import { realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { alertlabHome } from '../catalog/paths.js';

/** Where the mount script parks runtime folders: a fresh tmpfs over /dev/shm (hiding it too). */
export const STAGING = '/dev/shm';
/** Folders any local account may write to, besides the home and temp folders. */
const WORLD_WRITABLE = ['/tmp', '/var/tmp', '/run/lock', '/dev/mqueue'];

export function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Folders hidden from workers (real paths): `$ALERTLAB_HOME`, the home directory, the
 * world-writable folders (temporary, lock and message-queue folders), `extra`.
 */
export function hiddenDirs(extra: readonly string[] = []): string[] {
  const out = new Set<string>();
  for (const p of [alertlabHome(), homedir(), tmpdir(), ...WORLD_WRITABLE, ...extra]) {
    const r = real(p);
    if (r !== undefined && r !== '/') {
      out.add(r);
    }
  }
  return [...out];
}

/** Whether `path` lies under a directory the sandbox hides. */
export function isHidden(path: string, extra: readonly string[] = []): boolean {
  const r = real(path) ?? path;
  return hiddenDirs(extra).some(h => under(r, h));
}

/** The runtime directory of an executable: `<prefix>` of `<prefix>/bin/<name>` (real path). */
export function runtimePrefix(executable: string): string {
  const r = real(executable) ?? executable;
  return dirname(dirname(r));
}

function q(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The mount script run as root in the new mount namespace: mounts a fresh tmpfs on /dev/shm and
 * binds there each kept folder that lies under a hidden one; then, shallowest first, covers each
 * hidden folder with an empty tmpfs (mode 0555, noexec: no one in the sandbox writes there, not
 * even the root of a user namespace) and moves the kept ones back in place, read-only
 * (where the kernel allows) unless listed in `writable`. `mount -n`: libmount would otherwise
 * record the moves in the host's /run/mount/utab (as root of a user namespace it may not, and the
 * move then fails after the fact).
 */
export function mountScript(
  hidden: readonly string[],
  keep: readonly string[],
  writable: readonly string[] = []
): string {
  const rw = new Set(writable.map(k => real(k) ?? k));
  const keeps = [...new Set([...keep, ...writable].map(k => real(k) ?? k))].filter(k =>
    hidden.some(h => under(k, h) && k !== h)
  );
  const lines = [
    'set -e',
    `mount -n -t tmpfs -o mode=0555,size=64k,nosuid,nodev,noexec alertlab-staging ${STAGING}`
  ];
  keeps.forEach((k, i) => {
    const at = q(join(STAGING, String(i)));
    lines.push(`mkdir ${at}`, `mount -n --bind ${q(k)} ${at}`);
  });
  const ops = [
    ...hidden.map(path => ({ path, keep: -1 })),
    ...keeps.map((path, i) => ({ path, keep: i }))
  ].sort((a, b) => a.path.split(sep).length - b.path.split(sep).length);
  for (const op of ops) {
    if (op.keep < 0) {
      // a folder inside one already hidden (and not bound back) is gone: nothing to cover
      lines.push(
        `if [ -d ${q(op.path)} ]; then mount -n -t tmpfs -o mode=0555,size=64k,nosuid,nodev,noexec alertlab-hidden ${q(op.path)}; fi`
      );
    } else {
      lines.push(
        `mkdir -p ${q(op.path)}`,
        `mount -n --move ${q(join(STAGING, String(op.keep)))} ${q(op.path)}`
      );
      if (!rw.has(op.path)) {
        lines.push(`mount -n -o remount,bind,ro ${q(op.path)} 2>/dev/null || true`);
      }
    }
  }
  lines.push('exec "$@"');
  return lines.join('\n');
}
