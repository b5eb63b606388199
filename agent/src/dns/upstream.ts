// Asking one upstream one question. Each UDP attempt gets a socket of its own from the upstream's
// pool (random kernel-chosen port, never shared by two queries in flight, rotated: pool.ts) and a
// new random ID (RFC 5452 §9.2); the socket is connected, so the kernel already drops datagrams
// from other addresses or ports, and we check again anyway. A truncated UDP answer is asked again
// over TCP (RFC 7766 §5).
import * as net from "node:net";
import type { Deadline, DeadlineQueue } from "./deadlines";
import type { PooledSocket, SocketUser, UdpPool } from "./pool";
import type { UpstreamAddr } from "./resolvconf";
import { type UpstreamQuestion, buildUpstreamQuery, checkReply, randomId } from "./upstreamwire";
import type { Scan } from "./wire";

export type UpstreamReply =
  | { ok: true; bytes: Buffer; scan: Scan; rcode: number; viaTcp: boolean }
  | { ok: false; error: "timeout" | "network" | "malformed"; detail: string };

/** What an upstream query in flight can be asked to do from outside (shutdown). */
export interface Cancellable {
  cancel(): void;
}

export interface AskHooks {
  /** A datagram that failed the source/ID/question checks was ignored. */
  onRejected?: (reason: string) => void;
  onTcpFallback?: () => void;
  /**
   * Registers a TCP query in flight for shutdown, until `untrack` is called for it (UDP attempts
   * are found through the deadline queue instead: askUdp).
   */
  track?: (query: Cancellable) => void;
  untrack?: (query: Cancellable) => void;
}

/** Who waits for an attempt: `index` tells its attempts apart (one per upstream). */
export interface AttemptOwner {
  attemptDone(index: number, r: UpstreamReply): void;
}

/**
 * One question over UDP on a pooled socket reserved for it (see pool.ts). One object per query:
 * it is at once the socket's user, its own deadline node and what shutdown cancels, so a forwarded
 * query allocates no closures here (they were a measured share of the forwarder's GC).
 */
class UdpAttempt implements Deadline, SocketUser, Cancellable {
  // Deadline node fields (deadlines.ts).
  at = 0;
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  list: Deadline["list"] = undefined;
  private settled = false;
  private readonly id = randomId();

  constructor(
    private readonly pool: UdpPool,
    private readonly ps: PooledSocket,
    private readonly server: UpstreamAddr,
    private readonly q: UpstreamQuestion,
    private readonly timeoutMs: number,
    private readonly hooks: AskHooks,
    private readonly deadlines: DeadlineQueue,
    private readonly owner: AttemptOwner,
    private readonly index: number,
  ) {}

  // Not in the hooks' tracking set: until it settles it is in the deadline queue, and shutdown
  // cancels what that queue holds (a set insert and delete per query saved).
  start() {
    this.deadlines.schedule(this, this.timeoutMs);
    this.ps.user = this;
    this.ps.send(buildUpstreamQuery(this.id, this.q));
  }

  /** The deadline. */
  fire() {
    this.finish({ ok: false, error: "timeout", detail: `no answer in ${this.timeoutMs} ms` });
  }

  cancel() {
    this.finish({ ok: false, error: "network", detail: "forwarder closed" });
  }

  failed(err: Error) {
    this.finish({ ok: false, error: "network", detail: err.message });
  }

  // Only the server's datagrams get here (the socket is connected; udpio.ts checks the source too).
  received(msg: Buffer) {
    const check = checkReply(msg, this.id, this.q);
    if (!check.ok) {
      this.hooks.onRejected?.(check.reason);
      return;
    }
    if (!check.truncated)
      this.finish({ ok: true, bytes: msg, scan: check.scan, rcode: check.rcode, viaTcp: false });
    else this.viaTcp();
  }

  // Larger than we asked for and than we read: asked again over TCP, like a truncated one.
  oversized() {
    this.viaTcp();
  }

  private settle(reusable: boolean) {
    if (this.settled) return false;
    this.settled = true;
    this.deadlines.cancel(this);
    this.pool.release(this.ps, reusable);
    return true;
  }

  private finish(r: UpstreamReply) {
    if (this.settle(r.ok)) this.owner.attemptDone(this.index, r);
  }

  private viaTcp() {
    if (!this.settle(true)) return;
    this.hooks.onTcpFallback?.();
    const { owner, index } = this;
    void askTcp(this.server, this.q, this.timeoutMs, this.hooks).then((r) => owner.attemptDone(index, r));
  }
}

/**
 * One question over UDP on a pooled socket reserved for it; `owner.attemptDone(index, ...)` is
 * called exactly once. A truncated answer is asked again over TCP. Until it settles, the attempt
 * is a node of `deadlines` with a `cancel` method: shutdown drains the queue and cancels each.
 */
export function askUdp(
  pool: UdpPool,
  server: UpstreamAddr,
  q: UpstreamQuestion,
  timeoutMs: number,
  hooks: AskHooks,
  deadlines: DeadlineQueue,
  owner: AttemptOwner,
  index: number,
): Cancellable {
  const a = new UdpAttempt(pool, pool.acquire(), server, q, timeoutMs, hooks, deadlines, owner, index);
  a.start();
  return a;
}

/** One question over a fresh TCP connection, two-byte length framing. */
export function askTcp(server: UpstreamAddr, q: UpstreamQuestion, timeoutMs: number, hooks: AskHooks = {}) {
  return new Promise<UpstreamReply>((resolve) => {
    const id = randomId();
    const query = buildUpstreamQuery(id, q);
    const frame = Buffer.alloc(2 + query.length);
    frame.writeUInt16BE(query.length, 0);
    query.copy(frame, 2);
    let settled = false;
    let chunks: Buffer = Buffer.alloc(0);
    const socket = net.connect({ host: server.address, port: server.port });
    const tracked: Cancellable = {
      cancel: () => finish({ ok: false, error: "network", detail: "forwarder closed" }),
    };
    const finish = (r: UpstreamReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      hooks.untrack?.(tracked);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ ok: false, error: "timeout", detail: `no TCP answer in ${timeoutMs} ms` }),
      timeoutMs,
    );
    hooks.track?.(tracked);
    socket.setNoDelay(true);
    socket.on("connect", () => socket.write(frame));
    socket.on("error", (err) => finish({ ok: false, error: "network", detail: `tcp: ${err.message}` }));
    socket.on("close", () => finish({ ok: false, error: "network", detail: "tcp: closed before an answer" }));
    socket.on("data", (data) => {
      chunks = Buffer.concat([chunks, data]);
      while (chunks.length >= 2) {
        const len = chunks.readUInt16BE(0);
        if (chunks.length < 2 + len) return;
        const msg = chunks.subarray(2, 2 + len);
        chunks = chunks.subarray(2 + len);
        const check = checkReply(msg, id, q);
        if (!check.ok) {
          hooks.onRejected?.(check.reason);
          continue;
        }
        finish({ ok: true, bytes: Buffer.from(msg), scan: check.scan, rcode: check.rcode, viaTcp: true });
        return;
      }
    });
  });
}
