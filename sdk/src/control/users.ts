/**
 * Controller users (issue 15, part 5): each has a name, a role and a bearer token of its own. Only
 * the token's SHA-256 is stored (tokens are 256 random bits, so a fast hash is enough: nothing to
 * guess), in `<state dir>/users.json`, mode 0600. `alertlab controller user add|list|revoke` edits
 * the file under an exclusive lock (file-lock.ts: read, change, write to a temp file and rename),
 * so concurrent CLI processes never lose a user; a running controller sees the change at its next
 * request (every rename gives the file a new inode, checked with its size and mtime).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { withFileLock } from './file-lock.js';

/**
 * `admin`: everything; `user`: their own stages and watches; `metrics`: GET /metrics only (every
 * stage's series — the token a Prometheus scraper holds).
 */
export type Role = 'admin' | 'user' | 'metrics';

/** Every role, for the CLI. */
export const ROLES: readonly Role[] = ['admin', 'user', 'metrics'];

/** Who a request comes from. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

/** The principal of the controller's own token (`controller.token`): an admin. */
export const CONTROLLER_ADMIN: Principal = Object.freeze({ name: 'admin', role: 'admin' });

/** A user as listed (never the token or its hash). */
export interface UserInfo {
  name: string;
  role: Role;
  createdAt: string;
  revokedAt?: string;
}

interface UserRecord extends UserInfo {
  tokenSha256: string;
}

const NAME_RE = /^[a-z][a-z0-9._-]{0,62}$/;

/** SHA-256 hex of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Default users file of a controller state directory. */
export function usersFile(stateDir: string): string {
  return join(stateDir, 'users.json');
}

/** Raised for a bad name, a duplicate or an unknown user. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export class UserStore {
  private users: UserRecord[] = [];
  private byHash = new Map<string, UserRecord>();
  /** inode, size and mtime of the file last read ('' when absent). */
  private key = '-';

  private constructor(readonly file: string) {}

  /** Opens (or starts) the users file. */
  static async open(file: string): Promise<UserStore> {
    const store = new UserStore(file);
    await store.load();
    return store;
  }

  private fileKey(): string {
    try {
      const s = statSync(this.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return '';
    }
  }

  private async load(): Promise<void> {
    const key = this.fileKey();
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as { users?: UserRecord[] };
      this.index(Array.isArray(parsed.users) ? parsed.users : []);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
      this.index([]);
    }
    this.key = key;
  }

  private index(users: UserRecord[]): void {
    this.users = users;
    this.byHash = new Map(users.filter(u => !u.revokedAt).map(u => [u.tokenSha256, u]));
  }

  /** Re-reads the file when another process (the CLI) changed it. */
  private refresh(): void {
    const key = this.fileKey();
    if (key === '' || key === this.key) {
      return;
    }
    // synchronous on purpose: the next check must see a revocation. Writers rename whole files,
    // so what is read is one complete version (a later one at worst: the next stat sees it again)
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { users?: UserRecord[] };
      this.index(Array.isArray(parsed.users) ? parsed.users : []);
      this.key = key;
    } catch {
      // removed between the stat and the read: keep the users known so far
    }
  }

  /** The active user holding `token`, if any. */
  find(token: string): Principal | undefined {
    this.refresh();
    const u = this.byHash.get(hashToken(token));
    return u ? { name: u.name, role: u.role } : undefined;
  }

  list(): UserInfo[] {
    this.refresh();
    return this.users.map(({ name, role, createdAt, revokedAt }) => ({
      name,
      role,
      createdAt,
      ...(revokedAt ? { revokedAt } : {})
    }));
  }

  /** Adds a user and returns its token (shown once; only its hash is kept). */
  async add(name: string, role: Role = 'user'): Promise<string> {
    if (!NAME_RE.test(name) || name === CONTROLLER_ADMIN.name) {
      throw new UserError(
        `User name "${name}" is not allowed: use 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter (not "${CONTROLLER_ADMIN.name}").`
      );
    }
    const token = `alab_${randomBytes(32).toString('base64url')}`;
    await this.change(users => {
      if (users.some(u => u.name === name && !u.revokedAt)) {
        throw new UserError(`User "${name}" exists. Revoke it first to issue a new token.`);
      }
      const record: UserRecord = {
        name,
        role,
        createdAt: new Date().toISOString(),
        tokenSha256: hashToken(token)
      };
      return [...users.filter(u => u.name !== name), record];
    });
    return token;
  }

  /** Revokes a user's token (the record stays, marked revoked). */
  async revoke(name: string): Promise<void> {
    await this.change(users => {
      const u = users.find(x => x.name === name && !x.revokedAt);
      if (!u) {
        throw new UserError(`No active user "${name}". See \`alertlab controller user list\`.`);
      }
      const revokedAt = new Date().toISOString();
      return users.map(x => (x === u ? { ...x, revokedAt } : x));
    });
  }

  /** Read-modify-write under the users file's lock, from the file as it is now. */
  private async change(fn: (users: UserRecord[]) => UserRecord[]): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await withFileLock(this.file, async () => {
      await this.load();
      const users = fn(this.users);
      await writeFileAtomic(this.file, JSON.stringify({ users }, null, 2) + '\n', 0o600);
      this.index(users);
      this.key = this.fileKey();
    });
  }
}
