/** Arrow IPC stream bytes <-> Arrow JS tables, the only payload format on the bridge. */
import {
  RecordBatch,
  RecordBatchStreamWriter,
  Table,
  tableFromIPC,
  tableToIPC
} from 'apache-arrow';

/** Serializes a table or batch as one Arrow IPC stream (schema + record batches). */
export function toIpcBytes(data: Table | RecordBatch): Uint8Array {
  const table = data instanceof Table ? data : new Table(data);
  return tableToIPC(table, 'stream');
}

/** Parts below this size are copied together into one (a frame each would cost more). */
const SMALL_PART_BYTES = 64 * 1024;

/**
 * The same Arrow IPC stream as {@link toIpcBytes}, as consecutive parts whose concatenation is
 * the stream: the column buffers themselves (views, nothing copied) and the small pieces between
 * them (message headers, padding) copied together. For a large reply this saves allocating and
 * filling one buffer the size of the whole table — on a 2.6 MB cross-match reply, ~0.5 ms and
 * the external memory that makes V8 collect.
 */
export async function toIpcParts(data: Table | RecordBatch): Promise<Uint8Array[]> {
  const table = data instanceof Table ? data : new Table(data);
  const out: Uint8Array[] = [];
  let small: Uint8Array[] = [];
  let smallBytes = 0;
  const flush = (): void => {
    if (small.length === 1) {
      out.push(small[0]);
    } else if (small.length > 1) {
      const joined = new Uint8Array(smallBytes);
      let at = 0;
      for (const s of small) {
        joined.set(s, at);
        at += s.byteLength;
      }
      out.push(joined);
    }
    small = [];
    smallBytes = 0;
  };
  for await (const part of RecordBatchStreamWriter.writeAll(table)) {
    if (part.byteLength < SMALL_PART_BYTES) {
      small.push(part);
      smallBytes += part.byteLength;
    } else {
      flush();
      out.push(part);
    }
  }
  flush();
  return out;
}

/** Reads an Arrow IPC stream sent in parts (see {@link toIpcParts}); one part is read in place. */
export function fromIpcParts(parts: Uint8Array[]): Table {
  if (parts.length === 1) {
    return fromIpcBytes(parts[0]);
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return fromIpcBytes(bytes);
}

/** Reads Arrow IPC stream (or file) bytes. */
export function fromIpcBytes(bytes: Uint8Array): Table {
  return tableFromIPC(bytes);
}
