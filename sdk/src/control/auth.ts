/**
 * The controller's bearer token: created at first start in `$ALERTLAB_HOME/controller.token`
 * (mode 0600), compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { alertlabHome } from '../catalog/paths.js';
import { HttpError } from './http.js';
import { CONTROLLER_ADMIN, type Principal, type UserStore } from './users.js';

/** Default token file: `$ALERTLAB_HOME/controller.token`. */
export function defaultTokenFile(): string {
  return join(alertlabHome(), 'controller.token');
}

/** Reads the token at `file`, creating a random one (mode 0600) when it does not exist. */
export async function ensureToken(file: string = defaultTokenFile()): Promise<string> {
  try {
    const t = (await readFile(file, 'utf8')).trim();
    if (t.length >= 16) {
      await chmod(file, 0o600);
      return t;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw err;
    }
  }
  await mkdir(dirname(file), { recursive: true });
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return token;
}

/** Reads an existing token (for clients). */
export async function readToken(file: string = defaultTokenFile()): Promise<string> {
  return (await readFile(file, 'utf8')).trim();
}

/** How a server checks bearer tokens: the controller's own token (an admin) and its users. */
export interface Authenticator {
  /** The controller's token (its holder is an admin). */
  token?: string;
  /** Users with tokens of their own. */
  users?: UserStore;
}

function sameToken(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The principal of a request's `Authorization: Bearer <token>` header, or a 401. The messages say
 * what to send and name no file or path of the server.
 */
export function authenticate(header: string | undefined, auth: Authenticator): Principal {
  if (!header || !/^Bearer\s+/i.test(header)) {
    throw new HttpError(
      401,
      'Missing bearer token: send "Authorization: Bearer <token>" (ask the controller\'s admin for a token: alertlab controller user add <name>).'
    );
  }
  const given = header.replace(/^Bearer\s+/i, '').trim();
  if (auth.token !== undefined && sameToken(given, auth.token)) {
    return CONTROLLER_ADMIN;
  }
  const user = given.length > 0 && given.length <= 256 ? auth.users?.find(given) : undefined;
  if (user) {
    return user;
  }
  throw new HttpError(401, 'Wrong or revoked bearer token.');
}

/** Throws a 401 unless `header` is `Bearer <token>`. */
export function checkBearer(header: string | undefined, token: string): void {
  authenticate(header, { token });
}
