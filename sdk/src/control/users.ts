/**
 * Controller users (issue 15, part 5): each has a name, a role and a bearer token of its own. Only
 * the token's SHA-256 is stored (tokens are 256 random bits, so a fast hash is enough: nothing to
 * guess), in `<state dir>/users.json`, mode 0600. `alertlab controller user add|list|revoke` edits
 * the file; a running controller sees the change at the next request (the file's mtime is checked).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

export type Role = 'admin' | 'user';

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
  private mtimeMs = -1;

  private constructor(readonly file: string) {}

  /** Opens (or starts) the users file. */
  static async open(file: string): Promise<UserStore> {
    const store = new UserStore(file);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    try {
      const text = await readFile(this.file, 'utf8');
      this.mtimeMs = statSync(this.file).mtimeMs;
      const parsed = JSON.parse(text) as { users?: UserRecord[] };
      this.index(Array.isArray(parsed.users) ? parsed.users : []);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
      this.index([]);
    }
  }

  private index(users: UserRecord[]): void {
    this.users = users;
    this.byHash = new Map(users.filter(u => !u.revokedAt).map(u => [u.tokenSha256, u]));
  }

  /** Re-reads the file when another process (the CLI) changed it. */
  private refresh(): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      return;
    }
    if (mtimeMs !== this.mtimeMs) {
      this.mtimeMs = mtimeMs;
      // synchronous on purpose: the next check must see a revocation
      const text = readFileSync(this.file, 'utf8');
      const parsed = JSON.parse(text) as { users?: UserRecord[] };
      this.index(Array.isArray(parsed.users) ? parsed.users : []);
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
    this.refresh();
    if (!NAME_RE.test(name) || name === CONTROLLER_ADMIN.name) {
      throw new UserError(
        `User name "${name}" is not allowed: use 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter (not "${CONTROLLER_ADMIN.name}").`
      );
    }
    if (this.users.some(u => u.name === name && !u.revokedAt)) {
      throw new UserError(`User "${name}" exists. Revoke it first to issue a new token.`);
    }
    const token = `alab_${randomBytes(32).toString('base64url')}`;
    const record: UserRecord = {
      name,
      role,
      createdAt: new Date().toISOString(),
      tokenSha256: hashToken(token)
    };
    await this.save([...this.users.filter(u => u.name !== name), record]);
    return token;
  }

  /** Revokes a user's token (the record stays, marked revoked). */
  async revoke(name: string): Promise<void> {
    this.refresh();
    const u = this.users.find(x => x.name === name && !x.revokedAt);
    if (!u) {
      throw new UserError(`No active user "${name}". See \`alertlab controller user list\`.`);
    }
    const revokedAt = new Date().toISOString();
    await this.save(this.users.map(x => (x === u ? { ...x, revokedAt } : x)));
  }

  private async save(users: UserRecord[]): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify({ users }, null, 2) + '\n', 0o600);
    this.index(users);
    this.mtimeMs = statSync(this.file).mtimeMs;
  }
}
