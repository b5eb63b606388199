// Forwarding: every upstream is asked at once and `decide` picks the answer. Upstreams that keep
// timing out are marked down: they still get one probe query per second, to notice recovery, but
// nobody waits for them, so a blackholed server costs a few slow answers, not every answer.
// Identical questions in flight share one upstream query (RFC 5452 §5: no birthday attacks).
import { DeadlineQueue } from "./deadlines";
import { DEFAULT_POOL, type PoolOptions, UdpPool } from "./pool";
import type { Counters, UpstreamHealth } from "./stats";
import type { UpstreamAddr } from "./resolvconf";
import { type Outcome, PENDING, type Slot, classify, decide } from "./select";
import { type AskHooks, type AttemptOwner, type Cancellable, type UpstreamReply, askUdp } from "./upstream";
import type { UpstreamQuestion } from "./upstreamwire";
import type { Scan } from "./wire";

export const DOWN_AFTER_FAILURES = 3;
export const PROBE_INTERVAL_MS = 1000;
// Under load a blackhole is recognised long before its first timeout: this many queries
// outstanding and not a single reply for this long. A live server, however slow, keeps replying.
export const SUSPECT_PENDING = 32;
export const SUSPECT_SILENCE_MS = 250;

export type Resolution = { kind: "answer"; bytes: Buffer; scan: Scan } | { kind: "servfail" };
/** `alone` is true when this waiter is the only one: it may then modify the answer bytes in place. */
export type Waiter = (r: Resolution, alone: boolean) => void;
const SERVFAIL: Resolution = { kind: "servfail" };
const DOWN: Outcome = Object.freeze({ state: "failed", reason: "down" });

/** One configured upstream as a query needs it: no lookup by its key per query. */
interface Upstream {
  addr: UpstreamAddr;
  health: Health;
  pool: UdpPool | undefined;
}

interface Health {
  consecutiveFailures: number;
  pending: number;
  /** Last reply of any kind, or when we started talking to it. */
  lastHeardAt: number;
  lastError?: string;
  lastErrorAt?: number;
  lastSuccessAt?: number;
  lastProbeAt: number;
}

const isDown = (h: Health, now: number) =>
  h.consecutiveFailures >= DOWN_AFTER_FAILURES ||
  (h.pending >= SUSPECT_PENDING && now - h.lastHeardAt >= SUSPECT_SILENCE_MS);

export class Resolver {
  private upstreams: UpstreamAddr[] = [];
  private ups: readonly Upstream[] = [];
  private readonly health = new Map<string, Health>();
  private readonly inflight = new Map<string, Flight>();
  private readonly deadlines = new DeadlineQueue();
  private readonly cancels = new Set<Cancellable>();
  private readonly pools = new Map<string, UdpPool>();
  private closed = false;
  private readonly hooks: AskHooks = {
    onRejected: () => void this.counters.upstreamRejected++,
    onTcpFallback: () => void this.counters.tcpFallback++,
    track: (query: Cancellable) => void this.cancels.add(query),
    untrack: (query: Cancellable) => void this.cancels.delete(query),
  };

  constructor(
    private readonly counters: Counters,
    public timeoutMs: number,
    public maxInflight: number,
    private readonly poolOptions: PoolOptions = DEFAULT_POOL,
  ) {}

  setUpstreams(list: UpstreamAddr[]) {
    this.upstreams = list.slice();
    // Health survives an update for servers that stay, so a known-dead one is not waited for again.
    const keep = new Set(list.map((u) => u.key));
    for (const k of this.health.keys()) if (!keep.has(k)) this.health.delete(k);
    for (const [k, p] of this.pools)
      if (!keep.has(k)) {
        p.close();
        this.pools.delete(k);
      }
    // A new array: flights in progress keep the one they started with.
    this.ups = list.map((addr) => ({
      addr,
      health: this.healthOf(addr.key),
      pool: this.pools.get(addr.key),
    }));
  }

  private poolOf(u: Upstream): UdpPool {
    if (u.pool) return u.pool;
    let p = this.pools.get(u.addr.key);
    if (!p) {
      p = new UdpPool(u.addr, this.poolOptions, () => void this.counters.upstreamRejected++);
      this.pools.set(u.addr.key, p);
    }
    return (u.pool = p);
  }

  /** Ends every upstream query in flight (their clients get SERVFAIL); later queries fail at once. */
  close() {
    this.closed = true;
    for (const query of [...this.cancels]) query.cancel();
    // The UDP attempts in flight (askUdp): every one is a pending deadline until it settles.
    for (const d of this.deadlines.drain()) (d as Partial<Cancellable>).cancel?.();
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
    this.deadlines.close();
  }

  get current(): readonly UpstreamAddr[] {
    return this.upstreams;
  }

  /**
   * Calls `waiter` once with the resolution. False when too many distinct questions are in flight:
   * the caller drops the query and `waiter` is never called.
   */
  resolveWith(key: string, q: UpstreamQuestion, waiter: Waiter): boolean {
    const running = this.inflight.get(key);
    if (running) {
      this.counters.shared++;
      (running.more ??= []).push(waiter);
      return true;
    }
    if (this.inflight.size >= this.maxInflight) return false;
    const flight = new Flight(this, key, waiter);
    this.inflight.set(key, flight);
    this.fanout(q, flight);
    return true;
  }

