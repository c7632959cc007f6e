/** The `watch` section of a stage manifest: which watchlists and watchmaps the stage tests. */
import type { FieldReader } from '../stage/manifest-check.js';
import { WATCH_NAME_RE } from './paths.js';
import type { StageWatch } from './watch-columns.js';

function names(r: FieldReader, key: string): string[] | '*' | undefined {
  const v = r.raw[key];
  if (v === undefined) {
    return undefined;
  }
  if (v === '*') {
    return '*';
  }
  if (!Array.isArray(v) || v.some(s => typeof s !== 'string' || !WATCH_NAME_RE.test(s))) {
    r.fail(key, 'must be "*" (all) or an array of names (lower-case letters, digits, "_", "-")');
    return undefined;
  }
  return v as string[];
}

/** Reads `watch: { watchlists?, watchmaps?, watchlistPath?, watchmapDir? }`. */
export function parseWatch(r: FieldReader): StageWatch {
  r.onlyKeys(['watchlists', 'watchmaps', 'watchlistPath', 'watchmapDir']);
  const watch: StageWatch = {
    watchlists: names(r, 'watchlists'),
    watchmaps: names(r, 'watchmaps'),
    watchlistPath: r.string('watchlistPath'),
    watchmapDir: r.string('watchmapDir')
  };
  if (watch.watchlists === undefined && watch.watchmaps === undefined) {
    r.fail(
      '',
      'names no watchlists and no watchmaps; give watchlists and/or watchmaps ("*" for all)'
    );
  }
  return watch;
}
