/**
 * The controller's audit log: one JSON line per change to a stage (deploy, scale, stop, start,
 * rollback, delete) or to a watchlist or watchmap (create, replace, delete) and per refused attempt, with who made it, in `<state dir>/audit.jsonl`
 * (mode 0600, appended). `GET /audit` shows an admin every entry and a user their own.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Principal } from './users.js';

/** One audit entry. */
export interface AuditEntry {
  time: string;
  user: string;
  role: string;
  action: string;
  stage?: string;
  /** A watch changed (`watchlist/<name>`, `watchmap/<name>`). */
  target?: string;
  /** 'ok', or 'denied' / 'failed' with the HTTP status. */
  outcome: 'ok' | 'denied' | 'failed';
  status?: number;
  /** Version, replicas or target version: what changed. */
  detail?: Record<string, unknown>;
}

/** Default audit file of a controller state directory. */
export function auditFile(stateDir: string): string {
  return join(stateDir, 'audit.jsonl');
}

/** Most entries `GET /audit` returns (the newest). */
export const AUDIT_PAGE = 1000;

export class AuditLog {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Appends an entry (serialized, so lines never interleave). */
  record(
    user: Principal,
    action: string,
    entry: Omit<AuditEntry, 'time' | 'user' | 'role' | 'action'>
  ): Promise<void> {
    const line: AuditEntry = {
      time: new Date().toISOString(),
      user: user.name,
      role: user.role,
      action,
      ...entry
    };
    const run = this.chain.then(() =>
      appendFile(this.file, JSON.stringify(line) + '\n', { mode: 0o600 })
    );
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The newest entries `user` may see (admin: all; a user: their own), oldest first. */
  async read(user: Principal, limit = AUDIT_PAGE): Promise<AuditEntry[]> {
    await this.chain;
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
    }
    const out: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) {
        continue;
      }
      const e = JSON.parse(line) as AuditEntry;
      if (user.role === 'admin' || e.user === user.name) {
        out.push(e);
      }
    }
    return out.slice(-limit);
  }
}

/** Runs a change and writes its audit entry: ok, denied (403) or failed (another HTTP status). */
export function auditChange<T>(
  audit: AuditLog | undefined,
  user: Principal,
  action: string,
  stage: string | undefined,
  fn: () => Promise<T>,
  detail: (r: T) => Record<string, unknown> = () => ({})
): Promise<T> {
  return audited(audit, user, action, { stage }, fn, detail);
}

/** {@link auditChange} for a change of a watchlist or watchmap (`target`: `watchlist/<name>`). */
export function auditWatch<T>(
  audit: AuditLog | undefined,
  user: Principal,
  action: string,
  target: string,
  fn: () => Promise<T>
): Promise<T> {
  return audited(audit, user, action, { target }, fn, () => ({}));
}

async function audited<T>(
  audit: AuditLog | undefined,
  user: Principal,
  action: string,
  what: { stage?: string; target?: string },
  fn: () => Promise<T>,
  detail: (r: T) => Record<string, unknown>
): Promise<T> {
  try {
    const r = await fn();
    await audit?.record(user, action, { ...what, outcome: 'ok', detail: detail(r) });
    return r;
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status !== 404) {
      await audit?.record(user, action, {
        ...what,
        outcome: status === 403 ? 'denied' : 'failed',
        status
      });
    }
    throw err;
  }
}
