/**
 * One object's whole lightcurve, from every alert of it in the buffer topics and the archive.
 *
 * ```ts
 * const lc = await LightcurveService.create();
 * const { table, found } = await lc.lightcurve('ZTF19acihgng', { sinceMjd: 58800 });
 * ```
 *
 * A lookup never scans a topic: the object index (object-index.ts) says which records hold the
 * object's alerts; the service first catches the index up with what is new in the buffer and the
 * archive (catch-up.ts), then reads just those records (read-offsets.ts), decodes them, and merges
 * their points (points.ts) with those of the archive's Parquet files that hold the object.
 */
import { createDecoder } from '../alerts/index.js';
import type { AlertDecoder } from '../alerts/types.js';
import { BufferClient } from '../buffer/client.js';
import { ConfigError, TopicNotFoundError } from '../errors.js';
import { discoverArchiveDirs } from './archive-dirs.js';
import { readArchivePoints } from './archive-points.js';
import { catchUpArchive, catchUpTopic } from './catch-up.js';
import {
  bufferConfigTopics,
  describeScope,
  scopeTopics,
  type BufferTopics,
  type LookupScope,
  WIDER_SEARCH_HINT
} from './lookup-scope.js';
import { ObjectIndex, defaultObjectIndexPath } from './object-index.js';
import { mergePoints, pointsOfBatch, pointsTable, type LightcurvePoint } from './points.js';
import { rangesOf, readRanges, type OffsetRange } from './read-offsets.js';
import type {
  LightcurveOptions,
  LightcurveResult,
  LightcurveServiceOptions
} from './lightcurve-types.js';

export type { LightcurveOptions, LightcurveResult, LightcurveServiceOptions };

export class LightcurveService {
  private readonly decoders = new Map<string, AlertDecoder>();
  private readonly lastSweepMs = new Map<LookupScope, number>();
  /** Archive roots searched by the last catch-up. */
  archiveDirs: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Stops a catch-up in progress when the service closes. */
  private readonly stopping = new AbortController();
  private background: NodeJS.Timeout | undefined;
  /** The last background catch-up's error, if it failed. */
  lastBackgroundError: Error | undefined;

  private constructor(
    readonly index: ObjectIndex,
    private readonly buffer: BufferClient,
    private readonly ownsBuffer: boolean,
    private readonly fixedArchiveDirs: string[] | undefined,
    private readonly intervalMs: number,
    private readonly topicPattern: RegExp | undefined,
    private readonly buffers: BufferTopics
  ) {}

  /**
   * Opens the object index (falling back to a private in-memory one when another process — a
   * bridge engine — holds the file) and the buffer client.
   */
  static async create(options: LightcurveServiceOptions = {}): Promise<LightcurveService> {
    const path = options.indexPath ?? defaultObjectIndexPath();
    const index = await ObjectIndex.open(path).catch(async (err: unknown) => {
      if (path === ':memory:') {
        throw err;
      }
      return ObjectIndex.open(':memory:');
    });
    const buffer = options.buffer ?? (await BufferClient.create(options));
    return new LightcurveService(
      index,
      buffer,
      options.buffer === undefined,
      options.archiveDirs,
      options.catchUpIntervalMs ?? 1000,
      options.topics,
      options.bufferTopics === undefined
        ? await bufferConfigTopics()
        : { topics: [...options.bufferTopics], source: 'the service options' }
    );
  }

  /**
   * Runs index work one task at a time (catch-ups and lookups share one DuckDB connection, and a
   * transaction must not interleave with other statements); a task queued after close() fails.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.closed) {
        throw new ConfigError('The lightcurve service is closed.');
      }
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async enqueue(fn: () => Promise<unknown>): Promise<void> {
    await this.exclusive(fn);
  }

  /**
   * Catches the index up with `topic` (or the topics of `scope`, at most once per interval) and
   * the archive. Topics are caught up one task each, so a lookup waits for one topic at most, not
   * for all. A topic deleted meanwhile is skipped and its rows dropped; `topic` itself deleted
   * (or never created) is a TopicNotFoundError.
   */
  async catchUp(topic?: string, scope: LookupScope = 'buffers'): Promise<void> {
    const transport = this.buffer.transport;
    if (topic !== undefined) {
      const r = await this.exclusive(() =>
        catchUpTopic(transport, this.buffer, this.index, topic, undefined, this.stopping.signal)
      );
      if (r.gone === true) {
        throw new TopicNotFoundError(
          `Topic "${topic}" does not exist on the Kafka cluster (${this.buffer.bootstrapServers.join(',')}). ` +
            'Check the name (alertlab.topics() lists them).',
          { context: { topic } }
        );
      }
    } else if (
      scope === 'indexed' ||
      Date.now() - (this.lastSweepMs.get(scope) ?? 0) >= this.intervalMs
    ) {
      const started = Date.now();
      const listed = await (await this.buffer.admin()).listTopics();
      const indexed = await this.exclusive(() => this.index.topics());
      const { search, gone } = scopeTopics(
        scope,
        listed,
        indexed,
        this.buffers.topics,
        this.topicPattern
      );
      for (const t of gone) {
        await this.enqueue(() => this.index.forgetTopic(t)); // deleted: its rows point nowhere
      }
      for (const t of search) {
        await this.enqueue(() =>
          catchUpTopic(transport, this.buffer, this.index, t, undefined, this.stopping.signal)
        );
      }
      this.lastSweepMs.set(scope, started);
    }
    await this.enqueue(async () => {
      this.archiveDirs = this.fixedArchiveDirs ?? (await discoverArchiveDirs());
      await catchUpArchive(this.index, this.archiveDirs);
    });
  }

