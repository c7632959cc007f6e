/**
 * Who may see and change a stage: its owner (the user who first deployed it) and admins. Stages
 * recorded before owners existed have none: only admins reach them. Requests without a user (a
 * server started without tokens, or code calling the controller directly) act as an admin.
 */
import { HttpError } from './http.js';
import type { StageRecord } from './types.js';
import { CONTROLLER_ADMIN, type Principal } from './users.js';

/** The principal a request acts as. */
export function actor(user: Principal | undefined): Principal {
  return user ?? CONTROLLER_ADMIN;
}

/** Whether `user` may see and change `rec`. */
export function canAccess(rec: StageRecord, user: Principal | undefined): boolean {
  const who = actor(user);
  return who.role === 'admin' || (rec.owner !== undefined && rec.owner === who.name);
}

/** Throws a 403 unless `user` may `action` the stage. */
export function checkAccess(rec: StageRecord, user: Principal | undefined, action: string): void {
  if (!canAccess(rec, user)) {
    throw new HttpError(
      403,
      `Stage "${rec.id}" belongs to another user: only its owner or an admin may ${action} it.`
    );
  }
}
