/**
 * Where the brokers are. `'local'` means the broker started by `alertlab kafka start` (its state
 * file says the port); anything else is a `host:port,host:port` list. Without a setting,
 * `ALERTLAB_BOOTSTRAP_SERVERS` is used, else `'local'`.
 */
import { ConfigError } from '../errors.js';

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
