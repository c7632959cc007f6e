/** Options and result of a lightcurve lookup (see lightcurve.ts). */
import type { Table } from 'apache-arrow';
import type { BufferClient, BufferOptions } from '../buffer/client.js';

/** Options of a lookup. */
export interface LightcurveOptions {
  /**
   * Only alerts of this topic (the archive is still read); it is indexed first if it is new.
   * @default the alert buffer topics (see `allTopics`)
   */
  topic?: string;
  /**
   * Without `topic`: search every topic of the cluster (indexing each new one first: minutes
   * on a busy broker the first time) instead of the alert buffer topics — the topics of the
   * buffer config (`alertlab.buffers.json`, or `bufferTopics` of the service) plus the topics
   * already indexed. @default false
   */
  allTopics?: boolean;
  /** Only points at or after this MJD (days, the alerts' own time scale: TAI for Rubin, UTC for ZTF). @default all */
  sinceMjd?: number;
}

/** A lightcurve and where it came from. */
export interface LightcurveResult {
  objectId: string;
  /**
   * mjd, band, flux, fluxErr, mag, magErr, totalMag, totalMagErr (total-flux magnitudes; null for
   * points read from archives written before they existed), isDetection, upperLimitMag, forced,
   * alertId, source; sorted by mjd.
   */
  table: Table;
  /** Alerts of the object found (buffer + archive); 0 means an unknown object (the table is empty). */
  found: number;
  bufferAlerts: number;
  archiveAlerts: number;
  /** Kafka records this lookup read (its alerts' records only, never whole topics). */
  recordsRead: number;
  /** Says what was searched when nothing was found. */
  message?: string;
}

/** Options of {@link LightcurveService.create}. */
export interface LightcurveServiceOptions extends BufferOptions {
  /** A buffer client to use (not closed by the service). @default one made from the other options */
  buffer?: BufferClient;
  /** The index file; `:memory:` for a private one. @default defaultObjectIndexPath() */
  indexPath?: string;
  /** Archive roots (`<root>/night=*\/*.parquet`). @default discoverArchiveDirs(): `$ALERTLAB_ARCHIVE_DIRS`, else `$ALERTLAB_HOME/archive` and the controller's archive stages */
  archiveDirs?: string[];
  /**
   * The alert buffer topics a lookup without `topic` searches (besides the topics already indexed).
   * @default every buffer set's topics in the nearest alertlab.buffers.json (none without one)
   */
  bufferTopics?: string[];
  /** Only topics whose name matches are searched by a lookup without `topic`. @default all names */
  topics?: RegExp;
  /** Catch up with every topic at most this often (a lookup with `topic` always catches that one up). @default 1000 */
  catchUpIntervalMs?: number;
}
