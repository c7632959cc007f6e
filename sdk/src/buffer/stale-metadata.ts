/**
 * Calls on one topic that survive a long-lived client's stale metadata. A Kafka client caches
 * which broker leads which partition of which topic; after topics are created, deleted or moved
 * by others, a long-lived client may ask the wrong broker or a partition that is gone and get
 * UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this topic-partition"), NOT_LEADER or
 * LEADER_NOT_AVAILABLE for a topic that exists. kafkajs retries those a few times itself, then
 * throws them wrapped (the code is on the error's `cause`), so they arrive here not marked
 * retriable. {@link withFreshAdmin} recognises them anywhere in the cause chain, asks for a new
 * admin client (fresh metadata), checks that the topic still exists (a topic deleted meanwhile is
 * reported as gone, not as a failure) and retries, a bounded number of times with backoff.
 */
import { AlertlabError } from '../errors.js';
import { backoffMs } from './retry.js';
import type { AdminClient } from './transport-types.js';

/** Where admin clients come from: the shared one, and a new one with fresh metadata. */
export interface AdminSource {
  admin(): Promise<AdminClient>;
  /** A new admin client replacing the shared one (fresh cluster metadata). */
  refreshAdmin(): Promise<AdminClient>;
}

const STALE_CODES = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'ERR_UNKNOWN_TOPIC_OR_PART',
  'ERR_NOT_LEADER_FOR_PARTITION',
  'ERR_LEADER_NOT_AVAILABLE'
]);
const STALE_TEXT =
  /does not host this topic-partition|not the leader for|leader not available|no leader for|unknown topic or partition/i;

/**
 * True when `error` (or any error in its `cause` chain) says the client's metadata is stale:
 * unknown topic or partition, not the leader, leader not available — or TopicNotFoundError.
 */
export function isStaleMetadataError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const fields = e as {
      name?: unknown;
      type?: unknown;
      code?: unknown;
      message?: unknown;
      context?: { code?: unknown };
      cause?: unknown;
      originalError?: unknown;
    };
    if (fields.name === 'TopicNotFoundError') {
      return true;
    }
    for (const code of [fields.type, fields.code, fields.context?.code]) {
      if (typeof code === 'string' && STALE_CODES.has(code)) {
        return true;
      }
    }
    if (typeof fields.message === 'string' && STALE_TEXT.test(fields.message)) {
      return true;
    }
    e = fields.cause ?? fields.originalError;
  }
  return false;
}

/** Options of {@link withFreshAdmin}. */
export interface FreshAdminOptions {
  /** Retries after the first attempt, each with a new admin client. @default 3 */
  retries?: number;
  /** Wait before the first retry (doubling, with jitter). @default 200 */
  initialRetryTimeMs?: number;
  /** Stops waiting between attempts. */
  signal?: AbortSignal;
}

/** What {@link withFreshAdmin} got: the value, or `gone` when the topic no longer exists. */
export type FreshAdminResult<T> = { ok: true; value: T } | { ok: false; gone: true };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true }
    );
  });
}

/**
 * Runs `fn(admin)` for `topic`; on a stale-metadata error, takes a new admin client, and when the
 * topic is no longer listed answers `{ ok: false, gone: true }`, else retries (bounded, with
 * backoff). Other errors are thrown as they are; stale answers that outlast the retries become an
 * AlertlabError that says what to do.
 */
export async function withFreshAdmin<T>(
  source: AdminSource,
  topic: string,
  fn: (admin: AdminClient) => Promise<T>,
  options: FreshAdminOptions = {}
): Promise<FreshAdminResult<T>> {
  const retries = options.retries ?? 3;
  let admin = await source.admin();
  for (let attempt = 0; ; attempt++) {
    try {
      return { ok: true, value: await fn(admin) };
    } catch (error) {
      if (!isStaleMetadataError(error)) {
        throw error;
      }
      admin = await source.refreshAdmin();
      if (!(await admin.listTopics()).includes(topic)) {
        return { ok: false, gone: true };
      }
      if (attempt >= retries) {
        throw new AlertlabError(
          `Kafka kept answering with stale metadata for topic "${topic}" after ${attempt + 1} ` +
            `attempts, each with a refreshed client: ${(error as Error).message}. The topic ` +
            'exists; check the brokers and their logs (`alertlab kafka status`), then retry.',
          { cause: error, retriable: true, context: { topic, attempts: attempt + 1 } }
        );
      }
      await sleep(
        backoffMs(attempt, { initialRetryTimeMs: options.initialRetryTimeMs ?? 200 }),
        options.signal
      );
    }
  }
}
