// IPv4 addresses as the UDP backends pass them (udpio.ts): unsigned integers, not strings, so the
// batched path allocates nothing per datagram for them.
import * as net from "node:net";

const dotted = new Map<number, string>();
// Consecutive datagrams mostly come from the same client: that one needs no map lookup.
let lastIp = -1;
let lastString = "";

/** a.b.c.d of an address from a datagram, remembered: few distinct clients talk to a forwarder. */
export function ipv4String(ip: number): string {
  if (ip === lastIp) return lastString;
  let s = dotted.get(ip);
  if (s === undefined) {
    s = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
    if (dotted.size >= 4096) dotted.clear();
    dotted.set(ip, s);
  }
  lastIp = ip;
  lastString = s;
  return s;
}

/** a.b.c.d (or ::ffff:a.b.c.d) as an unsigned integer; 0 for anything else (an IPv6 source). */
export function ipv4Number(address: string): number {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (!net.isIPv4(v4)) return 0;
  const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}
