/**
 * Which topics a lookup without `topic` searches (and first indexes what is new in):
 * - `'buffers'` (the default): the alert buffer topics — every buffer set's topics in the buffer
 *   config (`alertlab.buffers.json`, the nearest from the working directory up) — plus the topics
 *   the index already holds (each once named by a lookup with `topic`, or indexed by a reindex);
 * - `'all'`: every topic on the cluster but Kafka's internal ones (the first time, this reads every
 *   topic once: minutes on a busy broker);
 * - `'indexed'`: the topics the index holds (the background catch-up).
 * Topics that do not exist are left out; an indexed topic that no longer exists is reported as
 * gone (its rows are then dropped).
 */
import { BUFFERS_CONFIG_FILE, findBuffersConfig, loadBuffersConfig } from '../buffer/config.js';

export type LookupScope = 'buffers' | 'all' | 'indexed';

/** The buffer topics of the nearest buffer config, and where they came from. */
export interface BufferTopics {
  topics: string[];
  /** The config file read; undefined when there is none. */
  source: string | undefined;
}

/** Topics of every buffer set of the nearest `alertlab.buffers.json` (none when there is none). */
export async function bufferConfigTopics(fromDir?: string): Promise<BufferTopics> {
  const path = findBuffersConfig(fromDir);
  if (path === undefined) {
    return { topics: [], source: undefined };
  }
  const { config } = await loadBuffersConfig(path);
  return { topics: [...new Set(config.bufferSets.flatMap(s => s.topics))].sort(), source: path };
}

/** What a scope resolves to on the cluster now. */
export interface ScopeTopics {
  /** Topics to catch up, sorted. */
  search: string[];
  /** Indexed topics the cluster no longer lists (to forget). */
  gone: string[];
}

/** The topics of `scope`, given the cluster's listing and the index's topics. */
export function scopeTopics(
  scope: LookupScope,
  listed: readonly string[],
  indexed: readonly string[],
  bufferTopics: readonly string[],
  pattern?: RegExp
): ScopeTopics {
  const onCluster = new Set(listed);
  const wanted = new Set(indexed);
  if (scope === 'buffers') {
    bufferTopics.forEach(t => wanted.add(t));
  } else if (scope === 'all') {
    listed.forEach(t => wanted.add(t));
  }
  const inScope = [...wanted].filter(t => !t.startsWith('__') && (pattern?.test(t) ?? true));
  return {
    search: inScope.filter(t => onCluster.has(t)).sort(),
    gone: indexed.filter(t => !onCluster.has(t))
  };
}

/** Says what a lookup of `scope` searched, for the "not found" message. */
export function describeScope(scope: LookupScope, buffers: BufferTopics): string {
  if (scope === 'all') {
    return 'every topic of the cluster';
  }
  const from =
    buffers.source === undefined
      ? `no ${BUFFERS_CONFIG_FILE} found, so no declared buffer topics`
      : `${buffers.topics.join(', ') || 'none'} from ${buffers.source}`;
  return `the buffer topics (${from}) and the topics already indexed`;
}

/** The next step after an object was not found in the buffer topics. */
export const WIDER_SEARCH_HINT =
  ' Name its topic (topic), or search every topic of the cluster (allTopics: true; in Python ' +
  'all_topics=True).';
