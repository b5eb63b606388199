// The sockets clients talk to: one UDP socket and one TCP listener on the same address and port,
// nothing else. TCP follows RFC 7766: two-byte length framing, several (pipelined) queries per
// connection, answers in completion order, connections closed when idle or misbehaving.
import * as dgram from "node:dgram";
import * as net from "node:net";
import { MAX_QUERY } from "./query";

export interface Handler {
  /** Cheap source checks; false drops the datagram/connection/frame. */
  admit(source: string, transport: "udp" | "tcp", newConnection: boolean): boolean;
  /**
   * Calls `respond` once (at once or later) with the answer and returns true, or returns false
   * when the query is dropped: `respond` is then never called.
   */
  answer(packet: Buffer, transport: "udp" | "tcp", respond: (out: Buffer) => void): boolean;
  onMalformed(): void;
  onOverload(): void;
}

export interface Listener {
  address: string;
  port: number;
  setIdleTimeout(ms: number): void;
  close(): Promise<void>;
}

const MAX_TCP_CONNECTIONS = 256;
const MAX_PENDING_PER_CONNECTION = 64;
const RECV_BUFFER = 4 * 1024 * 1024;
// A lost answer is a client retry; failures to send are not worth an error event (and a log line).
const ignoreSendError = () => undefined;

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

export async function listen(
  address: string,
  port: number,
  handler: Handler,
  idleMs: number,
): Promise<Listener> {
  const connections = new Set<net.Socket>();
  let idleTimeout = idleMs;
  const tcp = net.createServer({ noDelay: true }, (conn) => {
    const source = conn.remoteAddress ?? "";
    if (!handler.admit(source, "tcp", true)) {
      conn.destroy();
      return;
    }
    connections.add(conn);
    conn.on("close", () => connections.delete(conn));
    conn.on("error", () => conn.destroy());
    conn.setTimeout(idleTimeout, () => conn.destroy());
    let buffered = Buffer.alloc(0);
    let pending = 0;
    conn.on("data", (data) => {
      buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (len < 12 || len > MAX_QUERY) {
          handler.onMalformed();
          conn.destroy();
          return;
        }
        if (buffered.length < 2 + len) break;
        const frame = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        if (!handler.admit(source, "tcp", false)) continue;
        if (pending >= MAX_PENDING_PER_CONNECTION) {
          handler.onOverload();
          continue;
        }
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
    });
  });
  tcp.maxConnections = MAX_TCP_CONNECTIONS;

  // Port 0 means "any": take the UDP port the kernel picked and claim the same one for TCP.
  let udp: dgram.Socket | undefined;
  for (let attempt = 0; ; attempt++) {
    udp = await bindUdp(address, port);
    try {
      await listenTcp(tcp, address, udp.address().port);
      break;
    } catch (err) {
      udp.close();
      if (port !== 0 || attempt >= 10) throw err;
    }
  }
  const boundUdp = udp;
  try {
    boundUdp.setRecvBufferSize(RECV_BUFFER);
  } catch {
    // Capped by net.core.rmem_max; the default still works, it just drops earlier in a burst.
  }
  boundUdp.on("error", (err) => process.stderr.write(`qvmd dns: udp socket error: ${err.message}\n`));
  let closed = false;
  boundUdp.on("message", (msg, rinfo) => {
    if (!handler.admit(rinfo.address, "udp", false)) return;
    const respond = (out: Buffer) => {
      if (!closed) boundUdp.send(out, rinfo.port, rinfo.address, ignoreSendError);
    };
    try {
      handler.answer(msg, "udp", respond);
    } catch (err) {
      process.stderr.write(`qvmd dns: udp handler failed: ${String(err)}\n`);
    }
  });

  return {
    address,
    port: boundUdp.address().port,
    setIdleTimeout(ms) {
      idleTimeout = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const c of connections) c.destroy();
        let open = 2;
        const one = () => --open === 0 && resolve();
        tcp.close(one);
        boundUdp.close(one);
      }),
  };
}
