// qvmd logs why it refused a call, and anyone in the socket's group can make it refuse calls as
// fast as it answers them (the hostile suite: ~600/s). One line per refusal would let them grow
// qvmd's log without bound and bury everything else in it. So, per window of 10 s, the first
// refusal of each kind (RPC and error code) is logged in full, for the first few kinds; the rest
// are counted, and one line at the window's end says how many of which kind were not logged.
export const REFUSAL_WINDOW_MS = 10_000;
/** Kinds logged in full per window; refusals of further kinds are only counted. */
export const REFUSAL_KINDS_IN_FULL = 20;
/** A line logged in full is cut to this many characters (the caller got the whole message). */
export const REFUSAL_LINE_MAX = 4096;
/** Kinds a summary names (by count, most first). */
const SUMMARY_KINDS = 10;

/** Pure: decides, from the clock it is given, which refusal lines are written. */
export class RefusalLimiter {
  private start?: number;
  /** Refusals per kind in this window that were not logged in full. */
  private readonly unlogged = new Map<string, number>();
  /** Kinds logged in full in this window. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly windowMs = REFUSAL_WINDOW_MS,
    private readonly kindsInFull = REFUSAL_KINDS_IN_FULL,
    private readonly lineMax = REFUSAL_LINE_MAX,
  ) {}

  /** When the open window ends (undefined: none is open). */
  get windowEnd(): number | undefined {
    return this.start === undefined ? undefined : this.start + this.windowMs;
  }

  /** A refusal of `kind` described by `line`, at `now`: the lines to write now (maybe none). */
  refuse(kind: string, line: string, now: number): string[] {
    const out = this.flush(now);
    this.start ??= now;
    if (!this.logged.has(kind) && this.logged.size < this.kindsInFull) {
      this.logged.add(kind);
      out.push(line.length > this.lineMax ? `${line.slice(0, this.lineMax)}… (${line.length} chars)` : line);
    } else this.unlogged.set(kind, (this.unlogged.get(kind) ?? 0) + 1);
    return out;
  }

  /** From the window's end on: its summary (when something went unlogged); the window closes. */
  flush(now: number): string[] {
    const end = this.windowEnd;
    if (end === undefined || now < end) return [];
    const out: string[] = [];
    if (this.unlogged.size > 0) {
      const kinds = [...this.unlogged.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const total = kinds.reduce((s, [, n]) => s + n, 0);
      const named = kinds.slice(0, SUMMARY_KINDS).map(([k, n]) => `${k} x${n}`);
      const more = kinds.length - named.length;
      out.push(
        `${total} more requests refused in the ${this.windowMs / 1000} s from ` +
          `${new Date(this.start!).toISOString()}, not logged one by one: ${named.join(", ")}` +
          `${more > 0 ? ` and ${more} other kinds` : ""} (logged in full: the first of each kind, ` +
          `for up to ${this.kindsInFull} kinds a window)`,
      );
    }
    this.start = undefined;
    this.unlogged.clear();
    this.logged.clear();
    return out;
  }
}

/**
 * The limiter on qvmd's log: refusal lines go through it, and a window's summary is written when
 * the window ends even if no refusal follows (a timer that keeps nothing alive).
 */
export function refusalLog(
  log: (m: string) => void,
  limiter = new RefusalLimiter(),
): (kind: string, line: string) => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const end = limiter.windowEnd;
    if (end === undefined || timer !== undefined) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        for (const l of limiter.flush(Date.now())) log(l);
        arm(); // a refusal may have opened the next window before this fired
      },
      Math.max(0, end - Date.now()),
    );
    timer.unref();
  };
  return (kind, line) => {
    for (const l of limiter.refuse(kind, line, Date.now())) log(l);
    arm();
  };
}
