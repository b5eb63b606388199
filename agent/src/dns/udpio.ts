// The forwarder's UDP: the listening socket qvmd hands over and the pooled upstream sockets. Only
// bytes move through here; what they mean is decided by the TypeScript around it. Two backends
// with one contract:
// * batched (udpnative.ts, agent/native/udp): recvmmsg/sendmmsg, one call into JavaScript per turn
//   of the event loop for every datagram that arrived, answers leaving together;
// * dgram (udpdgram.ts): Node's own, when the addon cannot load (said once in the log), or when
//   QVMD_DNS_UDP=dgram asks for it (tests, and an operator's way around a faulty addon).
// A received datagram's bytes are valid only until its handler returns: keep a copy, not them.
import type * as dgram from "node:dgram";
import { BUNDLED } from "@pulumi-qemu/api/bundle";
import { assets } from "../assets";
import { dgramBackend } from "./udpdgram";
export { ipv4String } from "./udpaddr";
import { loadNative } from "./udpnative";

export interface Endpoint {
  /** A datagram; `ip` is the IPv4 source as an unsigned integer (0 for IPv6 sources). */
  message(bytes: Buffer, ip: number, port: number): void;
  /** The socket reported an error (errno code, e.g. ECONNREFUSED after an ICMP refusal). */
  error(code: string): void;
  /** A datagram from someone other than the peer a connected socket talks to. */
  foreign?(): void;
  /** A datagram larger than we read (a query never is; an upstream answer should not be). */
  oversized?(ip: number): void;
}

export type UdpKind = "batched" | "dgram";

export interface UdpBackend {
  readonly kind: UdpKind;
  /** Takes over a bound dgram socket (qvmd's, handed over); returns its id. */
  adopt(socket: dgram.Socket, ep: Endpoint): number;
  /** A socket on a kernel-chosen random port connected to address:port. Throws when it cannot. */
  open(family: 4 | 6, address: string, port: number, ep: Endpoint): number;
  /** The local port of an opened socket (0 while not yet known). */
  localPort(id: number): number;
  /**
   * Sends on a connected socket: undefined, or the errno code it failed with at once. The batched
   * backend sends what is asked during a batch when the batch is done (the upstream is woken once
   * for many queries); a failure then comes as the endpoint's `error`.
   */
  send(id: number, bytes: Buffer): string | undefined;
  /** An answer to an IPv4 client; errors are not reported (a lost answer is a client retry). */
  sendTo(id: number, bytes: Buffer, ip: number, port: number): void;
  close(id: number): void;
}

export interface UdpChoice {
  /** QVMD_DNS_UDP: "dgram" forces the fallback; anything else tries the addon first. */
  wanted: string | undefined;
  load: () => UdpBackend;
  fallback: () => UdpBackend;
  log: (line: string) => void;
}

/** The addon when it loads, else dgram with one log line saying why. */
export function chooseUdp(c: UdpChoice): UdpBackend {
  if (c.wanted === "dgram") return c.fallback();
  try {
    return c.load();
  } catch (err) {
    const hint = BUNDLED ? "it ships beside qvmd" : "make build builds it";
    c.log(
      `qvmd dns: the batched UDP addon cannot load (${(err as Error).message}; ${hint}): ` +
        "falling back to Node's dgram, which answers fewer queries per second",
    );
    return c.fallback();
  }
}

let backend: UdpBackend | undefined;

/** The process's backend, chosen on first use (the forwarder process does it before dropping privileges). */
export function udpReady(): UdpBackend {
  return (backend ??= chooseUdp({
    wanted: process.env.QVMD_DNS_UDP,
    load: () => loadNative(assets.udpAddon),
    fallback: dgramBackend,
    log: (line) => process.stderr.write(`${line}\n`),
  }));
}

export const adoptUdp = (socket: dgram.Socket, ep: Endpoint) => udpReady().adopt(socket, ep);
export const openUdp = (family: 4 | 6, address: string, port: number, ep: Endpoint) =>
  udpReady().open(family, address, port, ep);
export const udpLocalPort = (id: number) => udpReady().localPort(id);
export const sendUdp = (id: number, bytes: Buffer) => udpReady().send(id, bytes);
export const sendUdpTo = (id: number, bytes: Buffer, ip: number, port: number) =>
  udpReady().sendTo(id, bytes, ip, port);
export const closeUdp = (id: number) => backend?.close(id);
