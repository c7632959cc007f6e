/**
 * Kubernetes objects for the controller itself: a Deployment (one replica, Recreate: its stage
 * registry lives on one ReadWriteOnce volume), a Service (the REST API), a PodDisruptionBudget and
 * probes on /health. The API token comes from a Secret (copied by an init container into a private
 * emptyDir, since the controller keeps its token file at mode 0600); the catalog store is the same
 * read-only volume the stage workers mount; brokers as the pods see them.
 */
import { DEFAULT_PORT } from './serve.js';
import { DEFAULT_IMAGE, RESTRICTED_CONTAINER, healthProbes, type K8sOptions } from './k8s.js';
import { MOUNTS, clusterBootstrap } from './k8s-portable.js';

/** Options of {@link controllerK8sObjects}. */
export interface ControllerK8sOptions extends K8sOptions {
  /** Secret with key `token`: the controller's bearer token. @default 'alertlab-controller-token' */
  tokenSecret?: string;
  /** PersistentVolumeClaim (ReadWriteOnce) for the stage registry. @default 'alertlab-controller-state' */
  stateClaim?: string;
}

const NAME = 'alertlab-controller';

/** Deployment, Service and PodDisruptionBudget of the controller, as plain objects. */
export function controllerK8sObjects(
  options: ControllerK8sOptions = {}
): Record<string, unknown>[] {
  const namespace = options.namespace ?? 'default';
  const bootstrap = clusterBootstrap(undefined, options);
  const image = options.image ?? DEFAULT_IMAGE;
  const labels = {
    'app.kubernetes.io/name': 'alertlab-controller',
    'app.kubernetes.io/instance': NAME
  };
  const metadata = { name: NAME, namespace, labels };
  const args = [
    'controller',
    '--host',
    '0.0.0.0',
    '--port',
    String(DEFAULT_PORT),
    '--state-dir',
    '/var/lib/alertlab/state',
    '--token-file',
    '/var/lib/alertlab/token/token',
    '--bootstrap-servers',
    bootstrap,
    '--store',
    `${MOUNTS.catalogs}/catalogs.duckdb`
  ];
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 15,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
            initContainers: [
              {
                name: 'token',
                image,
                imagePullPolicy: 'IfNotPresent',
                command: [
                  '/bin/sh',
                  '-c',
                  'cp /etc/alertlab/token/token /var/lib/alertlab/token/token'
                ],
                volumeMounts: [
                  { name: 'token-secret', mountPath: '/etc/alertlab/token', readOnly: true },
                  { name: 'token', mountPath: '/var/lib/alertlab/token' }
                ],
                securityContext: RESTRICTED_CONTAINER,
                resources: {
                  requests: { cpu: '10m', memory: '16Mi' },
                  limits: { cpu: '100m', memory: '64Mi' }
                }
              }
            ],
            containers: [
              {
                name: 'controller',
                image,
                imagePullPolicy: 'IfNotPresent',
                args,
                env: [
                  { name: 'ALERTLAB_BOOTSTRAP_SERVERS', value: bootstrap },
                  { name: 'ALERTLAB_HOME', value: '/var/lib/alertlab/home' }
                ],
                ports: [{ name: 'health', containerPort: DEFAULT_PORT, protocol: 'TCP' }],
                ...healthProbes(60),
                volumeMounts: [
                  { name: 'state', mountPath: '/var/lib/alertlab/state' },
                  { name: 'token', mountPath: '/var/lib/alertlab/token' },
                  { name: 'catalogs', mountPath: MOUNTS.catalogs, readOnly: true },
                  { name: 'home', mountPath: '/var/lib/alertlab/home' },
                  { name: 'scratch', mountPath: '/tmp' }
                ],
                securityContext: RESTRICTED_CONTAINER,
                resources: {
                  requests: { cpu: '500m', memory: '512Mi' },
                  limits: { cpu: '2', memory: '2Gi' }
                }
              }
            ],
            volumes: [
              {
                name: 'state',
                persistentVolumeClaim: {
                  claimName: options.stateClaim ?? 'alertlab-controller-state'
                }
              },
              {
                name: 'token-secret',
                secret: {
                  secretName: options.tokenSecret ?? 'alertlab-controller-token',
                  defaultMode: 0o440,
                  items: [{ key: 'token', path: 'token' }]
                }
              },
              { name: 'token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
              {
                name: 'catalogs',
                persistentVolumeClaim: {
                  claimName: options.catalogClaim ?? 'alertlab-catalogs',
                  readOnly: true
                }
              },
              { name: 'home', emptyDir: { sizeLimit: '1Gi' } },
              { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } }
            ]
          }
        }
      }
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: 'http', port: DEFAULT_PORT, targetPort: 'health', protocol: 'TCP' }]
      }
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata,
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } }
    }
  ];
}
