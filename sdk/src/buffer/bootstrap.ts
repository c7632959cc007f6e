/**
 * Where the brokers are. `'local'` means the broker started by `alertlab kafka start` (its state
 * file says the port); anything else is a `host:port,host:port` list. Without a setting,
 * `ALERTLAB_BOOTSTRAP_SERVERS` is used, else `'local'`.
 */
import { ConfigError } from '../errors.js';
import type { KafkaSecurity } from './security.js';

/** A bootstrap setting: `'local'`, `'host:port,host:port'` or a list of `host:port`. */
export type BootstrapSetting = string | readonly string[];

/** Splits and checks a `host:port` list (not 'local'). */
export function parseServerList(value: BootstrapSetting): string[] {
  const list = (typeof value === 'string' ? value.split(',') : [...value])
    .map(s => s.trim())
    .filter(s => s !== '');
  if (list.length === 0) {
    throw new ConfigError('No bootstrap servers given. Use "local" or "host:port,host:port".');
  }
  for (const server of list) {
    const port = Number(server.slice(server.lastIndexOf(':') + 1));
    if (!server.includes(':') || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(
        `Bootstrap server "${server}" is not host:port. Use "local" or "host:port,host:port".`,
        { context: { bootstrapServers: list.join(',') } }
      );
    }
  }
  return list;
}

/** Resolves a setting to broker addresses (asks the local launcher for 'local'). */
export async function resolveBootstrapServers(setting?: BootstrapSetting): Promise<string[]> {
  const value = setting ?? process.env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local';
  if (value === 'local') {
    const local = await import('./local/index.js');
    const resolved: BootstrapSetting = await local.resolveBootstrap('local');
    return parseServerList(resolved);
  }
  return parseServerList(value);
}

/** Brokers and the security settings to reach them. */
export interface KafkaConnection {
  bootstrapServers: string[];
  /** undefined: ALERTLAB_KAFKA_SECURITY, else PLAINTEXT (decided by the transport). */
  security?: KafkaSecurity;
}

/**
 * Resolves a bootstrap setting and the security to use with it: `security` when given; for
 * 'local', the settings of a secured local cluster (`alertlab kafka start --security ...`).
 */
export async function resolveKafkaConnection(
  setting?: BootstrapSetting,
  security?: KafkaSecurity
): Promise<KafkaConnection> {
  const value = setting ?? process.env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local';
  const bootstrapServers = await resolveBootstrapServers(value);
  if (security !== undefined || value !== 'local') {
    return { bootstrapServers, ...(security ? { security } : {}) };
  }
  const local = await import('./local/index.js');
  const client = (await local.LocalKafka.find())?.security?.client;
  return { bootstrapServers, ...(client ? { security: client } : {}) };
}
