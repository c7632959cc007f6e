/** `alertlab serve`: cone search and cross-match over HTTP (JSON, Arrow IPC, IVOA SCS). */
import { CatalogService } from './catalogs.js';
import { addCatalogRoutes, type CatalogRouteOptions } from './catalog-routes.js';
import { Router, sendJson } from './http.js';
import { startHttpServer, type HttpServer, type HttpServerOptions } from './server.js';

/** Default port of `alertlab serve` and `alertlab controller`. */
export const DEFAULT_PORT = 8750;

/** Options of {@link startCatalogServer}. */
export interface CatalogServerOptions extends HttpServerOptions, CatalogRouteOptions {
  /** Catalog store file. @default `$ALERTLAB_HOME/catalogs.duckdb` */
  storePath?: string;
  /** Catalogs to serve (copied to memory at start). @default every catalog in the store */
  catalogs?: string[];
}

/** A running catalog server: close() stops it and closes the store. */
export interface CatalogServer extends HttpServer {
  readonly catalogs: CatalogService;
}

/** Adds `GET /health` (public). */
export function addHealthRoute(
  router: Router,
  extra: () => Record<string, unknown> = () => ({})
): void {
  const started = Date.now();
  router.add(
    'GET',
    '/health',
    ({ res }) =>
      sendJson(res, 200, { status: 'ok', uptimeS: (Date.now() - started) / 1000, ...extra() }),
    {
      public: true
    }
  );
}

/** Starts the cone search / cross-match server. */
export async function startCatalogServer(
  options: CatalogServerOptions = {}
): Promise<CatalogServer> {
  const catalogs = await CatalogService.open({
    storePath: options.storePath,
    catalogs: options.catalogs
  });
  try {
    const router = new Router();
    addHealthRoute(router);
    addCatalogRoutes(router, catalogs, options);
    const http = await startHttpServer(router, options);
    return {
      ...http,
      url: http.url,
      port: http.port,
      server: http.server,
      catalogs,
      close: async () => {
        await http.close();
        catalogs.close();
      }
    };
  } catch (err) {
    catalogs.close();
    throw err;
  }
}
