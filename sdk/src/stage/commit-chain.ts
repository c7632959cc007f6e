/**
 * One input partition's pipelined commits (partitions.ts): a chunk's transaction runs while the
 * next chunk is fetched and prepared, but starts only once the one before it has succeeded, so a
 * chunk's outputs and offsets are never committed before those of the chunk before it.
 */
export class CommitChain {
  private running: Promise<void> | undefined;

  /**
   * Waits for the running commit, if any; rethrows its failure. Every caller waiting at the time
   * waits for it (a release must not close the producer under a commit someone else awaits); the
   * failure is forgotten once they have seen it.
   */
  async settle(): Promise<void> {
    const running = this.running;
    try {
      await running;
    } finally {
      if (this.running === running) {
        this.running = undefined;
      }
    }
  }

  /**
   * Starts `commit` (after {@link settle} resolved). `unobserved` runs when it fails while nobody
   * waits in `settle`; the failure is then rethrown by the next `settle`.
   */
  start(commit: () => Promise<void>, unobserved: () => void): void {
    const running: Promise<void> = commit().catch((error: unknown) => {
      if (this.running === running) {
        try {
          unobserved();
        } catch {
          // the commit's own failure is what settle() rethrows
        }
      }
      throw error;
    });
    running.catch(() => undefined); // observed by the next settle()
    this.running = running;
  }
}
