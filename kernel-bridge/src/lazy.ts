/**
 * A resource made on first use and shared after — unless making it failed: a failure is not
 * kept, so the next use tries again. (A Kafka that was not running, or a catalog store that did not
 * exist yet, is there once the user has followed the error message; the engine must see it
 * without a restart.)
 */
export class Lazy<T> {
  private pending: Promise<T> | undefined;

  constructor(private readonly make: () => Promise<T>) {}

  /** The resource: the one made before, or a new attempt if none was made or the last failed. */
  get(): Promise<T> {
    if (this.pending === undefined) {
      const attempt = this.make();
      this.pending = attempt;
      attempt.catch(() => {
        if (this.pending === attempt) {
          this.pending = undefined;
        }
      });
    }
    return this.pending;
  }

  /** Forgets the resource and hands it over (to close it); undefined if none was made. */
  async take(): Promise<T | undefined> {
    const made = this.pending;
    this.pending = undefined;
    return made?.catch(() => undefined);
  }
}
