/**
 * Kubernetes objects for a stage: a ConfigMap (the stage manifest, made portable, and its filter
 * file), a Deployment (replicas = workers, each `alertlab stage run` with probes on /health), a
 * headless Service (the workers' health/metrics port) and a PodDisruptionBudget (a drain takes one
 * worker at a time, so one rebalance at a time). All pods share the consumer group (the stage id),
 * so Kafka spreads the input partitions over them wherever they run. Nothing host-local is emitted
 * (see k8s-portable.ts): brokers as the pods see them, secrets by reference, catalogs from a volume.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  MOUNTS,
  clusterBootstrap,
  referenceSecrets,
  relocateCatalogs,
  type PortableOptions
} from './k8s-portable.js';
import type { StageRecord, StageVersion } from './types.js';

const SDK_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** The image deploy/Containerfile builds (tag it so, or give your registry's). */
export const DEFAULT_IMAGE = `alertlab:${SDK_VERSION}`;
/** Port of a worker's /health endpoint in its pod. */
export const WORKER_HEALTH_PORT = 8080;

/** Options of {@link stageK8sObjects}. */
export interface K8sOptions extends PortableOptions {
  /** Container image with alertlab installed (deploy/Containerfile). @default DEFAULT_IMAGE */
  image?: string;
  /** @default 'default' */
  namespace?: string;
}

/** Kubernetes-safe name (lower case, digits, '-'). */
export function k8sName(id: string): string {
  return `alertlab-${id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/** Security context every alertlab container runs with (the image's user 10001, no privileges). */
export const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  runAsUser: 10001,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' }
};

/** Probes on `/health` at the named port `health`. */
export function healthProbes(startupSeconds: number): Record<string, unknown> {
  const get = { httpGet: { path: '/health', port: 'health' } };
  return {
    startupProbe: { ...get, periodSeconds: 5, failureThreshold: Math.ceil(startupSeconds / 5) },
    readinessProbe: { ...get, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { ...get, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 }
  };
}

async function filterFiles(
  manifest: Record<string, unknown>,
  files: Record<string, string>
): Promise<void> {
  const filter = manifest.filter as Record<string, unknown> | undefined;
  if (filter && typeof filter.path === 'string') {
    const python = filter.language === 'python';
    const ext = python ? 'py' : 'ts';
    const file = python ? filter.path.slice(0, filter.path.lastIndexOf(':')) : filter.path;
    const entry = python ? filter.path.slice(filter.path.lastIndexOf(':')) : '';
    files[`filter.${ext}`] = await readFile(file, 'utf8');
    filter.path = `${MOUNTS.manifest}/filter.${ext}${entry}`;
  }
}

/** ConfigMap, Deployment, Service and PodDisruptionBudget of one stage, as plain objects. */
export async function stageK8sObjects(
  rec: StageRecord,
  v: StageVersion,
  options: K8sOptions = {}
): Promise<Record<string, unknown>[]> {
  const name = k8sName(rec.id);
  const namespace = options.namespace ?? 'default';
  const manifest = structuredClone(v.manifest) as Record<string, unknown>;
  const input = manifest.input as Record<string, unknown>;
  const bootstrap = clusterBootstrap(input.bootstrapServers, options);
  input.bootstrapServers = bootstrap;
  const secret = options.kafkaSecret ?? 'alertlab-kafka';
  const secrets = referenceSecrets(input.security, secret);
  const catalogs = relocateCatalogs(manifest);
  const files: Record<string, string> = {};
  await filterFiles(manifest, files);
  files['manifest.json'] = JSON.stringify(manifest, null, 2);
  const labels = {
    'app.kubernetes.io/name': 'alertlab-stage',
    'app.kubernetes.io/instance': name,
    'alertlab.io/stage': name.slice(9)
  };
  const mounts: Record<string, unknown>[] = [
    { name: 'manifest', mountPath: MOUNTS.manifest, readOnly: true },
    { name: 'scratch', mountPath: '/tmp' },
    { name: 'home', mountPath: '/var/lib/alertlab/home' }
  ];
  const volumes: Record<string, unknown>[] = [
    { name: 'manifest', configMap: { name } },
    { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
    { name: 'home', emptyDir: { sizeLimit: '1Gi' } }
  ];
  if (secrets.files.length > 0) {
    mounts.push({ name: 'kafka-secrets', mountPath: MOUNTS.secrets, readOnly: true });
    volumes.push({
      name: 'kafka-secrets',
      secret: {
        secretName: secret,
        defaultMode: 0o400,
        items: secrets.files.map(f => ({ key: f, path: f }))
      }
    });
  }
  if (catalogs) {
    mounts.push({ name: 'catalogs', mountPath: MOUNTS.catalogs, readOnly: true });
    volumes.push({
      name: 'catalogs',
      persistentVolumeClaim: {
        claimName: options.catalogClaim ?? 'alertlab-catalogs',
        readOnly: true
      }
    });
  }
  const meta = (extra: Record<string, string> = {}): Record<string, unknown> => ({
    name,
    namespace,
    labels,
    annotations: { 'alertlab.io/version': String(v.version), ...extra }
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta({ 'alertlab.io/source-sha256': v.sourceHash }),
      data: files
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(),
      spec: {
        replicas: rec.desired === 'running' ? rec.replicas : 0,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        template: {
          metadata: { labels, annotations: { 'alertlab.io/version': String(v.version) } },
          spec: {
            terminationGracePeriodSeconds: 30,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
            containers: [
              {
                name: 'worker',
                image: options.image ?? DEFAULT_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                args: ['stage', 'run', `${MOUNTS.manifest}/manifest.json`],
                env: [
                  { name: 'ALERTLAB_BOOTSTRAP_SERVERS', value: bootstrap },
                  { name: 'ALERTLAB_HEALTH_PORT', value: String(WORKER_HEALTH_PORT) },
                  { name: 'ALERTLAB_HOME', value: '/var/lib/alertlab/home' },
                  ...secrets.env
                ],
                ports: [{ name: 'health', containerPort: WORKER_HEALTH_PORT, protocol: 'TCP' }],
                ...healthProbes(120),
                volumeMounts: mounts,
                securityContext: RESTRICTED_CONTAINER,
                resources: {
                  requests: { cpu: '1', memory: '768Mi' },
                  limits: { cpu: '2', memory: '2Gi' }
                }
              }
            ],
            volumes
          }
        }
      }
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(),
      spec: {
        clusterIP: 'None',
        selector: labels,
        ports: [{ name: 'health', port: WORKER_HEALTH_PORT, targetPort: 'health', protocol: 'TCP' }]
      }
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(),
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } }
    }
  ];
}

/** The objects as a multi-document YAML (JSON is valid YAML flow style; one document each). */
export function toYamlDocuments(objects: Record<string, unknown>[]): string {
  return objects.map(o => `---\n${JSON.stringify(o, null, 2)}\n`).join('');
}
