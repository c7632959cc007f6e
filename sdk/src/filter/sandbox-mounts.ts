/**
 * What the sandbox hides and the mount script that hides it (run as root, or as root of a user
 * namespace, in the worker's new mount namespace; see sandbox.ts).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { alertlabHome } from '../catalog/paths.js';

/** Where the mount script parks runtime folders: a fresh tmpfs over /dev/shm (hiding it too). */
export const STAGING = '/dev/shm';
/** Folders any local account may write to, besides the home and temp folders. */
const WORLD_WRITABLE = ['/tmp', '/var/tmp', '/run/lock', '/dev/mqueue'];
/** Where services put their sockets (docker.sock, dbus, ...): hidden so no filter reaches them. */
const SOCKET_DIRS = ['/run', '/var/run'];

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
 * world-writable folders (temporary, lock and message-queue folders), /run (service sockets),
 * `extra`.
 */
export function hiddenDirs(extra: readonly string[] = []): string[] {
  const out = new Set<string>();
  for (const p of [
    alertlabHome(),
    homedir(),
    tmpdir(),
    ...WORLD_WRITABLE,
    ...SOCKET_DIRS,
    ...extra
  ]) {
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

/** Mount flags the kernel locks on a bind in a user namespace: kept when remounting read-only. */
const LOCKED = new Set([
  'nosuid',
  'nodev',
  'noexec',
  'noatime',
  'relatime',
  'strictatime',
  'nodiratime'
]);

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The locked per-mount flags of the mount `path` lies on (from /proc/self/mountinfo). */
export function lockedFlags(path: string, mountinfo?: string): string[] {
  let text = mountinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/mountinfo', 'utf8');
    } catch {
      return [];
    }
  }
  let best: { at: string; opts: string[] } | undefined;
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 6) {
      continue;
    }
    const at = unescape(f[4]);
    if (under(path, at) && (best === undefined || at.length >= best.at.length)) {
      best = { at, opts: f[5].split(',') };
    }
  }
  return (best?.opts ?? []).filter(o => LOCKED.has(o));
}

/**
 * The mount script run as root in the new mount namespace: mounts a fresh tmpfs on /dev/shm and
 * binds there each kept folder that lies under a hidden one; then, shallowest first, covers each
 * hidden folder with an empty tmpfs (mode 0555, noexec: no one in the sandbox writes there, not
 * even the root of a user namespace) and moves the kept ones back in place, read-only
 * (failing closed, the locked nosuid/nodev/atime flags kept) unless listed in `writable`; kept
 * folders outside the hidden ones are bound onto themselves and made read-only the same way. `mount -n`: libmount would otherwise
 * record the moves in the host's /run/mount/utab (as root of a user namespace it may not, and the
 * move then fails after the fact).
 */
export function mountScript(
  hidden: readonly string[],
  keep: readonly string[],
  writable: readonly string[] = []
): string {
  const rw = new Set(writable.map(k => real(k) ?? k));
  const all = [...new Set([...keep, ...writable].map(k => real(k) ?? k))];
  const keeps = all.filter(k => hidden.some(h => under(k, h) && k !== h));
  // kept folders outside the hidden ones are bound onto themselves, so they too can be made
  // read-only whoever owns them (a checkout owned by the account); '/' is never rebound
  const selfs = all.filter(k => !keeps.includes(k) && !rw.has(k) && k !== '/');
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
    ...keeps.map((path, i) => ({ path, keep: i })),
    ...selfs.map(path => ({ path, keep: -2 }))
  ].sort((a, b) => a.path.split(sep).length - b.path.split(sep).length);
  // fail closed: a remount that fails stops the script (set -e) and the worker never starts
  const readOnly = (path: string): string =>
    `mount -n -o ${['remount', 'bind', 'ro', ...lockedFlags(path)].join(',')} ${q(path)}`;
  for (const op of ops) {
    if (op.keep === -1) {
      // a folder inside one already hidden (and not bound back) is gone: nothing to cover
      lines.push(
        `if [ -d ${q(op.path)} ]; then mount -n -t tmpfs -o mode=0555,size=64k,nosuid,nodev,noexec alertlab-hidden ${q(op.path)}; fi`
      );
    } else if (op.keep === -2) {
      lines.push(`mount -n --bind ${q(op.path)} ${q(op.path)}`, readOnly(op.path));
    } else {
      lines.push(
        `mkdir -p ${q(op.path)}`,
        `mount -n --move ${q(join(STAGING, String(op.keep)))} ${q(op.path)}`
      );
      if (!rw.has(op.path)) {
        lines.push(readOnly(op.path));
      }
    }
  }
  lines.push('exec "$@"');
  return lines.join('\n');
}
