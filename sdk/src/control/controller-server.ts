/**
 * `alertlab controller`: the catalog server plus stages, buffers, metrics and the OpenAPI
 * document, behind a bearer token; stages in the state directory come back at start.
 */
import { join } from 'node:path';
import { BufferClient } from '../buffer/client.js';
import type { KafkaSecurity } from '../buffer/security.js';
import { alertlabHome, defaultCatalogPath } from '../catalog/paths.js';
import { defaultTokenFile, ensureToken } from './auth.js';
import { addCatalogRoutes, type CatalogRouteOptions } from './catalog-routes.js';
import { CatalogService } from './catalogs.js';
import { Controller } from './controller.js';
import { linkSdk } from './deploy.js';
import { Router, sendJson } from './http.js';
import { openApiDocument } from './openapi.js';
import { StageRegistry } from './registry.js';
import { addHealthRoute } from './serve.js';
import { startHttpServer, type HttpServer, type HttpServerOptions } from './server.js';
import { addStageRoutes } from './stage-routes.js';
import { AuditLog, auditFile } from './audit.js';
import { UserStore, usersFile } from './users.js';
import { addWatchRoutes } from './watch-routes.js';
import { watchReferenceCheck } from './watch-access.js';
import { WatchOwnerStore } from '../watch/owner-store.js';
import { defaultWatchlistPath, defaultWatchmapDir } from '../watch/paths.js';
import { addObjectRoutes } from '../state/routes.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';

/** Options of {@link startController}. */
export interface ControllerOptions extends Omit<HttpServerOptions, 'token'> {
  /** Stage records and versions. @default `$ALERTLAB_HOME/controller` */
  stateDir?: string;
  /** Bearer token file (created 0600 at first start). @default `$ALERTLAB_HOME/controller.token` */
  tokenFile?: string;
  /** Kafka of the buffer set. @default process.env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local' */
  bootstrapServers?: string;
  /**
   * TLS/SASL for that Kafka; stages deployed without their own `input.security` get it too.
   * @default a secured local cluster's settings for 'local', else ALERTLAB_KAFKA_SECURITY
   */
  security?: KafkaSecurity;
  /** Catalog store (copied to memory at start). @default `$ALERTLAB_HOME/catalogs.duckdb` */
  storePath?: string;
  /** Catalogs to serve. @default all in the store */
  catalogs?: string[];
  /** Worker restarts and environment. @default {} */
  supervisor?: SupervisorOptions;
  /**
   * Callers of the public catalog routes without a token: rate, match cap and the reverse proxies
   * whose X-Forwarded-For is believed. @default 5/s, bursts of 20; proxies from ALERTLAB_TRUSTED_PROXIES
   */
  anonymous?: CatalogRouteOptions['anonymous'];
}

/** A running controller. close() stops the server and every worker (stages stay in the state dir). */
export interface RunningController extends HttpServer {
  readonly controller: Controller;
  readonly token: string;
  readonly tokenFile: string;
  readonly stateDir: string;
  /** Users with tokens of their own (`<state dir>/users.json`). */
  readonly users: UserStore;
  /** Audit log of stage changes (`<state dir>/audit.jsonl`). */
  readonly audit: AuditLog;
}

/** Starts the controller and resumes the stages of its state directory. */
export async function startController(options: ControllerOptions = {}): Promise<RunningController> {
  const stateDir = options.stateDir ?? join(alertlabHome(), 'controller');
  const tokenFile = options.tokenFile ?? defaultTokenFile();
  const token = await ensureToken(tokenFile);
  await linkSdk(stateDir);
  const registry = await StageRegistry.open(stateDir);
  const users = await UserStore.open(usersFile(stateDir));
  const audit = new AuditLog(auditFile(stateDir));
  const buffer = await BufferClient.create({
    bootstrapServers: options.bootstrapServers,
    clientId: 'alertlab-controller',
    security: options.security
  });
  const servers = buffer.bootstrapServers.join(',');
  const supervisor = new Supervisor({
    ...options.supervisor,
    env: { ALERTLAB_BOOTSTRAP_SERVERS: servers, ...(options.supervisor?.env ?? {}) }
  });
  let catalogs: CatalogService | undefined;
  try {
    catalogs = await CatalogService.open({
      storePath: options.storePath,
      catalogs: options.catalogs
    });
    const controller = new Controller(
      registry,
      supervisor,
      buffer,
      catalogs,
      options.storePath ?? defaultCatalogPath()
    );
    const router = new Router();
    addHealthRoute(router, () => ({ stages: registry.list().length }));
    let baseUrl = '';
    router.add('GET', '/openapi.json', ({ res }) => sendJson(res, 200, openApiDocument(baseUrl)));
    addCatalogRoutes(router, catalogs, { anonymous: options.anonymous });
    // watch owners: <state dir>/watch-owners.json; a user's stage names only its own or shared watches
    const owners = new WatchOwnerStore(join(stateDir, 'watch-owners.json'));
    const watchPaths = { watchlistPath: defaultWatchlistPath(), watchmapDir: defaultWatchmapDir() };
    addStageRoutes(router, controller, {
      audit,
      watchReferences: watchReferenceCheck(owners, watchPaths)
    });
    addWatchRoutes(router, { ...watchPaths, owners, audit });
    const objectRoutes = addObjectRoutes(router, controller);
    const http = await startHttpServer(router, { ...options, token, tokenFile, users });
    baseUrl = http.url;
    await controller.resume();
    const service = catalogs;
    return {
      ...http,
      controller,
      token,
      tokenFile,
      stateDir,
      users,
      audit,
      close: async () => {
        await controller.stopGates();
        objectRoutes.close();
        await http.close();
        await supervisor.close();
        await buffer.close();
        service.close();
      }
    };
  } catch (err) {
    await supervisor.close();
    await buffer.close();
    catalogs?.close();
    throw err;
  }
}
