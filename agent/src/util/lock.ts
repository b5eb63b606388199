// A FIFO mutex: callers run one at a time, in arrival order. A name (what it guards, e.g. "network",
// "state.writes") is for the profiler's tracer, which labels the wait for the lock and the time it is
// held by it, so a profile tells which lock a call waited for.
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly name = "unnamed") {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One FIFO mutex per key; a key's entry goes when its last call ends, so the map stays small. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(readonly name = "unnamed") {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a call running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}

/**
 * Work that reads the current state when it starts (a render of every instance's reservations or
 * fence), one run at a time per key. A caller needs a run that starts after it asked: it joins the
 * run already waiting to start, if there is one, rather than queueing another. Ten clones leasing
 * at once then cost two or three renders of the network's fence, not ten, each covering them all.
 */
export class Coalescer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, Promise<void>>();

  run(key: string, fn: () => Promise<void>): Promise<void> {
    const waiting = this.waiting.get(key);
    if (waiting) return waiting;
    const before = this.running.get(key) ?? Promise.resolve();
    const next: Promise<void> = before
      .catch(() => undefined)
      .then(() => {
        // Started: from here on a caller's change may come too late for this run's read.
        this.waiting.delete(key);
        this.running.set(key, next);
        return fn();
      })
      .finally(() => {
        if (this.running.get(key) === next) this.running.delete(key);
      });
    this.waiting.set(key, next);
    return next;
  }
}
