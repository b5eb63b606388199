// Upstream UDP sockets, opened ahead of time and rotated (RFC 5452 §9.2, §10). Opening, binding,
// connecting and closing a socket for every upstream query was the forwarder's largest cost; here
// each upstream gets a pool of sockets connected to it, each bound by the kernel to a random
// ephemeral port. The rules that keep (ID, port) unpredictable:
// * a socket carries at most ONE query at a time: it leaves the idle list while a query is in
//   flight and only comes back once that query is over (answered, or its socket retired);
// * the socket for a query is drawn with the CSPRNG among the longest-idle half of the idle list,
//   so a just-released socket is never the next one picked and no order can be predicted;
// * every socket is closed after a random number of queries (1..maxUses), and after any timeout
//   or error, and replaced by a fresh one on a fresh random port, so the port set keeps moving;
// * the pool keeps at least `idle` sockets ready, so the choice is never between one or two.
// The socket is connected: the kernel drops datagrams from any other address or port and reports
// ICMP refusals; the caller checks the source again anyway, plus ID and question.
import { closeUdp, openUdp, sendUdp, udpLocalPort } from "./udpio";
import { randomBelow } from "./upstreamwire";

export interface PoolOptions {
  /** Sockets kept open and idle, ready for a query. */
  idle: number;
  /** Each socket is retired after a random number of queries in [1, maxUses]. */
  maxUses: number;
  /** Open sockets at most; beyond it a query gets a one-shot socket, closed after it. */
  maxSockets: number;
}

export const DEFAULT_POOL: PoolOptions = { idle: 64, maxUses: 32, maxSockets: 2048 };

/** The query on a socket: one object with methods, not three closures per query. */
export interface SocketUser {
  /** A datagram from the server; its bytes are valid only during the call. */
  received(msg: Buffer): void;
  failed(err: Error): void;
  /** A datagram from the server too large to read whole (we ask for 1232 bytes at most). */
  oversized(): void;
}

/** One socket of a pool. `user` is set only while a query is in flight on it. */
export class PooledSocket {
  user: SocketUser | undefined = undefined;
  uses = 0;
  busy = false;
  /** An error was seen on it: it is retired at release. */
  broken = false;
  /** Closed (retired). */
  dead = false;
  /** The socket (udpio.ts); -1 when opening it failed. */
  id = -1;

  /** Local port (for tests and diagnostics); 0 when the socket could not be opened. */
  get port(): number {
    return this.id < 0 ? 0 : udpLocalPort(this.id);
  }

  constructor(readonly limit: number) {}

  send(packet: Buffer) {
    const code = this.id < 0 ? "ENOTCONN" : sendUdp(this.id, packet);
    // Reported later, never from inside send: the caller is still setting its query up.
    if (code !== undefined) queueMicrotask(() => this.fail(new Error(`upstream socket: ${code}`)));
  }

  /** Forgets the query that was on it. */
  reset() {
    this.busy = false;
    this.user = undefined;
  }

  /** @internal */
  fail(err: Error) {
    this.broken = true;
    this.user?.failed(err);
  }
}

export class UdpPool {
  private readonly idleList: PooledSocket[] = [];
  private open = 0;
  private closed = false;

  constructor(
    readonly server: { address: string; port: number; family: 4 | 6 },
    private readonly opts: PoolOptions = DEFAULT_POOL,
    /** A datagram arrived on a socket with no query in flight (late or forged). */
    private readonly onStray: () => void = () => undefined,
  ) {
    this.refill();
  }

  /** Open sockets (idle and busy). */
  get size() {
    return this.open;
  }

  get idle() {
    return this.idleList.length;
  }

  /** A socket with no query in flight, now reserved for the caller's one query. */
  acquire(): PooledSocket {
    let ps: PooledSocket;
    const n = this.idleList.length;
    if (n > 0) {
      // Among the longest-idle half: unpredictable, and never the socket just released.
      const i = randomBelow(Math.ceil(n / 2));
      const list = this.idleList;
      ps = list[i]!;
      // Shifted by hand: splice allocates an array for what it removes, once per query.
      for (let j = i + 1; j < n; j++) list[j - 1] = list[j]!;
      list.length = n - 1;
    } else {
      ps = this.create();
    }
    ps.busy = true;
    ps.uses++;
    this.refill();
    return ps;
  }

  /** The query on `ps` is over. `reusable` false (timeout, error, cancel) retires the socket. */
  release(ps: PooledSocket, reusable: boolean) {
    ps.reset();
    if (!reusable || ps.broken || ps.uses >= ps.limit || this.closed || this.open > this.opts.maxSockets) {
      this.destroy(ps);
      this.refill();
      return;
    }
    this.idleList.push(ps);
  }

  /** Closes the idle sockets now; busy ones close when released. */
  close() {
    this.closed = true;
    for (const ps of this.idleList.splice(0)) this.destroy(ps);
  }

  /** Keeps enough sockets ready that the next choice is still a real one. */
  private refill() {
    while (!this.closed && this.idleList.length < this.opts.idle && this.open < this.opts.maxSockets) {
      const ps = this.create();
      // Cannot open one now (out of descriptors?): the next query tries again.
      if (ps.broken) return this.destroy(ps);
      this.idleList.push(ps);
    }
  }

  private create(): PooledSocket {
    const ps = new PooledSocket(1 + randomBelow(this.opts.maxUses));
    this.open++;
    try {
      ps.id = openUdp(this.server.family, this.server.address, this.server.port, {
        message: (msg) => {
          if (ps.user) ps.user.received(msg);
          else this.onStray();
        },
        // Not from the server (the kernel already filters a connected socket; checked again).
        foreign: () => this.onStray(),
        oversized: () => (ps.user ? ps.user.oversized() : this.onStray()),
        error: (code) => {
          ps.fail(new Error(`upstream socket: ${code}`));
          if (!ps.busy) this.retireIdle(ps);
        },
      });
    } catch {
      // No socket (out of descriptors, no route): a query on it fails at once, as a network error.
      ps.broken = true;
    }
    return ps;
  }

  private retireIdle(ps: PooledSocket) {
    const i = this.idleList.indexOf(ps);
    if (i >= 0) this.idleList.splice(i, 1);
    this.destroy(ps);
  }

  private destroy(ps: PooledSocket) {
    if (ps.dead) return;
    ps.dead = true;
    this.open--;
    if (ps.id >= 0) closeUdp(ps.id);
  }
}
