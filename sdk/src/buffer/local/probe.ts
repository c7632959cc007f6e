/**
 * A raw Kafka Metadata request over TCP, used to tell when a local broker really answers and which
 * brokers the cluster lists. It speaks just enough of the wire protocol for that one request
 * (Metadata v4: non-flexible, supported by Kafka 1.0 through 4.x), so the launcher depends on no
 * Kafka client library.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { NodeLayout } from './config.js';

/** One broker as listed in a Metadata response. */
export interface ProbeBroker {
  nodeId: number;
  host: string;
  port: number;
}

/** What a Metadata response says about the cluster. */
export interface ProbeMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: ProbeBroker[];
}

const METADATA_API_KEY = 3;
const METADATA_VERSION = 4;
const CLIENT_ID = 'alertlab-probe';

/** Encodes a Metadata v4 request (header v1) asking for no topics, size prefix included. */
export function encodeMetadataRequest(correlationId: number): Buffer {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const bodyLength = 2 + 2 + 4 + 2 + clientId.length + 4 + 1;
  const buf = Buffer.alloc(4 + bodyLength);
  let o = buf.writeInt32BE(bodyLength, 0);
  o = buf.writeInt16BE(METADATA_API_KEY, o);
  o = buf.writeInt16BE(METADATA_VERSION, o);
  o = buf.writeInt32BE(correlationId, o);
  o = buf.writeInt16BE(clientId.length, o);
  o += clientId.copy(buf, o);
  o = buf.writeInt32BE(0, o); // topics: empty array = no topics
  buf.writeInt8(0, o); // allow_auto_topic_creation = false
  return buf;
}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) {
      return null;
    }
    if (this.offset + len > this.buf.length) {
      throw new RangeError('string runs past the end of the response');
    }
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }
  string(): string {
    const v = this.nullableString();
    if (v === null) {
      throw new RangeError('unexpected null string');
    }
    return v;
  }
}

/**
 * Decodes a Metadata v4 response frame (without its 4-byte size prefix). Topics are not read
 * (the request asks for none).
 */
export function decodeMetadataResponse(
  frame: Buffer,
  expectedCorrelationId: number
): ProbeMetadata {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (correlationId !== expectedCorrelationId) {
    throw new Error(`correlation id ${correlationId} != ${expectedCorrelationId}`);
  }
  r.int32(); // throttle_time_ms
  const count = r.int32();
  const brokers: ProbeBroker[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = r.int32();
    const host = r.string();
    const port = r.int32();
    r.nullableString(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = r.nullableString();
  const controllerId = r.int32();
  brokers.sort((a, b) => a.nodeId - b.nodeId);
  return { clusterId, controllerId, brokers };
}

/**
 * Sends one Metadata request to `host:port` and returns the brokers it lists. Rejects on connect
 * errors, a closed connection, a malformed answer or after `timeoutMs`.
 */
export function probeMetadata(
  host: string,
  port: number,
  timeoutMs = 2_000,
  tls?: { caFile: string; certFile: string; keyFile: string }
): Promise<ProbeMetadata> {
  const correlationId = 1 + Math.floor(Math.random() * 0x7ffffffe);
  return new Promise<ProbeMetadata>((resolve, reject) => {
    const socket = tls
      ? tlsConnect({
          host,
          port,
          ca: readFileSync(tls.caFile),
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
          timeout: timeoutMs
        })
      : new Socket();
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | null, value?: ProbeMetadata): void => {
      if (settled) {
        return;
      }
      settled = true;
      socket.destroy();
      if (err) {
        reject(err);
      } else {
        resolve(value as ProbeMetadata);
      }
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`no Metadata answer from ${host}:${port} within ${timeoutMs} ms`))
    );
    socket.on('error', err => finish(err));
    socket.on('close', () => finish(new Error(`${host}:${port} closed the connection`)));
    socket.on('data', chunk => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) {
        return;
      }
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) {
        return;
      }
      try {
        finish(null, decodeMetadataResponse(received.subarray(4, 4 + size), correlationId));
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
    if (tls) {
      socket.on('secureConnect', () => socket.write(encodeMetadataRequest(correlationId)));
    } else {
      socket.connect(port, host, () => socket.write(encodeMetadataRequest(correlationId)));
    }
  });
}

/** Probes a local node where it can be asked: its internal mTLS listener when it is secured. */
export function probeNode(node: NodeLayout, timeoutMs = 2_000): Promise<ProbeMetadata> {
  return node.probe
    ? probeMetadata('127.0.0.1', node.probe.port, timeoutMs, node.probe.tls)
    : probeMetadata('127.0.0.1', node.brokerPort, timeoutMs);
}
