/**
 * Services backed by the SDK: Kafka buffer topics (`sdk/src/buffer`) and cross-match / cone search
 * over the catalog store (`sdk/src/crossmatch`, `sdk/src/catalog`). Modules load on first use, so
 * the engine starts without Kafka or DuckDB. Backtests: backtest-service.ts.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { Lazy } from './lazy.js';
import type { AttachOptions, BridgeServices, StreamItem, TopicInfo } from './services.js';

type BufferModule = typeof import('../../sdk/src/buffer/index.js');
type CrossmatchModule = typeof import('../../sdk/src/crossmatch/index.js');
type CatalogModule = typeof import('../../sdk/src/catalog/index.js');
type BacktestModule = typeof import('./backtest-service.js');
type LightcurveModule = typeof import('./lightcurve-service.js');
type BufferClient = Awaited<ReturnType<BufferModule['BufferClient']['create']>>;
type Matcher = ReturnType<CrossmatchModule['createMatcher']>;
type CatalogStore = Awaited<ReturnType<CatalogModule['CatalogStore']['open']>>;

export interface SdkServicesOptions {
  /** Catalog store path. @default the catalog module's default path */
  catalogPath?: string;
}

/** JSON-safe view of a reject (drops byte arrays, stringifies bigints). */
function plainReject(reject: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(reject)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out[k] = v;
    } else if (typeof v === 'bigint') {
      out[k] = v.toString();
    }
  }
  return out;
}

/** Ends the stream after `maxRows` rows or `idleTimeoutMs` without a batch. */
async function* limited(
  source: AsyncGenerator<{
    batch: RecordBatch;
    rejects: object[];
    commit(): Promise<void>;
    release?(): void;
  }>,
  maxRows: number | undefined,
  idleTimeoutMs: number | undefined,
  stop: AbortController
): AsyncIterable<StreamItem> {
  let rows = 0;
  try {
    while (maxRows === undefined || rows < maxRows) {
      let timer: NodeJS.Timeout | undefined;
      const next = source.next();
      const idle =
        idleTimeoutMs === undefined
          ? null
          : new Promise<'idle'>(
              resolve => (timer = setTimeout(() => resolve('idle'), idleTimeoutMs))
            );
      const r = await (idle ? Promise.race([next, idle]) : next).finally(() => clearTimeout(timer));
      if (r === 'idle' || r.done) {
        return;
      }
      const { batch, rejects, commit, release } = r.value;
      const take = maxRows === undefined ? batch : batch.slice(0, maxRows - rows);
      rows += take.numRows;
      yield {
        batch: take,
        rejects: rejects.map(plainReject),
        commit: () => commit(),
        ...(release && { release: () => release() })
      };
    }
  } finally {
    stop.abort();
    await source.return(undefined).catch(() => undefined);
  }
}

