/**
 * The confluent transport's per-group consumer handles are bounded (issue #15 part 3): a
 * long-lived controller reading the lags of many notebook groups (GET /buffers/topics) keeps at
 * most `maxIdle` handles nobody holds, closes them after `idleMs`, and never closes the handle a
 * live transactional stage commits with. Real Kafka (the shared broker), real librdkafka handles;
 * the process's thread count (librdkafka runs threads per handle) is checked beside the pool's count.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kafkaClientAvailable } from '../sdk/src/buffer/transport.js';
import { bootstrapServers, quietLogger, randomName, sleep, waitFor } from './buffer-helpers.js';

const loadable = (await kafkaClientAvailable('confluent')) || process.env.CI === 'true';
const why = loadable
  ? ''
  : ' (SKIPPED: the confluent client is not built here; run scripts/setup.sh)';

function threads(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

const GROUPS = 50;
const MAX_IDLE = 4;
const IDLE_MS = 2000;

describe('confluent transport: group handles bounded', () => {
  it.skipIf(!loadable)(
    `reads ${GROUPS} groups' offsets with at most ${MAX_IDLE} idle handles, closes them when idle, and keeps a live stage's handle${why}`,
    async () => {
      const { createConfluentTransport } = await import('../sdk/src/buffer/confluent/transport.js');
      const servers = bootstrapServers();
      const input = randomName('gh-in');
      const output = randomName('gh-out');
      const groups = Array.from({ length: GROUPS }, (_, i) => randomName(`gh-nb${i}`));
      const stageGroup = randomName('gh-stage');
      const enc = new TextEncoder();
      // Setup on a transport of its own: topics, input records, and a committed offset per group.
      const setup = createConfluentTransport({ bootstrapServers: servers, logger: quietLogger });
      const setupAdmin = await setup.admin();
      await setupAdmin.createTopics([
        { topic: input, partitions: 2 },
        { topic: output, partitions: 1 }
      ]);
      const transport = createConfluentTransport({
        bootstrapServers: servers,
        logger: quietLogger,
        groupHandles: { maxIdle: MAX_IDLE, idleMs: IDLE_MS }
      });
      try {
        const seed = await setup.producer({ transactionalId: randomName('gh-seed') });
        const tx = await seed.transaction();
        await tx.send(
          Array.from({ length: 200 }, (_, i) => ({
            topic: input,
            partition: i % 2,
            value: enc.encode(`r${i}`)
          }))
        );
        for (let i = 0; i < GROUPS; i++) {
          await tx.sendOffsets(groups[i], [
            { topic: input, partition: 0, offset: BigInt(i + 1) },
            { topic: input, partition: 1, offset: BigInt(2 * i + 1) }
          ]);
        }
        await tx.commit();
        await seed.close();

        // A live stage: a transactional producer committing its group's offsets in a loop.
        const stage = await transport.producer({ transactionalId: randomName('gh-stage-tx') });
        let committed = 0;
        let stop = false;
        let stageError: unknown;
        const loop = (async () => {
          while (!stop) {
            const t = await stage.transaction();
            await t.send([{ topic: output, partition: 0, value: enc.encode(`o${committed}`) }]);
            await t.sendOffsets(stageGroup, [
              { topic: input, partition: 0, offset: BigInt(committed + 1) }
            ]);
            await t.commit();
            committed++;
            await sleep(50);
          }
        })().catch((e: unknown) => {
          stageError = e;
        });
        await waitFor(() => committed >= 2 || stageError !== undefined, 60_000);
        expect(transport.groupHandleStats()).toMatchObject({ held: 1, idle: 0 });

        // The controller: one admin reading every group's offsets, as GET /buffers/topics does.
        const admin = await transport.admin();
        const threadsBefore = threads();
        const beforeReads = committed;
        let maxOpen = 0;
        for (let i = 0; i < GROUPS; i++) {
          const got = await admin.groupOffsets(groups[i], input);
          expect(got.map(o => o.offset)).toEqual([BigInt(i + 1), BigInt(2 * i + 1)]);
          const s = transport.groupHandleStats();
          expect(s.idle).toBeLessThanOrEqual(MAX_IDLE);
          expect(s.held).toBe(1); // the stage's
          maxOpen = Math.max(maxOpen, s.open);
        }
        const threadsPeak = threads();
        expect(committed).toBeGreaterThan(beforeReads); // the stage kept committing meanwhile
        const afterReads = transport.groupHandleStats();
        expect(afterReads.opened).toBe(GROUPS + 1);
        expect(afterReads.closed).toBeGreaterThanOrEqual(GROUPS - MAX_IDLE - 1);
        // Idle handles close after idleMs; the stage's stays and keeps working.
        await waitFor(() => transport.groupHandleStats().open === 1, 10 * IDLE_MS);
        const afterIdle = transport.groupHandleStats();
        expect(afterIdle).toMatchObject({ held: 1, idle: 0, closed: GROUPS });
        const n = committed;
        await waitFor(() => committed >= n + 3 || stageError !== undefined, 30_000);
        expect(stageError).toBeUndefined();
        const stageRead = await admin.groupOffsets(stageGroup, input);
        expect(stageRead[0].offset).toBeGreaterThanOrEqual(BigInt(n));
        const threadsAfter = threads();
        console.log(
          `group handles: ${GROUPS} groups read; open at most ${maxOpen} (cap ${MAX_IDLE} idle + the stage's + closing), ` +
            `${afterReads.closed} closed by the cap, all ${afterIdle.closed} idle closed after ${IDLE_MS} ms; ` +
            `threads ${threadsBefore} before, ${threadsPeak} after the reads, ${threadsAfter} after idle; stage committed ${committed}`
        );
        // without the bound, ~GROUPS handles' threads would still be running here
        expect(threadsAfter).toBeLessThanOrEqual(threadsBefore + 2 * MAX_IDLE + 2);
        stop = true;
        await loop;
        await stage.close();
        // closing the stage releases its lease: its handle closes when idle too
        await waitFor(() => transport.groupHandleStats().open === 0, 10 * IDLE_MS);
        await admin.close();
      } finally {
        await setupAdmin.deleteTopics([input, output]).catch(() => undefined);
        await setupAdmin.close();
        await transport.close();
        await setup.close();
      }
    },
    120_000
  );
});
