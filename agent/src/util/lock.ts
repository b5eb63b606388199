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
