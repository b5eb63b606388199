// The fallback UDP backend (udpio.ts): Node's dgram, one system call and one event per datagram.
// Used when the batched addon cannot load, so that a forwarder still answers, only slower. Same
// contract as the batched backend: a connected socket reports datagrams from anyone but its peer
// as foreign (the kernel already drops them; checked again here), sends wait for the connect.
import * as dgram from "node:dgram";
import * as net from "node:net";
import { ipv4Number, ipv4String } from "./udpaddr";
import type { Endpoint, UdpBackend } from "./udpio";

interface Entry {
  socket: dgram.Socket;
  ready: boolean;
  pending: Buffer[];
  ep: Endpoint;
}

const RECV_BUFFER = 4 * 1024 * 1024;
const ignore = () => undefined;

const codeOf = (err: Error) => (err as NodeJS.ErrnoException).code ?? "EIO";

export function dgramBackend(): UdpBackend {
  const entries = new Map<number, Entry>();
  let next = 1;
  const add = (socket: dgram.Socket, ep: Endpoint, ready: boolean) => {
    const id = next++;
    entries.set(id, { socket, ready, pending: [], ep });
    socket.on("error", (err) => {
      if (entries.has(id)) ep.error(codeOf(err));
    });
    return id;
  };
  return {
    kind: "dgram",
    adopt(socket: dgram.Socket, ep: Endpoint) {
      try {
        socket.setRecvBufferSize(RECV_BUFFER);
      } catch {
        // Capped by net.core.rmem_max; the default still works, it just drops earlier in a burst.
      }
      socket.on("message", (msg, r) => ep.message(msg, ipv4Number(r.address), r.port));
      return add(socket, ep, true);
    },
    open(family: 4 | 6, address: string, port: number, ep: Endpoint) {
      if ((family === 4 ? !net.isIPv4(address) : !net.isIPv6(address)) || port < 1 || port > 65535)
        throw new RangeError("bad upstream address");
      const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
      const id = add(socket, ep, false);
      const same = (a: string) => a === address || a === `::ffff:${address}`;
      socket.on("message", (msg, r) => {
        if (!same(r.address) || r.port !== port) ep.foreign?.();
        else ep.message(msg, ipv4Number(r.address), r.port);
      });
      // Port 0: the kernel picks a random free ephemeral port (RFC 5452 §9.2).
      socket.bind(0, () => {
        if (!entries.has(id)) return; // closed meanwhile
        socket.connect(port, address, (err?: Error) => {
          const e = entries.get(id);
          if (!e) return;
          if (err) return ep.error(codeOf(err));
          e.ready = true;
          for (const p of e.pending.splice(0)) socket.send(p);
        });
      });
      return id;
    },
    localPort(id: number) {
      try {
        return entries.get(id)?.socket.address().port ?? 0;
      } catch {
        return 0; // not bound yet
      }
    },
    send(id: number, bytes: Buffer) {
      const e = entries.get(id);
      if (!e) return "EBADF";
      if (e.ready) e.socket.send(bytes);
      else e.pending.push(Buffer.from(bytes));
      return undefined;
    },
    sendTo(id: number, bytes: Buffer, ip: number, port: number) {
      entries.get(id)?.socket.send(bytes, port, ipv4String(ip), ignore);
    },
    close(id: number) {
      const e = entries.get(id);
      if (!e) return;
      entries.delete(id);
      try {
        e.socket.close();
      } catch {
        // Already closed.
      }
    },
  };
}
