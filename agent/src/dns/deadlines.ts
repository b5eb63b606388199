// Timeouts for upstream queries without one Node timer per query: deadlines of the same duration
// expire in the order they were added, so each duration is a FIFO (a doubly linked list, so that a
// cancel unlinks at once and nothing outlives its query) and a single timer is armed for the
// earliest head.
export interface Deadline {
  at: number;
  /** Called as a method: the node may be the caller's own object (schedule), not a closure. */
  fire(): void;
  prev: Deadline | undefined;
  next: Deadline | undefined;
  list: Fifo | undefined;
}

interface Fifo {
  head: Deadline | undefined;
  tail: Deadline | undefined;
  size: number;
}

export class DeadlineQueue {
  private readonly fifos = new Map<number, Fifo>();
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Calls `fire` once after `ms` unless cancelled first. */
  add(ms: number, fire: () => void): Deadline {
    return this.schedule({ at: 0, fire, prev: undefined, next: undefined, list: undefined }, ms);
  }

  /**
   * Links `d` (not linked elsewhere) to fire after `ms`: a caller that is already one object per
   * query passes itself and no deadline object is allocated.
   */
  schedule<D extends Deadline>(d: D, ms: number): D {
    let f = this.fifos.get(ms);
    if (!f) {
      f = { head: undefined, tail: undefined, size: 0 };
      this.fifos.set(ms, f);
    }
    d.at = this.now() + ms;
    d.prev = f.tail;
    d.next = undefined;
    d.list = f;
    if (f.tail) f.tail.next = d;
    else f.head = d;
    f.tail = d;
    f.size++;
    if (d.at < this.armedAt) this.arm(d.at);
    return d;
  }

  /** Idempotent; a no-op once the deadline fired. */
  cancel(d: Deadline) {
    const f = d.list;
    if (!f) return;
    if (d.prev) d.prev.next = d.next;
    else f.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else f.tail = d.prev;
    d.prev = d.next = d.list = undefined;
    f.size--;
  }

  /** Deadlines neither fired nor cancelled. */
  get pending(): number {
    let n = 0;
    for (const f of this.fifos.values()) n += f.size;
    return n;
  }

  /** Unlinks every pending deadline and returns them, unfired (shutdown cancels what they time). */
  drain(): Deadline[] {
    const out: Deadline[] = [];
    for (const f of this.fifos.values()) while (f.head) out.push(this.unlink(f.head));
    return out;
  }

  close() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
    this.fifos.clear();
  }

  private unlink(d: Deadline): Deadline {
    this.cancel(d);
    return d;
  }

  private arm(at: number) {
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, Math.ceil(at - this.now())));
  }

  private expire() {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.now();
    const due: Deadline[] = [];
    let next = Infinity;
    for (const [ms, f] of this.fifos) {
      while (f.head && f.head.at <= now) due.push(this.unlink(f.head));
      if (f.head) next = Math.min(next, f.head.at);
      else this.fifos.delete(ms);
    }
    if (next < Infinity) this.arm(next);
    // Each FIFO is in order; across them only when the timer ran late (a busy loop) are several
    // due at once, and they still fire in deadline order.
    if (due.length > 1) due.sort((a, b) => a.at - b.at);
    for (const d of due) d.fire();
  }
}