/** The engine's default services. Call `close` (the engine does) to release Kafka and DuckDB. */
export async function sdkServices(options: SdkServicesOptions = {}): Promise<BridgeServices> {
  // Kafka and the catalog store are opened on first use; a failed open is retried on the next
  // call (the user started Kafka or loaded a catalog as the error message said)
  const buffer = new Lazy<BufferClient>(() =>
    import('../../sdk/src/buffer/index.js').then(m => m.BufferClient.create())
  );
  const matcher = new Lazy<{ store: CatalogStore; matcher: Matcher }>(async () => {
    const catalog = await import('../../sdk/src/catalog/index.js');
    const crossmatch = await import('../../sdk/src/crossmatch/index.js');
    const store = await catalog.CatalogStore.open(options.catalogPath, { readOnly: true });
    return { store, matcher: crossmatch.createMatcher(store) };
  });
  let backtests: Promise<ReturnType<BacktestModule['backtestService']>> | undefined;
  const backtester = () =>
    (backtests ??= import('./backtest-service.js').then(m =>
      m.backtestService({ catalogPath: options.catalogPath })
    ));
  const bufferClient = () => buffer.get();
  // clients of the stream profiles attached to, one per profile, closed with the services
  const profileClients = new Map<string, Promise<BufferClient>>();
  const profiles = () => import('../../sdk/src/profiles/index.js');
  const clientFor = async (
    name: string | undefined,
    connection?: AttachOptions['connection']
  ): Promise<BufferClient> => {
    if (connection !== undefined && name === undefined) {
      return connectionClient(connection);
    }
    if (name === undefined) {
      return bufferClient();
    }
    let c = profileClients.get(name);
    if (!c) {
      const p = await profiles();
      c = p.profileClient(p.loadProfile(name));
      profileClients.set(name, c);
      c.catch(() => profileClients.delete(name));
    }
    return c;
  };
  // clients of other clusters named in attach (brokers + security settings), one per connection
  const connectionClient = async (c: NonNullable<AttachOptions['connection']>) => {
    const m = await import('../../sdk/src/buffer/index.js');
    const sec = await import('../../sdk/src/buffer/security-sources.js');
    const { parseSecurity } = await import('../../sdk/src/buffer/security.js');
    const security =
      c.securityFile !== undefined
        ? sec.loadSecurityFile(c.securityFile)
        : c.security === undefined
          ? undefined
          : parseSecurity(c.security, { source: 'attach(security=...)' });
    const key = `connection:${JSON.stringify([c.bootstrapServers ?? null, security ?? null])}`;
    let client = profileClients.get(key);
    if (!client) {
      client = m.BufferClient.create({ bootstrapServers: c.bootstrapServers, security });
      profileClients.set(key, client);
      client.catch(() => profileClients.delete(key));
    }
    return client;
  };
  let lightcurves: Promise<ReturnType<LightcurveModule['lightcurveService']>> | undefined;
  const lightcurver = () =>
    (lightcurves ??= import('./lightcurve-service.js').then(m =>
      m.lightcurveService({ buffer: bufferClient })
    ));
  const match = async (table: Table, catalogs: string[], radiusArcsec: number) => {
    const { matcher: m } = await matcher.get();
    return m.match(table, {
      catalogs: catalogs.map(name => ({ name, radiusArcsec })),
      includeMovingObjects: true
    });
  };
  return {
    topics: async (): Promise<TopicInfo[]> => {
      const { summarizeTopics } = await import('../../sdk/src/buffer/index.js');
      const client = await bufferClient();
      const summaries = await summarizeTopics(await client.admin(), undefined, {
        refresh: () => client.refreshAdmin()
      });
      return summaries.map(s => ({
        name: s.topic,
        partitions: s.partitions,
        records: Number(s.records),
        source: 'kafka'
      }));
    },
    attach: (topic, o) => {
      const stop = new AbortController();
      o.signal.addEventListener('abort', () => stop.abort(), { once: true });
      const start = async function* () {
        const client = await clientFor(o.profile, o.connection);
        const p = o.profile === undefined && o.resetTo === undefined ? undefined : await profiles();
        const profile = o.profile !== undefined && p ? p.loadProfile(o.profile) : undefined;
        const source = client.attach(topic, {
          group:
            profile && p && o.group !== undefined ? p.profileGroupId(profile, o.group) : o.group,
          from:
            o.resetTo !== undefined && p
              ? p.parseResetTo(o.resetTo)
              : o.fromBeginning === false
                ? 'latest'
                : 'earliest',
          decoder: profile && p ? p.profileDecoder(profile) : undefined,
          signal: stop.signal
        });
        yield* limited(source, o.maxRows, o.idleTimeoutMs, stop);
      };
      return start();
    },
    crossmatch: (table, o) => match(table, o.catalogs, o.radiusArcsec),
    cone: async o => {
      const { Float64, Table: ArrowTable, vectorFromArray } = await import('apache-arrow');
      const point = new ArrowTable({
        ra: vectorFromArray([o.raDeg], new Float64()),
        dec: vectorFromArray([o.decDeg], new Float64())
      });
      return match(point, [o.catalog], o.radiusArcsec);
    },
    backtest: async (request, buffers) => (await backtester()).backtest(request, buffers),
    lightcurve: async request => (await lightcurver()).lightcurve(request),
    close: async () => {
      await (await lightcurves?.catch(() => undefined))?.close();
      await (await backtests?.catch(() => undefined))?.close();
      await (await buffer.take())?.close();
      for (const c of profileClients.values()) {
        await (await c.catch(() => undefined))?.close();
      }
      const opened = await matcher.take();
      opened?.matcher.close();
      await opened?.store.close();
    }
  };
}
