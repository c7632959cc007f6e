/**
 * A backtest over an archive stage's Parquet: where the archive is (a directory, or the stage the
 * controller knows by id), whether the nights asked hold anything, and which columns to read for
 * a filter (what it reads, plus what the report and the cross-match need).
 */
import { existsSync, statSync } from 'node:fs';
import { RemoteError } from './errors.js';
import { StageRegistry } from '../../sdk/src/control/registry.js';
import { LIGHTCURVE_FEATURES } from '../../sdk/src/filter/features.js';
import type { Filter } from '../../sdk/src/filter/types.js';
import { archiveSpanProblem } from '../../sdk/src/stage/archive-reader.js';
import type { StageManifest } from '../../sdk/src/stage/manifest-types.js';

/** Rows sent back from an archive span unless asked otherwise. */
export const ARCHIVE_KEEP_ROWS = 100_000;
/** Columns an archive read always takes besides what the filter reads: id (digest), time (yield). */
const ARCHIVE_BASE_COLUMNS = ['alertId', 'mjd'];
/** ...and when rows are sent back, what names an alert. */
const ARCHIVE_ROW_COLUMNS = ['objectId', 'survey', 'ra', 'dec', 'band', 'mag'];
/** ...and when the stage cross-matches, what the matcher reads. */
const ARCHIVE_MATCH_COLUMNS = ['ra', 'dec', 'isMovingObject'];

/** An archive directory: the `archive` value itself, or the archive of the stage it names. */
export async function archivePath(archive: string, controllerDir: string): Promise<string> {
  if (existsSync(archive) && statSync(archive).isDirectory()) {
    return archive;
  }
  const registry = await StageRegistry.open(controllerDir);
  const record = registry.find(archive);
  if (!record) {
    const known = registry.list().map(s => s.id);
    throw new RemoteError(
      `No archive "${archive}": it is neither a directory nor a stage of the controller at ${controllerDir} (stages: ${known.join(', ') || 'none'}).`,
      'not-found'
    );
  }
  const manifest = registry.version(archive, record.currentVersion).manifest as {
    kind?: string;
    archive?: { path?: string };
  };
  if (manifest.kind !== 'archive' || typeof manifest.archive?.path !== 'string') {
    throw new RemoteError(
      `Stage "${archive}" is a ${manifest.kind ?? 'filter'} stage, not an archive stage.`,
      'bad-request'
    );
  }
  return manifest.archive.path;
}

/** The columns an archive read needs for `filter` (undefined: all of them). */
export function archiveColumns(
  filter: Filter,
  m: StageManifest,
  keepRows: number
): string[] | undefined {
  const reads = filter.readsOnly;
  if (reads === undefined) {
    return undefined;
  }
  const features = new Set<string>(LIGHTCURVE_FEATURES);
  const wantsCurve = reads.some(c => c === 'lightcurve' || features.has(c));
  const columns = new Set([
    ...ARCHIVE_BASE_COLUMNS,
    ...(keepRows > 0 ? ARCHIVE_ROW_COLUMNS : []),
    ...(m.crossmatch ? ARCHIVE_MATCH_COLUMNS : []),
    ...reads
  ]);
  if (wantsCurve) {
    columns.add('lightcurve');
  }
  for (const cat of m.crossmatch?.catalogs ?? []) {
    cat.columns.forEach(c => columns.add(c));
  }
  return [...columns];
}

/** Throws `not-found` when the archive holds no alert for `nights` (saying what it holds). */
export async function checkArchiveSpan(
  path: string,
  nights?: readonly [string, string]
): Promise<void> {
  const problem = await archiveSpanProblem(path, nights);
  if (problem !== undefined) {
    throw new RemoteError(problem, 'not-found');
  }
}
