import { existsSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../alerts/index.js';
import { SAMPLE_FILES } from '../alerts/testing/samples.js';
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

describe.skipIf(!existsSync(SAMPLE_FILES.ztf) || !existsSync(SAMPLE_FILES.rubin))(
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
  }
);
