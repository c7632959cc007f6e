/**
 * Kubernetes objects: nothing host-local in what a stage or the controller emits, secrets only by
 * reference, catalogs from a named volume, probes on /health; and every object validated offline
 * against Kubernetes' own JSON schemas (kubernetes-validate from PyPI, which ships them; installed
 * by scripts/setup-k8s-validate.sh), strictly (unknown fields are errors). A broken object must
 * fail the same validation, so the check can fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStageManifest } from '../stage/manifest.js';
import { skyClassesManifest } from '../demo/stage.js';
import { controllerK8sObjects } from './k8s-controller.js';
import { startHealthServer } from './k8s-health.js';
import { DEFAULT_KAFKA_SERVICE, hostLocalLeftovers } from './k8s-portable.js';
import { stageK8sObjects, toYamlDocuments } from './k8s.js';
import type { StageRecord, StageVersion } from './types.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const VALIDATOR = join(ROOT, '.alertlab', 'tools', 'k8s-venv', 'bin', 'kubernetes-validate');
const K8S_VERSION = '1.37.0';
const dir = mkdtempSync(join(tmpdir(), 'alertlab-k8s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo stage as the local controller holds it: loopback brokers, store under .alertlab. */
function demoStage(security?: Record<string, unknown>): { rec: StageRecord; v: StageVersion } {
  const raw = skyClassesManifest(ROOT, 'alerts-rubin', 'sky-classes');
  const input = raw.input as Record<string, unknown>;
  input.bootstrapServers = '127.0.0.1:19092';
  raw.deadLetterTopic = 'sky-classes.dead';
  if (security) {
    input.security = security;
  }
  (raw.crossmatch as Record<string, unknown>).storePath = join(
    ROOT,
    '.alertlab',
    'catalogs.duckdb'
  );
  const manifest = JSON.parse(JSON.stringify(parseStageManifest(raw))) as Record<string, unknown>;
  const now = new Date().toISOString();
  return {
    rec: {
      id: 'sky-classes',
      desired: 'running',
      replicas: 3,
      currentVersion: 1,
      outputTopics: manifest.outputs as Record<string, string>,
      createdAt: now,
      updatedAt: now,
      versions: [1]
    },
    v: {
      version: 1,
      createdAt: now,
      author: 'test',
      sourceHash: 'ab'.repeat(32),
      lineage: {} as StageVersion['lineage'],
      manifest,
      manifestPath: join(ROOT, '.alertlab', 'controller', 'sky-classes', 'v1.json'),
      evidence: {} as StageVersion['evidence']
    }
  };
}

const SECURITY = {
  protocol: 'SASL_SSL',
  sasl: { mechanism: 'SCRAM-SHA-512', username: 'alertlab', passwordEnv: 'KAFKA_PASSWORD' },
  tls: { caFile: '/home/me/certs/ca.pem' }
};

function validate(objects: Record<string, unknown>[], name: string): { ok: boolean; out: string } {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, toYamlDocuments(objects));
  const r = spawnSync(VALIDATOR, ['--strict', '-k', K8S_VERSION, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const validatorMissing = !existsSync(VALIDATOR);
if (validatorMissing && process.env.CI === 'true') {
  throw new Error(`${VALIDATOR} is missing: scripts/setup.sh runs scripts/setup-k8s-validate.sh`);
}

describe('Kubernetes objects', () => {
  it('a stage: portable manifest, secrets by reference, catalogs from a volume, probes', async () => {
    const { rec, v } = demoStage(SECURITY);
    const objects = await stageK8sObjects(rec, v);
    expect(objects.map(o => o.kind)).toEqual([
      'ConfigMap',
      'Deployment',
      'Service',
      'PodDisruptionBudget'
    ]);
    expect(hostLocalLeftovers(objects, ROOT)).toEqual([]);
    const text = JSON.stringify(objects);
    expect(text).not.toContain('127.0.0.1');
    const data = (objects[0] as { data: Record<string, string> }).data;
    const manifest = JSON.parse(data['manifest.json']) as {
      input: { bootstrapServers: string; security: { tls: { caFile: string } } };
      crossmatch: { storePath: string };
    };
    expect(manifest.input.bootstrapServers).toBe(DEFAULT_KAFKA_SERVICE);
    expect(manifest.input.security.tls.caFile).toBe('/etc/alertlab/secrets/ca.pem');
    expect(manifest.crossmatch.storePath).toBe('/var/lib/alertlab/catalogs/catalogs.duckdb');
    type Pod = {
      containers: Record<string, unknown>[];
      volumes: Record<string, Record<string, unknown>>[];
    };
    const pod = (objects[1] as { spec: { template: { spec: Pod } } }).spec.template.spec;
    const worker = pod.containers[0] as {
      env: { name: string; valueFrom?: unknown }[];
      readinessProbe: { httpGet: { path: string } };
      resources: { requests: unknown; limits: unknown };
    };
    expect(worker.env.find(e => e.name === 'KAFKA_PASSWORD')?.valueFrom).toEqual({
      secretKeyRef: { name: 'alertlab-kafka', key: 'KAFKA_PASSWORD' }
    });
    expect(worker.readinessProbe.httpGet.path).toBe('/health');
    expect(worker.resources.requests).toBeDefined();
    expect(worker.resources.limits).toBeDefined();
    expect(
      pod.volumes.find(x => (x.name as unknown) === 'catalogs')?.persistentVolumeClaim
    ).toEqual({
      claimName: 'alertlab-catalogs',
      readOnly: true
    });
  });

  it('a configured bootstrap is used; a loopback one is refused', async () => {
    const { rec, v } = demoStage();
    const objects = await stageK8sObjects(rec, v, { bootstrapServers: 'kafka.alerts.svc:9092' });
    expect(JSON.stringify(objects)).toContain('kafka.alerts.svc:9092');
    await expect(stageK8sObjects(rec, v, { bootstrapServers: 'localhost:9092' })).rejects.toThrow(
      /only work on this machine/
    );
  });

  it.skipIf(validatorMissing)(
    `stage and controller objects pass Kubernetes ${K8S_VERSION}'s schemas (strict); a broken one fails`,
    async () => {
      const { rec, v } = demoStage(SECURITY);
      const stage = await stageK8sObjects(rec, v, { namespace: 'alerts' });
      const controller = controllerK8sObjects({ bootstrapServers: 'kafka-bootstrap.kafka:9092' });
      expect(hostLocalLeftovers(controller, ROOT)).toEqual([]);
      const good = validate([...stage, ...controller], 'good');
      expect(good.out).not.toMatch(/error/i);
      expect(good.ok).toBe(true);
      const broken = structuredClone(stage);
      const spec = (broken[1] as { spec: Record<string, unknown> }).spec;
      spec.replicas = 'three';
      spec.maxUnavialable = 1;
      const bad = validate(broken, 'bad');
      expect(bad.ok).toBe(false);
      expect(bad.out).toMatch(/replicas/);
    },
    60_000
  );

  it('a worker /health answers 200 while running, 503 once stopping', async () => {
    let ok = true;
    const h = await startHealthServer(0, () => ({ ok, recordsIn: 5n }), '127.0.0.1');
    try {
      const addr = h.server.address() as { port: number };
      const url = `http://127.0.0.1:${addr.port}/health`;
      const r1 = await fetch(url);
      expect(r1.status).toBe(200);
      expect(await r1.json()).toEqual({ ok: true, recordsIn: '5' });
      ok = false;
      expect((await fetch(url)).status).toBe(503);
      expect((await fetch(url.replace('/health', '/x'))).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
