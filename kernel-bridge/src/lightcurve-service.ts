/**
 * The engine's `lightcurve` service: one object's whole lightcurve from the SDK's object index
 * (sdk/src/objects), as one Arrow IPC buffer.
 *
 * Request content:
 *   object_id   string (a ZTF objectId, a Rubin diaObjectId as decimal digits)
 *   topic?      only alerts of this topic (the archive is still searched)
 *   all_topics? without topic: every topic of the cluster instead of the alert buffer topics (the
 *               buffer config's topics plus those already indexed; see sdk/src/objects/lookup-scope.ts)
 *   since_mjd?  only points at or after this MJD (days)
 * Reply content: object_id, num_rows, found (alerts of the object found; 0 = unknown object, the
 * table is then empty but typed), buffer_alerts, archive_alerts, records_read, message (when none).
 */
import { toIpcBytes } from './arrow-ipc.js';
import { RemoteError } from './errors.js';
import type { ServiceReply } from './services.js';
import type { JsonObject } from './wire.js';
import type { BufferClient } from '../../sdk/src/buffer/client.js';
import { LightcurveService } from '../../sdk/src/objects/lightcurve.js';

export interface LightcurveServiceOptions {
  /** The engine's buffer client (shared, not closed here). */
  buffer: () => Promise<BufferClient>;
  /** @default the SDK's default index path */
  indexPath?: string;
  /** @default discovered (see sdk/src/objects/archive-dirs.ts) */
  archiveDirs?: string[];
  /**
   * After the first lookup, keep the index caught up with the topics it indexes and the archive
   * this often, so later lookups find little to index. @default 10_000
   */
  backgroundCatchUpMs?: number;
}

function objectIdOf(content: JsonObject): string {
  const v = content.object_id;
  const id = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof id !== 'string' || id.trim() === '') {
    throw new RemoteError(
      'lightcurve needs "object_id": a ZTF objectId or a Rubin diaObjectId (as a string of digits).',
      'bad-request'
    );
  }
  return id.trim();
}

export function lightcurveService(options: LightcurveServiceOptions): {
  lightcurve(request: JsonObject): Promise<ServiceReply>;
  close(): Promise<void>;
} {
  let service: Promise<LightcurveService> | undefined;
  const open = () =>
    (service ??= options.buffer().then(async buffer => {
      const opened = await LightcurveService.create({
        buffer,
        indexPath: options.indexPath,
        archiveDirs: options.archiveDirs
      });
      opened.keepCaughtUp(options.backgroundCatchUpMs ?? 10_000);
      return opened;
    }));
  return {
    async lightcurve(request) {
      const objectId = objectIdOf(request);
      const topic = request.topic ?? undefined;
      if (topic !== undefined && (typeof topic !== 'string' || topic === '')) {
        throw new RemoteError('"topic" must be a topic name or null.', 'bad-request');
      }
      const allTopics = request.all_topics ?? false;
      if (typeof allTopics !== 'boolean') {
        throw new RemoteError('"all_topics" must be true or false.', 'bad-request');
      }
      const since = request.since_mjd ?? undefined;
      if (since !== undefined && (typeof since !== 'number' || !Number.isFinite(since))) {
        throw new RemoteError('"since_mjd" must be a finite MJD in days, or null.', 'bad-request');
      }
      let r;
      try {
        r = await (await open()).lightcurve(objectId, { topic, allTopics, sinceMjd: since });
      } catch (err) {
        if ((err as Error).name === 'TopicNotFoundError') {
          throw new RemoteError(
            `No buffer topic "${topic}": ${(err as Error).message}`,
            'not-found'
          );
        }
        throw err;
      }
      return {
        content: {
          object_id: objectId,
          num_rows: r.table.numRows,
          found: r.found,
          buffer_alerts: r.bufferAlerts,
          archive_alerts: r.archiveAlerts,
          records_read: r.recordsRead,
          ...(r.message !== undefined && { message: r.message })
        },
        buffers: [toIpcBytes(r.table)]
      };
    },
    async close() {
      const s = service;
      service = undefined;
      await (await s?.catch(() => undefined))?.close();
    }
  };
}
