/**
 * Kubernetes manifests for a stage: one Deployment (replicas = workers), each pod running
 * `alertlab stage run /etc/alertlab/manifest.json` from a ConfigMap holding the stage manifest. All
 * pods share the consumer group (the stage id), so Kafka spreads the input partitions over them
 * wherever they run — the same processor set as on one machine.
 */
import { readFile } from 'node:fs/promises';
import type { StageRecord, StageVersion } from './types.js';

/** Options of {@link stageK8sObjects}. */
export interface K8sOptions {
  /** Container image with alertlab installed. @default 'alertlab:latest' */
  image?: string;
  /** @default 'default' */
  namespace?: string;
  /** Kafka bootstrap servers seen from the cluster. @default the manifest's */
  bootstrapServers?: string;
}

/** Kubernetes-safe name (lower case, digits, '-'). */
export function k8sName(id: string): string {
  return `alertlab-${id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/** A ConfigMap (manifest and filter file) and a Deployment (the workers), as plain objects. */
export async function stageK8sObjects(
  rec: StageRecord,
  v: StageVersion,
  options: K8sOptions = {}
): Promise<Record<string, unknown>[]> {
  const name = k8sName(rec.id);
  const namespace = options.namespace ?? 'default';
  const manifest = structuredClone(v.manifest);
  const input = manifest.input as Record<string, unknown>;
  if (options.bootstrapServers) {
    input.bootstrapServers = options.bootstrapServers;
  }
  const filter = manifest.filter as Record<string, unknown> | undefined;
  const files: Record<string, string> = { 'manifest.json': '' };
  if (filter && typeof filter.path === 'string') {
    const python = filter.language === 'python';
    const ext = python ? 'py' : 'ts';
    const file = python ? filter.path.slice(0, filter.path.lastIndexOf(':')) : filter.path;
    const entry = python ? filter.path.slice(filter.path.lastIndexOf(':')) : '';
    files[`filter.${ext}`] = await readFile(file, 'utf8');
    filter.path = `/etc/alertlab/filter.${ext}${entry}`;
  }
  files['manifest.json'] = JSON.stringify(manifest, null, 2);
  const labels = {
    'app.kubernetes.io/name': 'alertlab-stage',
    'alertlab.io/stage': k8sName(rec.id).slice(9)
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          'alertlab.io/version': String(v.version),
          'alertlab.io/source-sha256': v.sourceHash
        }
      },
      data: files
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace,
        labels,
        annotations: { 'alertlab.io/version': String(v.version) }
      },
      spec: {
        replicas: rec.desired === 'running' ? rec.replicas : 0,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'worker',
                image: options.image ?? 'alertlab:latest',
                args: ['stage', 'run', '/etc/alertlab/manifest.json'],
                env: [
                  {
                    name: 'ALERTLAB_BOOTSTRAP_SERVERS',
                    value: String(input.bootstrapServers ?? '')
                  }
                ],
                volumeMounts: [{ name: 'manifest', mountPath: '/etc/alertlab', readOnly: true }],
                resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } }
              }
            ],
            volumes: [{ name: 'manifest', configMap: { name } }]
          }
        }
      }
    }
  ];
}

/** The objects as a multi-document YAML (JSON is valid YAML flow style; one document each). */
export function toYamlDocuments(objects: Record<string, unknown>[]): string {
  return objects.map(o => `---\n${JSON.stringify(o, null, 2)}\n`).join('');
}