  /** Promise form of resolveWith; undefined when the query must be dropped. */
  resolve(key: string, q: UpstreamQuestion): Promise<Resolution> | undefined {
    let ok = false;
    const p = new Promise<Resolution>((res) => {
      ok = this.resolveWith(key, q, (r) => res(r));
    });
    return ok ? p : undefined;
  }

  report(): UpstreamHealth[] {
    return this.upstreams.map((u) => {
      const h = this.healthOf(u.key);
      return {
        upstream: u.key,
        consecutiveFailures: h.consecutiveFailures,
        down: isDown(h, Date.now()),
        lastError: h.lastError,
        lastErrorAt: h.lastErrorAt === undefined ? undefined : new Date(h.lastErrorAt),
        lastSuccessAt: h.lastSuccessAt === undefined ? undefined : new Date(h.lastSuccessAt),
      };
    });
  }

  private healthOf(key: string): Health {
    let h = this.health.get(key);
    if (!h) {
      h = { consecutiveFailures: 0, pending: 0, lastHeardAt: Date.now(), lastProbeAt: 0 };
      this.health.set(key, h);
    }
    return h;
  }

  /** @internal Flight's: its answer is decided, nobody waits for this question any more. */
  landed(key: string) {
    this.inflight.delete(key);
  }

  /** @internal */
  record(h: Health, r: UpstreamReply) {
    h.pending = Math.max(0, h.pending - 1);
    // Any well-formed reply (even SERVFAIL) proves the server is alive and reachable.
    if (r.ok) {
      h.consecutiveFailures = 0;
      h.lastSuccessAt = h.lastHeardAt = Date.now();
    } else {
      h.consecutiveFailures++;
      h.lastError = `${r.error}: ${r.detail}`;
      h.lastErrorAt = Date.now();
    }
  }

  private fanout(q: UpstreamQuestion, flight: Flight) {
    const ups = this.ups;
    if (ups.length === 0 || this.closed) {
      flight.resolve(SERVFAIL);
      return;
    }
    flight.ups = ups;
    // Sized once: pushing from empty grows the array's store more than once per query.
    flight.slots = new Array<Slot>(ups.length);
    const now = Date.now();
    // When every server is down there is nobody better to wait for: ask them all.
    let anyUp = false;
    for (let i = 0; i < ups.length; i++) if (!isDown(ups[i]!.health, now)) anyUp = true;
    for (let i = 0; i < ups.length; i++) {
      const h = ups[i]!.health;
      const probe = anyUp && isDown(h, now);
      if (probe && now - h.lastProbeAt < PROBE_INTERVAL_MS) {
        flight.slots[i] = { outcome: DOWN, awaited: false };
        continue;
      }
      if (probe) h.lastProbeAt = now;
      flight.slots[i] = { outcome: PENDING, awaited: !probe };
      h.pending++;
    }
    // Asked once every slot exists: an attempt may fail at once and decide on the full list.
    for (let i = 0; i < ups.length; i++)
      if (flight.slots[i]!.outcome === PENDING)
        askUdp(this.poolOf(ups[i]!), ups[i]!.addr, q, this.timeoutMs, this.hooks, this.deadlines, flight, i);
    flight.settle();
  }
}

/**
 * One question in flight upstream and everybody waiting for its answer: the fan-out's state in one
 * object (its attempts report here by index) rather than closures and arrays per query.
 */
class Flight implements AttemptOwner {
  /** Waiters beyond the first (identical questions that arrived while this one was in flight). */
  more: Waiter[] | undefined = undefined;
  ups: readonly Upstream[] = [];
  slots: Slot[] = [];
  replies: (UpstreamReply | undefined)[] | undefined = undefined;
  private done = false;

  constructor(
    private readonly resolver: Resolver,
    private readonly key: string,
    private readonly first: Waiter,
  ) {}

  attemptDone(i: number, r: UpstreamReply) {
    this.resolver.record(this.ups[i]!.health, r);
    this.slots[i]!.outcome = r.ok
      ? classify(r.rcode, r.scan.header.an)
      : { state: "failed", reason: r.error };
    if (this.done) return;
    // Nearly always the only upstream, or the first positive answer: decided now, nothing kept.
    const d = decide(this.slots);
    if (d.done) {
      this.done = true;
      if ("pick" in d) {
        const picked = d.pick === i ? r : this.replies?.[d.pick];
        this.resolve(picked?.ok ? { kind: "answer", bytes: picked.bytes, scan: picked.scan } : SERVFAIL);
      } else this.resolve(SERVFAIL);
      return;
    }
    // Kept for a later decision: its bytes' area is reused after this call (udpio.ts).
    (this.replies ??= [])[i] = r.ok ? { ...r, bytes: Buffer.from(r.bytes) } : r;
  }

  /** Decides with what is known (every slot may have settled already, or none be awaited). */
  settle() {
    if (this.done) return;
    const d = decide(this.slots);
    if (!d.done) return;
    this.done = true;
    const r = "pick" in d ? this.replies?.[d.pick] : undefined;
    this.resolve(r?.ok ? { kind: "answer", bytes: r.bytes, scan: r.scan } : SERVFAIL);
  }

  resolve(r: Resolution) {
    this.done = true;
    this.resolver.landed(this.key);
    const more = this.more;
    if (more === undefined) {
      this.first(r, true);
      return;
    }
    this.first(r, false);
    for (let i = 0; i < more.length; i++) more[i]!(r, false);
  }
}
