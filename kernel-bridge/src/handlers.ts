/**
 * The engine's dispatch map: one handler per request type declared in messages.ts. Handlers read
 * `content` and buffers, call a service and return the reply's content and buffers.
 */
import { fromIpcBytes, toIpcBytes, toIpcParts } from './arrow-ipc.js';
import { attachHandlers } from './attach-handlers.js';
import { RemoteError } from './errors.js';
import { num, service, str, type Handler } from './handler-kit.js';
import { BRIDGE_PROTOCOL_VERSION } from './messages.js';
import type { BridgeMessage, JsonObject } from './wire.js';

export type { Handler, HandlerResult, RequestContext } from './handler-kit.js';

function firstTable(msg: BridgeMessage) {
  if (msg.buffers.length === 0) {
    throw new RemoteError('Request needs an Arrow IPC buffer (the table).', 'bad-request');
  }
  return fromIpcBytes(msg.buffers[0]);
}

export function defaultHandlers(): Record<string, Handler> {
  return {
    ping_request: async ({ engine }) => ({
      content: {
        pid: process.pid,
        uptime_ms: Date.now() - engine.startedAt,
        protocol_version: BRIDGE_PROTOCOL_VERSION,
        streams: engine.streams.size,
        stream_stats: [...engine.streams.values()].map(s => ({
          stream_id: s.id,
          ...s.gate.stats,
          outstanding: s.gate.outstanding,
          ended: s.ended
        }))
      }
    }),
    topics_request: async ({ engine }) => ({
      content: { topics: (await service(engine, 'topics')()) as unknown as JsonObject[] }
    }),
    echo_request: async ({ message }) => ({
      content: { num_rows: message.buffers.map(b => fromIpcBytes(b).numRows) },
      buffers: message.buffers.map(b => toIpcBytes(fromIpcBytes(b)))
    }),
    crossmatch_request: async ({ engine, message }) => {
      const c = message.content;
      const catalogs = c.catalogs;
      if (!Array.isArray(catalogs) || !catalogs.every(x => typeof x === 'string')) {
        throw new RemoteError(
          'crossmatch needs "catalogs": a list of catalog names.',
          'bad-request'
        );
      }
      const options = { catalogs: catalogs as string[], radiusArcsec: num(c, 'radius_arcsec') };
      const table = firstTable(message);
      const out = await service(engine, 'crossmatch')(table, options);
      // the pair table as one Arrow IPC stream split over the reply's buffers (concatenate them):
      // the column buffers go out as they are instead of being copied into one (toIpcParts)
      const parts = await toIpcParts(out);
      return { content: { num_rows: out.numRows, ipc_parts: parts.length }, buffers: parts };
    },
    cone_request: async ({ engine, message }) => {
      const c = message.content;
      const options = {
        raDeg: num(c, 'ra_deg'),
        decDeg: num(c, 'dec_deg'),
        radiusArcsec: num(c, 'radius_arcsec'),
        catalog: str(c, 'catalog')
      };
      const out = await service(engine, 'cone')(options);
      return { content: { num_rows: out.numRows }, buffers: [toIpcBytes(out)] };
    },
    lightcurve_request: async ({ engine, message }) =>
      service(engine, 'lightcurve')(message.content),
    backtest_request: async ({ engine, message }) =>
      service(engine, 'backtest')(message.content, message.buffers),
    shutdown_request: async ({ engine }) => ({
      content: { pid: process.pid },
      after: async () => {
        setImmediate(() => engine.shutdown());
      }
    }),
    ...attachHandlers()
  };
}
