/**
 * Bootstrap-servers settings: `'local'` means the cluster `alertlab kafka start` runs; anything
 * else is a `host:port[,host:port...]` list for an external cluster, passed through.
 */
import { LocalKafkaNotRunningError } from '../../errors.js';
import { nodeAlive } from './cluster.js';
import { alertlabHome, kafkaHome } from './paths.js';
import { readState, stateFile } from './state.js';
/**
 * Resolves a bootstrap-servers setting to `host:port,...`. Without a setting, uses
 * `ALERTLAB_BOOTSTRAP_SERVERS`, else `'local'`. `'local'` needs a running local cluster.
 * @throws LocalKafkaNotRunningError when `'local'` is asked for and none is running
 */
export async function resolveBootstrap(setting, options = {}) {
    const env = options.env ?? process.env;
    const wanted = (setting ?? env.ALERTLAB_BOOTSTRAP_SERVERS ?? 'local').trim();
    if (wanted !== 'local' && wanted !== '') {
        return splitBootstrap(wanted).join(',');
    }
    const kafkaDir = kafkaHome(options.home ?? alertlabHome(env));
    const state = readState(kafkaDir);
    const alive = state?.nodes.filter(nodeAlive) ?? [];
    if (!state || alive.length === 0) {
        throw new LocalKafkaNotRunningError(`No local Kafka is running (${state ? 'its processes are gone; ' : ''}state: ` +
            `${stateFile(kafkaDir)}). Start one with \`alertlab kafka start\`, or point at an ` +
            'external cluster with ALERTLAB_BOOTSTRAP_SERVERS=host:port.', { context: { stateFile: stateFile(kafkaDir) } });
    }
    return state.bootstrapServers;
}
/** `'a:1, b:2'` → `['a:1', 'b:2']` (kafkajs' `brokers` form). */
export function splitBootstrap(servers) {
    return servers
        .split(',')
        .map(s => s.trim())
        .filter(s => s !== '');
}
