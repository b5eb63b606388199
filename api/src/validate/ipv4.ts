// Pure IPv4 arithmetic, shared by the provider, the agent and its DNS library. Addresses are
// unsigned 32-bit numbers; no I/O here.

export interface Cidr {
  network: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIp(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/p". Returns a reason string instead of throwing, for per-property errors. */
export function parseCidr(s: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (!m) return `"${s}" is not in a.b.c.d/prefix form`;
  const ip = parseIp(m[1]!);
  const prefix = Number(m[2]);
  if (ip === undefined) return `"${m[1]}" is not an IPv4 address`;
  if (prefix > 32) return `prefix /${prefix} is longer than 32`;
  const network = (ip & maskOf(prefix)) >>> 0;
  if (network !== ip) return `"${s}" has host bits set; the network is ${formatIp(network)}/${prefix}`;
  return { network, prefix };
}

export const formatCidr = (c: Cidr) => `${formatIp(c.network)}/${c.prefix}`;
export const broadcastOf = (c: Cidr) => (c.network | ~maskOf(c.prefix)) >>> 0;
export const firstHost = (c: Cidr) => c.network + 1;
export const lastHost = (c: Cidr) => broadcastOf(c) - 1;
export const contains = (c: Cidr, ip: number) => (ip & maskOf(c.prefix)) >>> 0 === c.network;
export const isHost = (c: Cidr, ip: number) => contains(c, ip) && ip !== c.network && ip !== broadcastOf(c);

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.network & maskOf(p)) >>> 0 === (b.network & maskOf(p)) >>> 0;
}

const PRIVATE: Cidr[] = [
  { network: parseIp("10.0.0.0")!, prefix: 8 },
  { network: parseIp("172.16.0.0")!, prefix: 12 },
  { network: parseIp("192.168.0.0")!, prefix: 16 },
];

/** True when the whole CIDR lies inside one RFC 1918 block. */
export const isPrivate = (c: Cidr) => PRIVATE.some((p) => p.prefix <= c.prefix && overlaps(p, c));
