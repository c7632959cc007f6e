/**
 * Checks of a deploy request that need the caller or the network, made before the gate: its
 * notification destinations (webhook hosts, email relays) are allowed addresses, and the
 * watchlists and watchmaps it names are the caller's own or shared (see watch-access.ts).
 */
import { DestinationError, checkNotificationTargets } from '../notify/destination-policy.js';
import { HttpError } from './http.js';
import type { DeployRequest } from './types.js';
import type { Principal } from './users.js';

/** Checks a manifest's raw `watch` section against the caller (throws an HttpError). */
export type WatchReferenceCheck = (
  watch: unknown,
  user: Principal | undefined
) => Promise<void> | void;

/** 400 for a destination that is not allowed; 403/404 for another user's watch. */
export async function checkDeployTargets(
  request: DeployRequest,
  user: Principal | undefined,
  watchCheck?: WatchReferenceCheck
): Promise<void> {
  const manifest = request?.manifest;
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return; // the controller's own validation says what is wrong
  }
  try {
    await checkNotificationTargets(manifest.notifications);
  } catch (err) {
    if (err instanceof DestinationError) {
      throw new HttpError(400, err.message);
    }
    throw err;
  }
  await watchCheck?.(manifest.watch, user);
}
