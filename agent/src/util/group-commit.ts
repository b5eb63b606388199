// Group commit: changes to one durable value that arrive while it is being written are applied in
// arrival order and written together by the next write, so N waiting writers pay for one write (one
// set of fsyncs), not N back to back. Each change still starts from the previous one's result, and
// a change's promise resolves only once a write that includes it has finished: what a caller
// awaited is durable when it returns.
interface Pending<T> {
  mutate: (v: T) => void;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  private writing = false;

  constructor(
    /** The value as last written. */
    private value: T,
    private readonly write: (next: T) => Promise<void>,
    private readonly copy: (v: T) => T,
  ) {}

  /** The value as last written: changes not yet durable are not in it. */
  get current(): T {
    return this.value;
  }

  /**
   * Applies `mutate` to a copy of the latest value (a throw rejects this change alone, the others
   * go on) and resolves once that copy, or a later one, is written. A failed write rejects every
   * change it carried and leaves the value as it was.
   */
  change(mutate: (v: T) => void): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.queue.push({ mutate, resolve, reject }));
    if (!this.writing) {
      this.writing = true;
      void this.drain();
    }
    return done;
  }

  private async drain(): Promise<void> {
    for (;;) {
      // The flag drops in the same synchronous step that finds the queue empty: a caller resumed by
      // the last batch's resolve that changes again starts a new drain, never finds one ending.
      if (this.queue.length === 0) {
        this.writing = false;
        return;
      }
      const batch = this.queue.splice(0);
      let next = this.value;
      const carried: Pending<T>[] = [];
      for (const p of batch) {
        const c = this.copy(next);
        try {
          p.mutate(c);
        } catch (e) {
          p.reject(e);
          continue;
        }
        next = c;
        carried.push(p);
      }
      if (carried.length === 0) continue;
      try {
        await this.write(next);
      } catch (e) {
        for (const p of carried) p.reject(e);
        continue;
      }
      this.value = next;
      for (const p of carried) p.resolve();
    }
  }
}
