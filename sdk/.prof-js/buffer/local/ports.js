/** Checks that the ports a local cluster will listen on are free on 127.0.0.1. */
import { createServer } from 'node:net';
import { PortInUseError } from '../../errors.js';
/** Resolves true when `port` can be bound on `host` right now (the probe socket is closed again). */
export function isPortFree(port, host = '127.0.0.1') {
    return new Promise(resolve => {
        const server = createServer();
        server.unref();
        server.once('error', () => resolve(false));
        server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
}
/**
 * Throws PortInUseError naming every busy port and how to pick another range.
 * @param ports - `{ port, role }` pairs, e.g. `{ port: 19092, role: 'broker 1' }`
 */
export async function assertPortsFree(ports, portBase) {
    const busy = [];
    for (const p of ports) {
        if (!(await isPortFree(p.port))) {
            busy.push(p);
        }
    }
    if (busy.length === 0) {
        return;
    }
    const list = busy.map(p => `${p.port} (${p.role})`).join(', ');
    const suggestion = portBase + 1000 <= 65000 ? portBase + 1000 : 29092;
    throw new PortInUseError(`Cannot start Kafka: port${busy.length > 1 ? 's' : ''} ${list} on 127.0.0.1 ` +
        `${busy.length > 1 ? 'are' : 'is'} already in use. See what holds ${busy.length > 1 ? 'them' : 'it'} with \`ss -ltnp 'sport = :${busy[0].port}'\`, free ${busy.length > 1 ? 'them' : 'it'}, ` +
        `or use another range: \`alertlab kafka start --port ${suggestion}\` ` +
        `(or ALERTLAB_KAFKA_PORT=${suggestion}).`, { context: { busyPorts: busy.map(p => p.port), portBase } });
}
