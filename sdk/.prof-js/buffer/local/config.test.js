import { describe, expect, it } from 'vitest';
import { bootstrapServersOf, brokerPortBase, planNodes, serverProperties } from './config.js';
function parse(props) {
    const entries = props
        .split('\n')
        .filter(line => line !== '' && !line.startsWith('#'))
        .map(line => {
        const eq = line.indexOf('=');
        return [line.slice(0, eq), line.slice(eq + 1)];
    });
    return new Map(entries);
}
describe('local Kafka config', () => {
    it('lays out one combined node on the given ports', () => {
        const [node, ...rest] = planNodes('/h/kafka', 1, 19092);
        expect(rest).toHaveLength(0);
        expect(node).toMatchObject({ nodeId: 1, brokerPort: 19092, controllerPort: 19192 });
        expect(node.dataDir).toBe('/h/kafka/node-1/data');
        const p = parse(serverProperties(node, [node]));
        expect(p.get('process.roles')).toBe('broker,controller');
        expect(p.get('controller.quorum.voters')).toBe('1@127.0.0.1:19192');
        expect(p.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19192');
        expect(p.get('auto.create.topics.enable')).toBe('false');
        expect(p.get('offsets.topic.replication.factor')).toBe('1');
        expect(p.get('transaction.state.log.replication.factor')).toBe('1');
        expect(p.get('transaction.state.log.min.isr')).toBe('1');
        expect(p.get('min.insync.replicas')).toBe('1');
        expect(p.get('group.initial.rebalance.delay.ms')).toBe('0');
    });
    it('gives three nodes a 3-voter quorum, replication 3 and min ISR 2', () => {
        const nodes = planNodes('/h/kafka', 3, 29092);
        expect(nodes.map(n => [n.nodeId, n.brokerPort, n.controllerPort])).toEqual([
            [1, 29092, 29192],
            [2, 29093, 29193],
            [3, 29094, 29194]
        ]);
        expect(bootstrapServersOf(nodes)).toBe('127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094');
        const p = parse(serverProperties(nodes[1], nodes));
        expect(p.get('node.id')).toBe('2');
        expect(p.get('controller.quorum.voters')).toBe('1@127.0.0.1:29192,2@127.0.0.1:29193,3@127.0.0.1:29194');
        expect(p.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:29093');
        expect(p.get('default.replication.factor')).toBe('3');
        expect(p.get('transaction.state.log.replication.factor')).toBe('3');
        expect(p.get('transaction.state.log.min.isr')).toBe('2');
        expect(p.get('min.insync.replicas')).toBe('2');
        expect(p.get('log.dirs')).toBe('/h/kafka/node-2/data');
    });
    it('takes the port from the option, then ALERTLAB_KAFKA_PORT, then 19092', () => {
        expect(brokerPortBase(undefined, {})).toBe(19092);
        expect(brokerPortBase(undefined, { ALERTLAB_KAFKA_PORT: '25000' })).toBe(25000);
        expect(brokerPortBase(26000, { ALERTLAB_KAFKA_PORT: '25000' })).toBe(26000);
        expect(() => brokerPortBase(80, {})).toThrow(/--port or ALERTLAB_KAFKA_PORT/);
        expect(() => brokerPortBase(undefined, { ALERTLAB_KAFKA_PORT: 'abc' })).toThrow(/not usable/);
    });
});
