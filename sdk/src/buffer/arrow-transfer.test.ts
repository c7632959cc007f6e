import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { Int32, RecordBatch, Table, makeData, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../alerts/index.js';
import { SAMPLE_FILES, missingData, skipWithoutData } from '../alerts/testing/samples.js';
import { BatchReceiver, BatchSender, type BatchTransfer } from './arrow-transfer.js';
import { readAlertFile } from './produce.js';

const ipc = (b: RecordBatch): Buffer => Buffer.from(tableToIPC(new Table([b])));

/** Posts through a real MessagePort (structured clone + transfer), as a worker does. */
function post(message: BatchTransfer, transfer: ArrayBuffer[]): BatchTransfer {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(message, transfer);
    return receiveMessageOnPort(port2)?.message as BatchTransfer;
  } finally {
    port1.close();
    port2.close();
  }
}

describe.skipIf(skipWithoutData(missingData([SAMPLE_FILES.ztf, SAMPLE_FILES.rubin])))(
  `batch transfer between threads (needs ${SAMPLE_FILES.ztf} and ${SAMPLE_FILES.rubin})`,
  () => {
    it('rebuilds ZTF (cutouts) and Rubin batches exactly; each schema is sent once', async () => {
      const sender = new BatchSender();
      const receiver = new BatchReceiver();
      const ztf = createDecoder('ztf');
      const rubin = createDecoder('rubin');
      const ztfValues = (await readAlertFile(SAMPLE_FILES.ztf)).values;
      const rubinValues = (await readAlertFile(SAMPLE_FILES.rubin)).values;
      const batches = [
        ztf.decodeBatch(ztfValues, { includeCutouts: true }).batch,
        rubin.decodeBatch(rubinValues).batch,
        ztf.decodeBatch(ztfValues, { includeCutouts: true }).batch,
        rubin.decodeBatch(rubinValues.slice(0, 2)).batch
      ];
      const schemasSent: boolean[] = [];
      let moved = 0;
      for (const batch of batches) {
        const want = ipc(batch); // before the transfer detaches the batch's buffers
        const packed = sender.pack(batch);
        expect(packed).toBeDefined();
        const { message, transfer } = packed as NonNullable<typeof packed>;
        schemasSent.push(message.schemaIpc !== undefined);
        const got = receiver.unpack(post(message, transfer));
        expect(got.numRows).toBe(batch.numRows);
        expect(ipc(got).equals(want)).toBe(true);
        moved += transfer.length;
        for (const buffer of transfer) {
          expect(buffer.byteLength).toBe(0); // moved, not copied
        }
      }
      expect(schemasSent).toEqual([true, true, false, false]);
      expect(moved).toBeGreaterThan(0); // cutouts and lightcurve points are large enough to move
    });

    it('never reuses a schema id, not even after a schema was forgotten', () => {
      const sender = new BatchSender();
      const batchOf = (name: string) =>
        new RecordBatch({ [name]: makeData({ type: new Int32(), data: Int32Array.of(1) }) });
      const a = sender.pack(batchOf('a'))?.message as BatchTransfer;
      const b = sender.pack(batchOf('b'))?.message as BatchTransfer;
      sender.forget(a); // a's message was not delivered
      const c = sender.pack(batchOf('c'))?.message as BatchTransfer;
      const again = sender.pack(batchOf('a'))?.message as BatchTransfer;
      expect(new Set([a.schemaId, b.schemaId, c.schemaId]).size).toBe(3);
      expect(again.schemaIpc).toBeDefined(); // sent again, under a fresh id
      expect([a.schemaId, b.schemaId, c.schemaId]).not.toContain(again.schemaId);
    });
  }
);
