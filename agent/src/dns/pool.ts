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
import * as dgram from "node:dgram";
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

export type Receiver = (msg: Buffer, rinfo: dgram.RemoteInfo) => void;

/** One socket of a pool. `receiver`/`onError` are set only while a query is in flight on it. */
export class PooledSocket {
  receiver: Receiver | undefined = undefined;
  onError: ((err: Error) => void) | undefined = undefined;
  uses = 0;
  /** Local port, once bound (for tests and diagnostics). */
  port = 0;
  busy = false;
  /** An error was seen on it: it is retired at release. */
  broken = false;
  /** Closed (retired). */
  dead = false;
  private ready = false;
  private pending: Buffer | undefined = undefined;

  constructor(
    readonly socket: dgram.Socket,
    readonly limit: number,
  ) {}

  send(packet: Buffer) {
    if (this.ready) this.socket.send(packet);
    else this.pending = packet;
  }

  /** Forgets the query that was on it (a datagram not yet sent is not sent). */
  reset() {
    this.busy = false;
    this.receiver = undefined;
    this.onError = undefined;
    this.pending = undefined;
  }

  /** @internal */
  connected() {
    this.ready = true;
    this.port = this.socket.address().port;
    const p = this.pending;
    this.pending = undefined;
    if (p && this.busy) this.socket.send(p);
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
    for (let i = 0; i < opts.idle && this.open < opts.maxSockets; i++) this.idleList.push(this.create());
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
      ps = this.idleList[i]!;
      this.idleList.splice(i, 1);
    } else {
      ps = this.create();
    }
    ps.busy = true;
    ps.uses++;
    // Keep enough sockets ready that the next choice is still a real one.
    if (this.idleList.length < this.opts.idle && this.open < this.opts.maxSockets && !this.closed)
      this.idleList.push(this.create());
    return ps;
  }

  /** The query on `ps` is over. `reusable` false (timeout, error, cancel) retires the socket. */
  release(ps: PooledSocket, reusable: boolean) {
    ps.reset();
    if (!reusable || ps.broken || ps.uses >= ps.limit || this.closed || this.open > this.opts.maxSockets) {
      this.destroy(ps);
      if (!this.closed && this.idleList.length < this.opts.idle && this.open < this.opts.maxSockets)
        this.idleList.push(this.create());
      return;
    }
    this.idleList.push(ps);
  }

  /** Closes the idle sockets now; busy ones close when released. */
  close() {
    this.closed = true;
    for (const ps of this.idleList.splice(0)) this.destroy(ps);
  }

  private create(): PooledSocket {
    const socket = dgram.createSocket(this.server.family === 6 ? "udp6" : "udp4");
    const ps = new PooledSocket(socket, 1 + randomBelow(this.opts.maxUses));
    this.open++;
    socket.on("message", (msg, rinfo) => {
      if (ps.receiver) ps.receiver(msg, rinfo);
      else this.onStray();
    });
    socket.on("error", (err) => {
      ps.broken = true;
      if (ps.onError) ps.onError(err);
      else if (!ps.busy) this.retireIdle(ps);
    });
    // Port 0: the kernel picks a random free ephemeral port.
    socket.bind(0, () => {
      // Retired (pool closed) before the bind completed: the socket is closed already.
      if (ps.dead) return;
      socket.connect(this.server.port, this.server.address, (err?: Error) => {
        if (ps.dead) return;
        if (err) socket.emit("error", err);
        else ps.connected();
      });
    });
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
    try {
      ps.socket.close();
    } catch {
      // Already closed.
    }
  }
}
