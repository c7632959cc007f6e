/**
 * What a user may see of the buffer set and the metrics (issue 15, part 5): an admin (and the
 * read-only `metrics` role, for Prometheus) every stage's series; a user only their own stages'.
 * In GET /buffers/topics a user sees every topic but the outputs and dead-letter topics of other
 * users' stages (the shared alert streams stay discoverable; another user's filtered stream does
 * not) unless one of their own stages reads or writes it, and only the notebook reader groups named
 * after them (`alertlab.<user>.…`, the user's dots written `~` so one name is never another's prefix).
 */
import type { StageRegistry } from './registry.js';
import type { StageRecord } from './types.js';
import { canAccess } from './ownership.js';
import type { Principal } from './users.js';
import { READER_GROUP_PREFIX } from './reader-lag.js';
import { readerGroupUser } from '../profiles/connect.js';

/** Whether `user` sees every stage's metrics. */
export function seesAllMetrics(user: Principal | undefined): boolean {
  return user === undefined || user.role === 'admin' || user.role === 'metrics';
}

/** The stages whose metrics `user` sees. */
export function metricStages(registry: StageRegistry, user: Principal | undefined): StageRecord[] {
  const all = registry.list();
  return seesAllMetrics(user) ? all : all.filter(r => canAccess(r, user));
}

function topicsOf(registry: StageRegistry, rec: StageRecord, withInput: boolean): string[] {
  const out = Object.values(rec.outputTopics);
  try {
    const m = registry.version(rec.id, rec.currentVersion).manifest as {
      input?: { topic?: unknown };
      deadLetterTopic?: unknown;
    };
    if (typeof m.deadLetterTopic === 'string') {
      out.push(m.deadLetterTopic);
    }
    if (withInput && typeof m.input?.topic === 'string') {
      out.push(m.input.topic);
    }
  } catch {
    // a version file that cannot be read: its outputs are still known
  }
  return out;
}

/** Topics `user` may not see: other users' stage outputs, unless a stage of theirs uses them. */
export function hiddenTopics(registry: StageRegistry, user: Principal | undefined): Set<string> {
  const hidden = new Set<string>();
  if (user === undefined || user.role === 'admin') {
    return hidden;
  }
  const own: string[] = [];
  for (const rec of registry.list()) {
    if (canAccess(rec, user)) {
      own.push(...topicsOf(registry, rec, true));
    } else {
      topicsOf(registry, rec, false).forEach(t => hidden.add(t));
    }
  }
  own.forEach(t => hidden.delete(t));
  return hidden;
}

/** Whether `user` may see the reader group `groupId` and its lag. */
export function seesGroup(groupId: string, user: Principal | undefined): boolean {
  if (user === undefined || user.role === 'admin') {
    return true;
  }
  return groupId.startsWith(`${READER_GROUP_PREFIX}${readerGroupUser(user.name)}.`);
}
