// Per-source token bucket. Pure: the caller passes the clock, so tests need no waiting. The table is
// bounded; sources only reach it after the allow-list, so its size is at most the VM network's.
// Over the limit nothing is dropped (see server.ts): UDP gets a truncated answer, TCP waits.
export interface RateLimit {
  qps: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    readonly limit: RateLimit,
    private readonly maxSources = 65536,
  ) {}

  /** Takes one token for `source` at time `nowMs`; false means it is over its limit. */
  take(source: string, nowMs: number): boolean {
    const b = this.refill(source, nowMs);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Milliseconds until `source` has a token again (0: it has one now). Takes nothing. */
  waitMs(source: string, nowMs: number): number {
    const b = this.refill(source, nowMs);
    return b.tokens >= 1 ? 0 : ((1 - b.tokens) / this.limit.qps) * 1000;
  }

  private refill(source: string, nowMs: number): Bucket {
    let b = this.buckets.get(source);
    if (!b) {
      if (this.buckets.size >= this.maxSources) this.prune(nowMs);
      b = { tokens: this.limit.burst, last: nowMs };
      this.buckets.set(source, b);
    } else {
      const elapsed = Math.max(0, nowMs - b.last) / 1000;
      b.tokens = Math.min(this.limit.burst, b.tokens + elapsed * this.limit.qps);
      b.last = nowMs;
    }
    return b;
  }

  get size() {
    return this.buckets.size;
  }

  private prune(nowMs: number) {
    const refill = (this.limit.burst / this.limit.qps) * 1000;
    for (const [k, b] of this.buckets) if (nowMs - b.last >= refill) this.buckets.delete(k);
    // Still full: everyone active at once. Forget them all rather than grow without bound.
    if (this.buckets.size >= this.maxSources) this.buckets.clear();
  }
}
