/**
 * Making a stage manifest portable to a Kubernetes cluster: nothing host-local survives. Brokers
 * come from the given bootstrap, else the manifest's when it names real hosts, else the in-cluster
 * Kafka Service; secrets are referenced (environment variables from a Secret, files from a Secret
 * volume), never copied; the catalog store is read from a volume every worker mounts.
 */
import { basename } from 'node:path';

/** Where the pieces a worker needs are mounted in its container. */
export const MOUNTS = {
  manifest: '/etc/alertlab',
  secrets: '/etc/alertlab/secrets',
  catalogs: '/var/lib/alertlab/catalogs'
} as const;

/** Kafka bootstrap used when nothing cluster-reachable is configured: a Service in the namespace. */
export const DEFAULT_KAFKA_SERVICE = 'kafka-bootstrap:9092';

/** Options shared by the stage and controller objects. */
export interface PortableOptions {
  /** Kafka bootstrap servers as seen from inside the cluster. @default the manifest's when not host-local, else {@link DEFAULT_KAFKA_SERVICE} */
  bootstrapServers?: string;
  /** Secret holding the Kafka credentials (keys: the variable names / file names). @default 'alertlab-kafka' */
  kafkaSecret?: string;
  /** PersistentVolumeClaim holding the catalog store (ReadOnlyMany). @default 'alertlab-catalogs' */
  catalogClaim?: string;
}

const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)(:\d+)?$/i;

/** True when `servers` (comma-separated host:port, or 'local') only work on this machine. */
export function isHostLocalBootstrap(servers: string): boolean {
  const list = servers
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  return list.length === 0 || list.some(s => s === 'local' || LOCAL_HOST.test(s));
}

/** The bootstrap the pods get. */
export function clusterBootstrap(manifestServers: unknown, options: PortableOptions): string {
  if (options.bootstrapServers !== undefined) {
    if (isHostLocalBootstrap(options.bootstrapServers)) {
      throw new Error(
        `Kubernetes manifests: bootstrap servers "${options.bootstrapServers}" only work on this ` +
          'machine. Give the brokers as the pods see them (a Service name or host:port list).'
      );
    }
    return options.bootstrapServers;
  }
  if (typeof manifestServers === 'string' && !isHostLocalBootstrap(manifestServers)) {
    return manifestServers;
  }
  return DEFAULT_KAFKA_SERVICE;
}

/** What the pod spec needs for the secrets a security block references. */
export interface SecretRefs {
  /** Environment variables filled from the Secret. */
  env: { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[];
  /** Files (their base names) mounted from the Secret at {@link MOUNTS.secrets}. */
  files: string[];
}

const ENV_KEYS = ['usernameEnv', 'passwordEnv', 'keyPasswordEnv'];
const FILE_KEYS = ['passwordFile', 'tokenFile', 'caFile', 'certFile', 'keyFile'];

/**
 * Rewrites a manifest's `security` in place: file paths point into the Secret volume, and each
 * variable or file becomes a reference into `secret`. A `tokenCommand` runs in the image as is.
 */
export function referenceSecrets(security: unknown, secret: string): SecretRefs {
  const refs: SecretRefs = { env: [], files: [] };
  if (security === null || typeof security !== 'object') {
    return refs;
  }
  for (const block of Object.values(security as Record<string, unknown>)) {
    if (block === null || typeof block !== 'object') {
      continue;
    }
    const b = block as Record<string, unknown>;
    for (const key of ENV_KEYS) {
      if (typeof b[key] === 'string') {
        const name = b[key];
        refs.env.push({ name, valueFrom: { secretKeyRef: { name: secret, key: name } } });
      }
    }
    for (const key of FILE_KEYS) {
      if (typeof b[key] === 'string') {
        const file = basename(b[key]);
        refs.files.push(file);
        b[key] = `${MOUNTS.secrets}/${file}`;
      }
    }
  }
  return refs;
}

/** Points a cross-match's catalog store at the shared volume; true when the stage has one. */
export function relocateCatalogs(manifest: Record<string, unknown>): boolean {
  const xm = manifest.crossmatch as Record<string, unknown> | undefined;
  if (!xm) {
    return false;
  }
  const file = typeof xm.storePath === 'string' ? basename(xm.storePath) : 'catalogs.duckdb';
  xm.storePath = `${MOUNTS.catalogs}/${file}`;
  return true;
}

/** Paths and addresses left that would only work on the machine that wrote the objects. */
export function hostLocalLeftovers(objects: unknown, home = process.cwd()): string[] {
  const found: string[] = [];
  const visit = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      const hits = [
        /\b127\.\d+\.\d+\.\d+\b/,
        /\blocalhost\b/,
        /\.alertlab\//,
        /(^|[\s"'])\/(home|root|tmp|work)\//
      ].filter(re => re.test(v));
      if (hits.length > 0 || (home.length > 1 && v.includes(home))) {
        found.push(`${at}: ${v.slice(0, 120)}`);
      }
      if (v.trim().startsWith('{')) {
        try {
          visit(JSON.parse(v) as unknown, `${at}(json)`);
        } catch {
          // not JSON after all
        }
      }
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${at}[${i}]`));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        visit(x, `${at}.${k}`);
      }
    }
  };
  visit(objects, '$');
  return found;
}
