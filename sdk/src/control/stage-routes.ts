/** REST routes of the controller: stages and buffer topics. */
import type { ServerResponse } from 'node:http';
import type { BufferClient } from '../buffer/client.js';
import type { PartitionOffsets } from '../buffer/transport-types.js';
import type { Controller } from './controller.js';
import { HttpError, readJson, sendBytes, sendJson, type Router } from './http.js';
import { stageK8sObjects, toYamlDocuments } from './k8s.js';
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import { stageDetail, stageSummary } from './status.js';
import type { DeployRequest } from './types.js';
import { manifestOfCell, type PromoteCellRequest } from './promote-cell.js';
import { auditChange, type AuditLog } from './audit.js';
import { actor, canAccess, checkAccess } from './ownership.js';
import type { StageRecord } from './types.js';
import type { Principal } from './users.js';
import { readerLags } from './reader-lag.js';
import { hiddenTopics, metricStages, seesGroup } from './topic-scope.js';
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

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;

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

  router.add('POST', '/stages/backtest', async ({ req, res }) => {
    const body = (await readJson(req, limit)) as unknown as DeployRequest;
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

function addBufferRoutes(router: Router, ctl: Controller, limit: number): void {
  const { buffer, registry } = ctl;
  router.add('GET', '/buffers/topics', async ({ res, url, user }) => {
    const admin = await buffer.admin();
    const match = url.searchParams.get('match') ?? '';
    const hidden = hiddenTopics(registry, user);
    const names = (await admin.listTopics())
      .filter(t => !t.startsWith('__') && t.includes(match) && !hidden.has(t))
      .sort();
    const infos = names.length > 0 ? await admin.describeTopics(names) : [];
    // Offsets cost a few Kafka requests per topic: only for a short (narrowed) list.
    const offsets =
      names.length <= RECORDS_MAX_TOPICS ? await topicOffsets(buffer, names) : new Map();
    // notebooks' resume groups and how far behind they are (shown in the topics panel)
    const readers = await readerLags(buffer, offsets, OFFSETS_TIMEOUT_MS, g => seesGroup(g, user));
    sendJson(res, 200, {
      bootstrapServers: buffer.bootstrapServers,
      ...(names.length > RECORDS_MAX_TOPICS && {
        recordsOmitted: `${names.length} topics: record counts come for at most ${RECORDS_MAX_TOPICS}; narrow the list with ?match=<part of the name>.`
      }),
      topics: infos.map(t => ({
        topic: t.topic,
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        ...offsetFields(offsets.get(t.topic)),
        ...(readers.has(t.topic) && { groups: readers.get(t.topic) })
      }))
    });
  });

  router.add('POST', '/buffers/topics', async ({ req, res }) => {
    const body = await readJson(req, limit);
    const topic = body.topic;
    if (typeof topic !== 'string' || !TOPIC_RE.test(topic)) {
      throw new HttpError(
        400,
        'topic must be a Kafka topic name: 1-249 letters, digits, ".", "_" or "-".'
      );
    }
    const partitions = body.partitions ?? 3;
    const replicationFactor = body.replicationFactor ?? 1;
    if (
      typeof partitions !== 'number' ||
      !Number.isInteger(partitions) ||
      partitions < 1 ||
      partitions > 1000
    ) {
      throw new HttpError(400, 'partitions must be an integer from 1 to 1000.');
    }
    if (
      typeof replicationFactor !== 'number' ||
      !Number.isInteger(replicationFactor) ||
      replicationFactor < 1 ||
      replicationFactor > 10
    ) {
      throw new HttpError(
        400,
        'replicationFactor must be an integer from 1 to 10 (at most the brokers in the buffer set).'
      );
    }
    const { brokers } = await (await buffer.admin()).describeCluster();
    if (replicationFactor > brokers.length) {
      // the broker would refuse it (INVALID_REPLICATION_FACTOR): a bad request, not a 500
      throw new HttpError(
        400,
        `replicationFactor ${replicationFactor} is more than the ${brokers.length} broker(s) of the buffer set.`
      );
    }
    const r = await buffer.createTopics([{ topic, partitions, replicationFactor }]);
    sendJson(res, r.created.length > 0 ? 201 : 200, {
      topic,
      created: r.created.length > 0,
      partitions,
      replicationFactor
    });
  });
}

/** GET /buffers/topics counts records when it lists at most this many topics. */
const RECORDS_MAX_TOPICS = 25;

/** How long GET /buffers/topics waits for end offsets before listing topics without them. */
const OFFSETS_TIMEOUT_MS = 5000;

/**
 * End offsets of `topics` through a short-lived admin client, so the controller's shared admin
 * never collects the whole cluster's topics (a client may keep every topic it fetched offsets for
 * in its metadata and fail once one of them is deleted). Topics whose offsets did not come
 * (deleted meanwhile, or past the time limit) are left out.
 */
async function topicOffsets(
  buffer: BufferClient,
  topics: string[]
): Promise<Map<string, PartitionOffsets[]>> {
  const out = new Map<string, PartitionOffsets[]>();
  if (topics.length === 0) {
    return out;
  }
  const admin = await buffer.transport.admin();
  const all = Promise.all(
    topics.map(t =>
      admin.endOffsets(t).then(
        o => void out.set(t, o),
        () => undefined
      )
    )
  ).finally(() => admin.close().catch(() => undefined));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise(r => (timer = setTimeout(r, OFFSETS_TIMEOUT_MS)))]);
  clearTimeout(timer);
  return new Map(out);
}

/** `endOffsets` per partition and `records` (end minus start, transaction markers included). */
function offsetFields(offsets: PartitionOffsets[] | undefined): Record<string, unknown> {
  return offsets
    ? {
        endOffsets: Object.fromEntries(offsets.map(o => [o.partition, o.high])),
        records: offsets.reduce((n, o) => n + (o.high - o.low), 0n)
      }
    : {};
}
