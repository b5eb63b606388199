// The sockets clients talk to: one UDP socket and one TCP listener on the same address and port,
// nothing else. TCP follows RFC 7766: two-byte length framing, several (pipelined) queries per
// connection, answers in completion order, connections closed when idle or misbehaving.
// A client over its rate limit, or with too many queries pending, never loses one: over UDP it is
// told to use TCP (TC), and over TCP its connection simply stops being read until it may go on.
import * as dgram from "node:dgram";
import * as net from "node:net";
import { MAX_QUERY } from "./query";
import { adoptUdp, closeUdp, ipv4String, sendUdpTo } from "./udpio";

export interface Handler {
  /** A datagram or TCP frame arrived (before any check). */
  received(): void;
  /** The allow-list; false drops the datagram or connection. */
  allows(source: string): boolean;
  /** Takes a token of `source`'s rate limit: 0, or how many ms until one is there (none taken). */
  take(source: string): number;
  /**
   * Calls `respond` once (at once or later) with the answer and returns true, or returns false
   * when the query is dropped: `respond` is then never called.
   */
  answer(packet: Buffer, transport: "udp" | "tcp", respond: (out: Buffer) => void): boolean;
  /** A UDP query over its limit: a truncated answer (same contract as `answer`). */
  truncated(packet: Buffer, respond: (out: Buffer) => void): boolean;
  onMalformed(): void;
}

export interface Listener {
  address: string;
  port: number;
  setIdleTimeout(ms: number): void;
  close(): Promise<void>;
}

const MAX_TCP_CONNECTIONS = 256;
const MAX_PENDING_PER_CONNECTION = 64;

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: "udp4" });
    s.once("error", reject);
    s.bind({ address, port, exclusive: true }, () => {
      s.off("error", reject);
      resolve(s);
    });
  });
}

function listenTcp(server: net.Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** A UDP socket and a TCP listener bound to the same address and port. */
export interface Bound {
  udp: dgram.Socket;
  tcp: net.Server;
}

/** Binds both; port 0 takes the UDP port the kernel picked and claims the same one for TCP. */
export async function bindSockets(address: string, port: number): Promise<Bound> {
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(address, port);
    const tcp = net.createServer();
    try {
      await listenTcp(tcp, address, udp.address().port);
      return { udp, tcp };
    } catch (err) {
      udp.close();
      if (port !== 0 || attempt >= 10) throw err;
    }
  }
}

export async function listen(
  address: string,
  port: number,
  handler: Handler,
  idleMs: number,
): Promise<Listener> {
  return serve(await bindSockets(address, port), handler, idleMs);
}

/** Serves on sockets bound here or elsewhere (qvmd binds them and hands them over: remote.ts). */
export function serve(bound: Bound, handler: Handler, idleMs: number): Listener {
  const { tcp, udp: boundUdp } = bound;
  const connections = new Set<net.Socket>();
  let idleTimeout = idleMs;
  tcp.on("connection", (conn: net.Socket) => {
    conn.setNoDelay(true);
    const source = conn.remoteAddress ?? "";
    if (!handler.allows(source)) {
      conn.destroy();
      return;
    }
    connections.add(conn);
    let wait: NodeJS.Timeout | undefined;
    conn.on("close", () => {
      connections.delete(conn);
      clearTimeout(wait);
    });
    conn.on("error", () => conn.destroy());
    conn.setTimeout(idleTimeout, () => conn.destroy());
    let buffered = Buffer.alloc(0);
    let pending = 0;
    let paused = false;
    let pumping = false;
    // Frames are taken off `buffered` only when they may be served; otherwise reading pauses (the
    // client's kernel then holds its queries) until an answer frees a slot or a token is due.
    const pump = () => {
      if (pumping) return;
      pumping = true;
      try {
        drain();
      } finally {
        pumping = false;
      }
    };
    const drain = () => {
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (len < 12 || len > MAX_QUERY) {
          handler.onMalformed();
          conn.destroy();
          return;
        }
        if (buffered.length < 2 + len) break;
        if (pending >= MAX_PENDING_PER_CONNECTION) return hold();
        const ms = handler.take(source);
        if (ms > 0) {
          wait = setTimeout(() => {
            wait = undefined;
            pump();
          }, Math.ceil(ms));
          return hold();
        }
        handler.received();
        const frame = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        pending++;
        let answered = false;
        const respond = (out: Buffer) => {
          if (answered) return;
          answered = true;
          pending--;
          if (conn.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length, 0);
          conn.write(Buffer.concat([head, out]));
          if (paused && wait === undefined) pump();
        };
        let accepted = false;
        try {
          accepted = handler.answer(frame, "tcp", respond);
        } catch (err) {
          process.stderr.write(`qvmd dns: tcp handler failed: ${String(err)}\n`);
        }
        // A dropped query never responds; it must not hold a pending slot either.
        if (!accepted && !answered) {
          answered = true;
          pending--;
        }
      }
      if (paused && !conn.destroyed) {
        paused = false;
        conn.resume();
      }
    };
    const hold = () => {
      if (!paused) {
        paused = true;
        conn.pause();
      }
    };
    conn.on("data", (data) => {
      buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data]);
      if (!paused) pump();
    });
  });
  tcp.maxConnections = MAX_TCP_CONNECTIONS;

  // The UDP socket moves to udpio.ts (batched reads and answers, or Node's dgram as a fallback).
  const local = boundUdp.address();
  let closed = false;
  const udp = adoptUdp(boundUdp, {
    message(msg, ip, port) {
      handler.received();
      const source = ipv4String(ip);
      if (!handler.allows(source)) return;
      const respond = (out: Buffer) => {
        if (!closed) sendUdpTo(udp, out, ip, port);
      };
      if (handler.take(source) === 0) handler.answer(msg, "udp", respond);
      else handler.truncated(msg, respond);
    },
    oversized(ip) {
      handler.received();
      if (handler.allows(ipv4String(ip))) handler.onMalformed();
    },
    error: (code) => process.stderr.write(`qvmd dns: udp socket error: ${code}\n`),
  });
  return {
    address: local.address,
    port: local.port,
    setIdleTimeout(ms) {
      idleTimeout = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const c of connections) c.destroy();
        closeUdp(udp);
        tcp.close(() => resolve());
      }),
  };
}
