/** What is running under `$ALERTLAB_HOME/kafka`, read from state.json and checked live. */
import { nodeAlive } from './cluster.js';
import { probeMetadata } from './probe.js';
import { readState, stateFile } from './state.js';
/** Reads state.json, checks each pid, and asks a live node which brokers the cluster lists. */
export async function readStatus(kafkaDir) {
    const path = stateFile(kafkaDir);
    const state = readState(kafkaDir);
    if (!state) {
        return { running: false, healthy: false, stateFile: path, nodes: [], listedBrokerIds: [] };
    }
    const { nodes: recorded, ...cluster } = state;
    const alive = recorded.map(n => ({ node: n, alive: nodeAlive(n) }));
    let listedBrokerIds = [];
    let probeError;
    for (const { node } of alive.filter(a => a.alive)) {
        try {
            const meta = await probeMetadata('127.0.0.1', node.brokerPort, 1_500);
            listedBrokerIds = meta.brokers.map(b => b.nodeId);
            probeError = undefined;
            break;
        }
        catch (err) {
            probeError = `node ${node.nodeId}: ${err.message}`;
        }
    }
    const nodes = alive.map(a => ({
        ...a.node,
        alive: a.alive,
        listed: listedBrokerIds.includes(a.node.nodeId)
    }));
    const running = nodes.some(n => n.alive);
    return {
        running,
        healthy: running && nodes.every(n => n.alive && n.listed),
        stateFile: path,
        cluster,
        nodes,
        listedBrokerIds,
        ...(running && probeError !== undefined ? { probeError } : {})
    };
}
