// The batched UDP backend (udpio.ts): agent/native/udp, recvmmsg/sendmmsg driven by libuv. Every
// datagram that arrived in one turn of the event loop, on any of our sockets, comes in one call,
// and the answers given during that call leave together. Node's dgram costs more per datagram than
// everything the forwarder does with it (bench/dns/README.md).
// A received datagram's bytes are valid only until its handler returns (the area is reused for the
// next batch): whoever keeps them longer copies them.
import type * as dgram from "node:dgram";
import * as os from "node:os";
import type { Endpoint, UdpBackend } from "./udpio";

/** The addon's functions (agent/native/udp/module.c). */
export interface Native {
  init(data: Buffer, meta: Int32Array, onBatch: (count: number) => void): void;
  adopt(fd: number): number;
  open(family: 4 | 6, address: string, port: number): [number, number];
  send(id: number, bytes: Buffer): number;
  sendTo(id: number, bytes: Buffer, ip: number, port: number): void;
  close(id: number): void;
  BATCH: number;
  SLOT: number;
  META: number;
  FOREIGN: number;
  /** Socket slots: an id's low bits (id & (SOCKS - 1)) are its slot, the rest a generation. */
  SOCKS: number;
}

export interface NativeBackend extends UdpBackend {
  readonly kind: "batched";
  readonly native: Native;
  /** Calls into JavaScript and datagrams (or errors) delivered: how much batching happens. */
  readonly stats: { batches: number; datagrams: number };
}

const ERRNO = new Map(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));
export const errnoName = (n: number) => ERRNO.get(n) ?? `errno ${n}`;
const EMSGSIZE = os.constants.errno.EMSGSIZE;

let loaded: (NativeBackend & { file: string }) | undefined;

/** Loads the addon at `file` (once per process: it owns one receive area); throws if it cannot. */
export function loadNative(file: string): NativeBackend {
  if (loaded?.file === file) return loaded;
  const mod = { exports: {} as Native };
  process.dlopen(mod, file);
  if (loaded) throw new Error(`a UDP addon is loaded already, from ${loaded.file}`);
  const n = mod.exports;
  const data = Buffer.alloc(n.BATCH * n.SLOT);
  const meta = new Int32Array(n.BATCH * n.META);
  // By slot, checked against the full id: an array index per datagram, not a map lookup.
  const slotIds = new Int32Array(n.SOCKS).fill(-1);
  const slotEps: (Endpoint | undefined)[] = new Array<Endpoint | undefined>(n.SOCKS).fill(undefined);
  const mask = n.SOCKS - 1;
  const endpointOf = (id: number) => (slotIds[id & mask] === id ? slotEps[id & mask] : undefined);
  const setEndpoint = (id: number, ep: Endpoint) => {
    slotIds[id & mask] = id;
    slotEps[id & mask] = ep;
  };
  const ports = new Map<number, number>();
  const stats = { batches: 0, datagrams: 0 };

  const onBatch = (count: number) => {
    stats.batches++;
    stats.datagrams += count;
    for (let i = 0; i < count; i++) {
      const m = i * n.META;
      const ep = endpointOf(meta[m]!);
      // Closed since (its id is never reused within a batch): the datagram is moot.
      if (ep === undefined) continue;
      const len = meta[m + 1]!;
      const ip = meta[m + 3] === 4 ? meta[m + 4]! >>> 0 : 0;
      try {
        if (len >= 0) {
          const at = i * n.SLOT;
          ep.message(data.subarray(at, at + len), ip, meta[m + 2]!);
        } else if (len === n.FOREIGN) ep.foreign?.();
        else if (len === -EMSGSIZE) ep.oversized?.(ip);
        else ep.error(errnoName(-len));
      } catch (err) {
        process.stderr.write(`qvmd dns: udp handler failed: ${String(err)}\n`);
      }
    }
  };
  n.init(data, meta, onBatch);

  loaded = {
    file,
    kind: "batched",
    native: n,
    stats,
    adopt(socket: dgram.Socket, ep: Endpoint) {
      const id = n.adopt(fdOf(socket));
      setEndpoint(id, ep);
      socket.close();
      return id;
    },
    open(family: 4 | 6, address: string, port: number, ep: Endpoint) {
      const [id, local] = n.open(family, address, port);
      setEndpoint(id, ep);
      ports.set(id, local);
      return id;
    },
    localPort: (id: number) => ports.get(id) ?? 0,
    send(id: number, bytes: Buffer) {
      const err = n.send(id, bytes);
      return err === 0 ? undefined : errnoName(err);
    },
    sendTo: (id: number, bytes: Buffer, ip: number, port: number) => n.sendTo(id, bytes, ip | 0, port),
    close(id: number) {
      if (slotIds[id & mask] === id) {
        slotIds[id & mask] = -1;
        slotEps[id & mask] = undefined;
      }
      ports.delete(id);
      n.close(id);
    },
  };
  return loaded;
}

function fdOf(socket: dgram.Socket): number {
  // dgram has no public accessor for its descriptor; its state (Node 20) holds the libuv handle.
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === "state symbol");
  const fd = state && (socket as unknown as Record<symbol, { handle?: { fd?: number } }>)[state]?.handle?.fd;
  if (typeof fd !== "number" || fd < 0) throw new Error("cannot take over the UDP socket (no descriptor)");
  return fd;
}
