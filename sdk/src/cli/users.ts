/** `alertlab controller user add|list|revoke` — the controller's users and their tokens. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { alertlabHome } from '../catalog/paths.js';
import { ROLES, UserError, UserStore, usersFile, type Role } from '../control/users.js';

const USAGE = `Usage:
  alertlab controller user add <name> [--admin | --role admin|user|metrics] [--state-dir <dir>]
                                         prints the new token (once)
  alertlab controller user list [--state-dir <dir>] [--json]
  alertlab controller user revoke <name> [--state-dir <dir>]

Each user gets a bearer token of their own; only its SHA-256 is stored, in <state dir>/users.json
(default state dir $ALERTLAB_HOME/controller). A user sees and changes only the stages they
deployed; an admin (--admin, or the controller's own token) everything; a metrics user (for a
Prometheus scraper) reads GET /metrics only, every stage's series. A running controller sees
changes at its next request.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'state-dir': { type: 'string' },
      admin: { type: 'boolean', default: false },
      role: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  const [command, name] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const store = await UserStore.open(
    usersFile(values['state-dir'] ?? join(alertlabHome(), 'controller'))
  );
  try {
    if (command === 'add' && name) {
      const role = (values.role ?? (values.admin ? 'admin' : 'user')) as Role;
      if (!ROLES.includes(role)) {
        throw new UserError(`--role must be one of ${ROLES.join(', ')}.`);
      }
      const token = await store.add(name, role);
      console.log(token);
      console.error(`alertlab: user "${name}" (${role}) added; the token above is shown once.`);
      return 0;
    }
    if (command === 'revoke' && name) {
      await store.revoke(name);
      console.error(`alertlab: user "${name}" revoked.`);
      return 0;
    }
    if (command === 'list') {
      const users = store.list();
      if (values.json) {
        console.log(JSON.stringify(users, null, 2));
      } else {
        for (const u of users) {
          const state = u.revokedAt ? `revoked ${u.revokedAt}` : 'active';
          console.log(`${u.name}\t${u.role}\t${u.createdAt}\t${state}`);
        }
      }
      return 0;
    }
  } catch (err) {
    if (err instanceof UserError) {
      console.error(`alertlab: ${err.message}`);
      return 1;
    }
    throw err;
  }
  console.error(USAGE);
  return 2;
}
