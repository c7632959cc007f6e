/** REST routes of the controller: stages and buffer topics. */
import type { ServerResponse } from 'node:http';
import type { Controller } from './controller.js';
import { readJson, sendBytes, sendJson, type Router } from './http.js';
import { stageK8sObjects, toYamlDocuments } from './k8s.js';
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import { stageDetail, stageSummary } from './status.js';
import type { DeployRequest } from './types.js';
import { manifestOfCell, type PromoteCellRequest } from './promote-cell.js';
import { auditChange, type AuditLog } from './audit.js';
import { actor, canAccess, checkAccess } from './ownership.js';
import type { StageRecord } from './types.js';
import type { Principal } from './users.js';
import { metricStages } from './topic-scope.js';
import { addBufferRoutes } from './buffer-routes.js';
import { checkDeployTargets, type WatchReferenceCheck } from './deploy-checks.js';

/** Limits of the controller routes. */
export interface StageRouteOptions {
  /** Largest JSON body (a manifest with its filter source). @default 1 MiB */
  maxJsonBytes?: number;
  /** Where changes are recorded. @default none */
  audit?: AuditLog;
  /** Whether a deployer may use the watchlists/watchmaps a manifest names. @default none */
  watchReferences?: WatchReferenceCheck;
}

/** Adds the stage, buffer and metrics routes. */
export function addStageRoutes(
  router: Router,
  ctl: Controller,
  options: StageRouteOptions = {}
): void {
  const limit = options.maxJsonBytes ?? 1024 * 1024;
  const { registry, supervisor, buffer } = ctl;

  /** The stage if `user` may `action` it (403 otherwise, 404 when it does not exist). */
  const owned = (id: string, user: Principal | undefined, action: string): StageRecord => {
    const rec = registry.get(id);
    checkAccess(rec, user, action);
    return rec;
  };
  const audited = <T>(
    user: Principal | undefined,
    action: string,
    stage: string | undefined,
    fn: () => Promise<T>,
    detail?: (r: T) => Record<string, unknown>
  ): Promise<T> => auditChange(options.audit, actor(user), action, stage, fn, detail);

  const deployAndReply = async (
    res: ServerResponse,
    request: DeployRequest,
    user: Principal | undefined
  ): Promise<void> => {
    const id = typeof request.id === 'string' ? request.id : request.manifest?.id;
    const { stage, version } = await audited(
      user,
      'deploy',
      typeof id === 'string' ? id : undefined,
      async () => {
        await checkDeployTargets(request, user, options.watchReferences);
        return ctl.deploy(request, user);
      },
      r => ({ version: r.version.version, sourceHash: r.version.sourceHash })
    );
    sendJson(res, 201, {
      id: stage.id,
      version: version.version,
      sourceHash: version.sourceHash,
      outputTopics: stage.outputTopics,
      evidence: version.evidence,
      stage: stageSummary(registry, supervisor, stage)
    });
  };

  router.add('GET', '/stages', ({ res, user }) => {
    const visible = registry.list().filter(r => canAccess(r, user));
    sendJson(res, 200, { stages: visible.map(r => stageSummary(registry, supervisor, r)) });
  });

  router.add('POST', '/stages', async ({ req, res, user }) => {
    const body = (await readJson(req, limit)) as unknown as DeployRequest;
    await deployAndReply(res, body, user);
  });

  router.add('GET', '/audit', async ({ res, user }) => {
    sendJson(res, 200, { entries: (await options.audit?.read(actor(user))) ?? [] });
  });

  // Promotion of a notebook cell (the JupyterLab command): the controller builds the manifest from
  // the source (kind, outputs and the Python entry read from the @alertlab.filter decorator).
  router.add('POST', '/stages/promote', async ({ req, res, user }) => {
    const body = (await readJson(req, limit)) as unknown as PromoteCellRequest;
    const manifest = manifestOfCell(body);
    await deployAndReply(
      res,
      {
        manifest,
        replicas: body.replicas,
        author: body.author,
        lineage: body.lineage
      } as DeployRequest,
      user
    );
  });

  router.add('POST', '/stages/backtest', async ({ req, res, user }) => {
    const body = (await readJson(req, limit)) as unknown as DeployRequest;
    // a backtest shows which sampled alerts a watch holds: the same watch rule as a deploy
    const m = body.manifest as Record<string, unknown> | null | undefined;
    if (m !== null && typeof m === 'object' && !Array.isArray(m)) {
      await options.watchReferences?.(m.watch, user);
    }
    sendJson(res, 200, { evidence: await ctl.backtest(body) });
  });

  router.add('GET', '/stages/{id}', async ({ res, params, user }) => {
    const rec = owned(params.id, user, 'see');
    sendJson(res, 200, await stageDetail(registry, supervisor, buffer, rec));
  });

  router.add('DELETE', '/stages/{id}', async ({ res, params, user }) => {
    await audited(user, 'delete', params.id, async () => {
      owned(params.id, user, 'delete');
      await ctl.remove(params.id);
    });
    sendJson(res, 200, { id: params.id, deleted: true });
  });

  router.add('POST', '/stages/{id}/scale', async ({ req, res, params, user }) => {
    const body = await readJson(req, limit);
    const rec = await audited(
      user,
      'scale',
      params.id,
      async () => {
        owned(params.id, user, 'scale');
        return ctl.scale(params.id, body.replicas);
      },
      r => ({ replicas: r.replicas })
    );
    sendJson(res, 200, stageSummary(registry, supervisor, rec));
  });

  for (const [action, running] of [
    ['stop', false],
    ['start', true]
  ] as const) {
    router.add('POST', `/stages/{id}/${action}`, async ({ res, params, user }) => {
      const rec = await audited(user, action, params.id, async () => {
        owned(params.id, user, action);
        return ctl.setRunning(params.id, running);
      });
      sendJson(res, 200, stageSummary(registry, supervisor, rec));
    });
  }

  router.add('POST', '/stages/{id}/rollback', async ({ req, res, params, user }) => {
    const body = await readJson(req, limit);
    const { stage, version } = await audited(
      user,
      'rollback',
      params.id,
      async () => {
        owned(params.id, user, 'roll back');
        return ctl.rollback(params.id, body.version);
      },
      r => ({ version: r.version.version, rolledBackFrom: r.version.rolledBackFrom })
    );
    sendJson(res, 200, {
      id: stage.id,
      version: version.version,
      rolledBackFrom: version.rolledBackFrom,
      stage: stageSummary(registry, supervisor, stage)
    });
  });

  router.add('GET', '/stages/{id}/k8s', async ({ res, params, url, user }) => {
    const rec = owned(params.id, user, 'see');
    const objects = await stageK8sObjects(rec, registry.version(rec.id, rec.currentVersion), {
      image: url.searchParams.get('image') ?? undefined,
      namespace: url.searchParams.get('namespace') ?? undefined,
      bootstrapServers: url.searchParams.get('bootstrapServers') ?? undefined
    });
    if (url.searchParams.get('format') === 'yaml') {
      sendBytes(res, 200, 'application/yaml; charset=utf-8', toYamlDocuments(objects));
    } else {
      sendJson(res, 200, { apiVersion: 'v1', kind: 'List', items: objects });
    }
  });

  // admins and the metrics role: every stage; a user: their own stages' series only
  router.add('GET', '/metrics', async ({ res, user }) => {
    const text = await renderMetrics(registry, supervisor, buffer, metricStages(registry, user));
    sendBytes(res, 200, PROMETHEUS_CONTENT_TYPE, text);
  });

  addBufferRoutes(router, ctl, limit);
}
