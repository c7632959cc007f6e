import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeMetadataResponse, encodeMetadataRequest, probeMetadata } from './probe.js';
/** A Metadata v4 response body (after the size prefix), as a broker would write it. */
function metadataResponse(correlationId, brokers) {
    const parts = [];
    const i32 = (v) => {
        const b = Buffer.alloc(4);
        b.writeInt32BE(v);
        return b;
    };
    const str = (s) => {
        if (s === null) {
            return Buffer.from([0xff, 0xff]);
        }
        const bytes = Buffer.from(s);
        const len = Buffer.alloc(2);
        len.writeInt16BE(bytes.length);
        return Buffer.concat([len, bytes]);
    };
    parts.push(i32(correlationId), i32(0), i32(brokers.length));
    for (const [id, host, port] of brokers) {
        parts.push(i32(id), str(host), i32(port), str(null));
    }
    parts.push(str('cluster-xyz'), i32(brokers[0]?.[0] ?? -1), i32(0));
    return Buffer.concat(parts);
}
async function withServer(onRequest, fn) {
    const server = createServer(socket => {
        socket.once('data', req => {
            const res = onRequest(req);
            if (res) {
                socket.write(res.subarray(0, 3));
                setTimeout(() => socket.write(res.subarray(3)), 20); // answer in two pieces
            }
            else {
                socket.destroy();
            }
        });
    });
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
        const address = server.address();
        if (address === null || typeof address === 'string') {
            throw new Error('no port');
        }
        return await fn(address.port);
    }
    finally {
        await new Promise(resolve => server.close(resolve));
    }
}
describe('raw Metadata probe', () => {
    it('encodes a Metadata v4 request for no topics', () => {
        const req = encodeMetadataRequest(42);
        expect(req.readInt32BE(0)).toBe(req.length - 4);
        expect(req.readInt16BE(4)).toBe(3); // api key: Metadata
        expect(req.readInt16BE(6)).toBe(4); // version
        expect(req.readInt32BE(8)).toBe(42);
        expect(req.readInt32BE(req.length - 5)).toBe(0); // empty topic array
    });
    it('decodes brokers sorted by node id and checks the correlation id', () => {
        const body = metadataResponse(7, [
            [3, '127.0.0.1', 9094],
            [1, '127.0.0.1', 9092]
        ]);
        const meta = decodeMetadataResponse(body, 7);
        expect(meta.clusterId).toBe('cluster-xyz');
        expect(meta.controllerId).toBe(3);
        expect(meta.brokers).toEqual([
            { nodeId: 1, host: '127.0.0.1', port: 9092 },
            { nodeId: 3, host: '127.0.0.1', port: 9094 }
        ]);
        expect(() => decodeMetadataResponse(body, 8)).toThrow(/correlation/);
    });
    it('talks to a server over TCP, reassembling a split answer', async () => {
        await withServer(req => {
            const body = metadataResponse(req.readInt32BE(8), [[5, 'localhost', 1234]]);
            const size = Buffer.alloc(4);
            size.writeInt32BE(body.length);
            return Buffer.concat([size, body]);
        }, async (port) => {
            const meta = await probeMetadata('127.0.0.1', port);
            expect(meta.brokers).toEqual([{ nodeId: 5, host: 'localhost', port: 1234 }]);
        });
    });
    it('rejects when the server hangs up', async () => {
        await withServer(() => undefined, async (port) => {
            await expect(probeMetadata('127.0.0.1', port)).rejects.toThrow(/closed the connection/);
        });
    });
});
