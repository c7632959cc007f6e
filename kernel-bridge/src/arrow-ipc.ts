/** Arrow IPC stream bytes <-> Arrow JS tables, the only payload format on the bridge. */
import { RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';

/** Serializes a table or batch as one Arrow IPC stream (schema + record batches). */
export function toIpcBytes(data: Table | RecordBatch): Uint8Array {
  const table = data instanceof Table ? data : new Table(data);
  return tableToIPC(table, 'stream');
}

/** Reads Arrow IPC stream (or file) bytes. */
export function fromIpcBytes(bytes: Uint8Array): Table {
  return tableFromIPC(bytes);
}
