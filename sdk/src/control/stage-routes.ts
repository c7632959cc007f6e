/** REST routes of the controller: stages and buffer topics. */
import type { BufferClient } from '../buffer/client.js';
import type { Controller } from './controller.js';
import { HttpError, readJson, sendBytes, sendJson, type Router } from './http.js';
import { stageK8sObjects, toYamlDocuments } from './k8s.js';
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import { stageDetail, stageSummary } from './status.js';
import type { DeployRequest } from './types.js';
import { promotionManifest } from './promote.js';
import { createHash } from 'node:crypto';

/** Limits of the controller routes. */
export interface StageRouteOptions {
  /** Largest JSON body (a manifest with its filter source). @default 1 MiB */
  maxJsonBytes?: number;
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

  router.add('GET', '/stages', ({ res }) => {
    sendJson(res, 200, { stages: registry.list().map(r => stageSummary(registry, supervisor, r)) });
  });

  router.add('POST', '/stages', async ({ req, res }) => {
    const body = (await readJson(req, limit)) as unknown as DeployRequest;
    const { stage, version } = await ctl.deploy(body);
    sendJson(res, 201, {
      id: stage.id,
      version: version.version,
      sourceHash: version.sourceHash,
      outputTopics: stage.outputTopics,
      evidence: version.evidence,
      stage: stageSummary(registry, supervisor, stage)
    });
  });

  // Promotion of a notebook cell (the JupyterLab command): the controller builds the manifest from
  // the source (kind, outputs and the Python entry read from the @alertlab.filter decorator).
  router.add('POST', '/stages/promote', async ({ req, res }) => {
    const body = (await readJson(req, limit)) as unknown as PromoteRequest;
    const manifest = manifestOfCell(body);
    const { stage, version } = await ctl.deploy({
      manifest,
      replicas: body.replicas,
      author: body.author,
      lineage: body.lineage
    } as DeployRequest);
    sendJson(res, 201, {
      id: stage.id,
      version: version.version,
      sourceHash: version.sourceHash,
      outputTopics: stage.outputTopics,
      evidence: version.evidence,
      stage: stageSummary(registry, supervisor, stage)
    });
  });

  router.add('POST', '/stages/backtest', async ({ req, res }) => {
    const body = (await readJson(req, limit)) as unknown as DeployRequest;
    sendJson(res, 200, { evidence: await ctl.backtest(body) });
  });

  router.add('GET', '/stages/{id}', async ({ res, params }) => {
    sendJson(res, 200, await stageDetail(registry, supervisor, buffer, registry.get(params.id)));
  });

  router.add('DELETE', '/stages/{id}', async ({ res, params }) => {
    await ctl.remove(params.id);
    sendJson(res, 200, { id: params.id, deleted: true });
  });

  router.add('POST', '/stages/{id}/scale', async ({ req, res, params }) => {
    const body = await readJson(req, limit);
    const rec = await ctl.scale(params.id, body.replicas);
    sendJson(res, 200, stageSummary(registry, supervisor, rec));
  });

  router.add('POST', '/stages/{id}/stop', async ({ res, params }) => {
    sendJson(res, 200, stageSummary(registry, supervisor, await ctl.setRunning(params.id, false)));
  });

  router.add('POST', '/stages/{id}/start', async ({ res, params }) => {
    sendJson(res, 200, stageSummary(registry, supervisor, await ctl.setRunning(params.id, true)));
  });

  router.add('POST', '/stages/{id}/rollback', async ({ req, res, params }) => {
    const body = await readJson(req, limit);
    const { stage, version } = await ctl.rollback(params.id, body.version);
    sendJson(res, 200, {
      id: stage.id,
      version: version.version,
      rolledBackFrom: version.rolledBackFrom,
      stage: stageSummary(registry, supervisor, stage)
    });
  });

  router.add('GET', '/stages/{id}/k8s', async ({ res, params, url }) => {
    const rec = registry.get(params.id);
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

  router.add('GET', '/metrics', async ({ res }) => {
    sendBytes(res, 200, PROMETHEUS_CONTENT_TYPE, await renderMetrics(registry, supervisor, buffer));
  });

  addBufferRoutes(router, buffer, limit);
}

function addBufferRoutes(router: Router, buffer: BufferClient, limit: number): void {
  router.add('GET', '/buffers/topics', async ({ res }) => {
    const admin = await buffer.admin();
    const names = (await admin.listTopics()).filter(t => !t.startsWith('__')).sort();
    const infos = names.length > 0 ? await admin.describeTopics(names) : [];
    sendJson(res, 200, {
      bootstrapServers: buffer.bootstrapServers,
      topics: infos.map(t => ({
        topic: t.topic,
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0
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
    const r = await buffer.createTopics([{ topic, partitions, replicationFactor }]);
    sendJson(res, r.created.length > 0 ? 201 : 200, {
      topic,
      created: r.created.length > 0,
      partitions,
      replicationFactor
    });
  });
}

/** Body of `POST /stages/promote`. */
interface PromoteRequest {
  source: string;
  input: string;
  id?: string;
  language?: 'sql' | 'python' | 'typescript';
  kind?: string;
  outputs?: string[];
  entry?: string;
  replicas?: number;
  author?: string;
  lineage?: { notebook?: string; cell?: number; path?: string };
}

function manifestOfCell(body: PromoteRequest): Record<string, unknown> {
  if (typeof body?.source !== 'string' || body.source.trim() === '') {
    throw new HttpError(400, 'POST /stages/promote needs "source": the filter cell\'s text.');
  }
  if (typeof body.input !== 'string' || body.input === '') {
    throw new HttpError(400, 'POST /stages/promote needs "input": the buffer topic to filter.');
  }
  const sql = /^\s*%%sql\b/.test(body.source);
  const source = sql ? body.source.replace(/^\s*%%sql[^\n]*\n/, '') : body.source;
  const language = body.language ?? (sql ? 'sql' : 'python');
  const entry = /@alertlab\.filter[^\n]*\n(?:\s*@[^\n]*\n)*\s*def\s+([A-Za-z_]\w*)/.exec(
    source
  )?.[1];
  const id =
    body.id ??
    (entry ?? `promoted-${createHash('sha256').update(source).digest('hex').slice(0, 8)}`)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-');
  try {
    return promotionManifest(
      {},
      {
        file: body.lineage?.notebook ?? `cell.${language === 'sql' ? 'sql' : 'py'}`,
        source,
        language,
        input: body.input,
        id,
        kind: body.kind,
        outputs: body.outputs,
        entry: body.entry
      }
    );
  } catch (err) {
    throw new HttpError(400, err instanceof Error ? err.message : String(err));
  }
}
