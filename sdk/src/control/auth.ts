/**
 * The controller's bearer token: created at first start in `$ALERTLAB_HOME/controller.token`
 * (mode 0600), compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { alertlabHome } from '../catalog/paths.js';
import { HttpError } from './http.js';

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

/** Throws a 401 unless `header` is `Bearer <token>`. */
export function checkBearer(header: string | undefined, token: string, tokenFile?: string): void {
  const where = tokenFile
    ? ` It is in ${tokenFile} (created at the controller's first start).`
    : '';
  if (!header || !/^Bearer\s+/i.test(header)) {
    throw new HttpError(401, `Missing bearer token: send "Authorization: Bearer <token>".${where}`);
  }
  const given = Buffer.from(header.replace(/^Bearer\s+/i, '').trim());
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new HttpError(401, `Wrong bearer token.${where}`);
  }
}