  /**
   * Keeps the index caught up, every `intervalMs` until close(), with the topics it already
   * indexes (a new topic is first indexed by a lookup: the background never sweeps a big topic
   * nobody asked about) and the archive, so lookups find little left to index (the engine starts
   * this after its first lookup). A failed round is kept in `lastBackgroundError`, retried next.
   */
  keepCaughtUp(intervalMs: number): void {
    if (this.background !== undefined) {
      return;
    }
    let running = false;
    this.background = setInterval(() => {
      if (running || this.closed) {
        return;
      }
      running = true;
      this.catchUp(undefined, 'indexed')
        .then(() => (this.lastBackgroundError = undefined))
        .catch((err: unknown) => (this.lastBackgroundError = err as Error))
        .finally(() => (running = false));
    }, intervalMs);
    this.background.unref();
  }

  /** The lightcurve of `objectId`: every point of every alert of it, merged. */
  async lightcurve(objectId: string, options: LightcurveOptions = {}): Promise<LightcurveResult> {
    if (typeof objectId !== 'string' || objectId.trim() === '') {
      throw new ConfigError(
        'lightcurve needs an object id (a ZTF objectId or a Rubin diaObjectId).'
      );
    }
    const since = options.sinceMjd;
    if (since !== undefined && !Number.isFinite(since)) {
      throw new ConfigError(`lightcurve: sinceMjd must be a finite MJD in days (got ${since}).`);
    }
    const scope: LookupScope = options.allTopics === true ? 'all' : 'buffers';
    await this.catchUp(options.topic, scope);
    const points: LightcurvePoint[] = [];
    const locations = await this.exclusive(() => this.index.locate(objectId, options.topic, since));
    const byTopic = new Map<string, Map<number, bigint[]>>();
    for (const l of locations) {
      const parts = byTopic.get(l.topic) ?? new Map<number, bigint[]>();
      byTopic.set(l.topic, parts);
      parts.set(l.partition, [...(parts.get(l.partition) ?? []), l.offset]);
    }
    let bufferAlerts = 0;
    let recordsRead = 0;
    for (const [topic, parts] of byTopic) {
      const ranges = new Map<number, OffsetRange[]>();
      for (const [p, offsets] of parts) {
        ranges.set(p, rangesOf(offsets));
      }
      const decoder = this.decoderFor(topic);
      await readRanges(this.buffer.transport, topic, ranges, (_p, records) => {
        recordsRead += records.length;
        const { batch } = decoder.decodeBatch(records.map(r => r.value));
        const got = pointsOfBatch(batch, objectId, topic);
        bufferAlerts += got.alerts;
        points.push(...got.points);
      });
    }
    const archived = await this.exclusive(async () =>
      readArchivePoints(
        await this.index.connection(),
        await this.index.archiveFilesOf(objectId),
        objectId,
        since
      )
    );
    points.push(...archived.points);
    const merged = mergePoints(since === undefined ? points : points.filter(p => p.mjd >= since));
    const found = bufferAlerts + archived.alerts;
    const where =
      options.topic === undefined ? describeScope(scope, this.buffers) : `topic "${options.topic}"`;
    return {
      objectId,
      table: pointsTable(merged, { objectId, found: String(found) }),
      found,
      bufferAlerts,
      archiveAlerts: archived.alerts,
      recordsRead,
      ...(found === 0 && {
        message: `No alert of object "${objectId}"${since === undefined ? '' : ` at or after MJD ${since}`} in ${where} or the archive (${this.archiveDirs.join(', ')}).${options.topic === undefined && scope === 'buffers' ? WIDER_SEARCH_HINT : ''}`
      })
    };
  }

  private decoderFor(topic: string): AlertDecoder {
    let d = this.decoders.get(topic);
    if (d === undefined) {
      d = createDecoder('auto', { columns: [] });
      this.decoders.set(topic, d);
    }
    return d;
  }

  /** Stops the background catch-up and any catch-up in progress, then closes the index. */
  async close(): Promise<void> {
    clearInterval(this.background);
    this.stopping.abort();
    await this.enqueue(async () => undefined).catch(() => undefined);
    this.closed = true;
    await this.queue;
    this.index.close();
    if (this.ownsBuffer) {
      await this.buffer.close();
    }
  }
}

/** One lookup with a short-lived service (scripts, notebooks without the bridge). */
export async function lightcurve(
  objectId: string,
  options: LightcurveOptions & LightcurveServiceOptions = {}
): Promise<LightcurveResult> {
  const service = await LightcurveService.create(options);
  try {
    return await service.lightcurve(objectId, options);
  } finally {
    await service.close();
  }
}
