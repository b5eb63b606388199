// Upstream addresses and resolv.conf(5), parsed without I/O.
import { isIPv4, isIPv6 } from "node:net";

export const SYSTEMD_STUB = "127.0.0.53";
export const SYSTEMD_STUB_FILE = "/run/systemd/resolve/stub-resolv.conf";
export const ETC_RESOLV_CONF = "/etc/resolv.conf";

export interface UpstreamAddr {
  address: string;
  port: number;
  family: 4 | 6;
  /** address:port, stable across updates: per-upstream health is keyed by it. */
  key: string;
}

/** Accepts `a.b.c.d`, `a.b.c.d:port`, `::1`, `[::1]:port`. Returns a reason when it cannot. */
export function parseUpstream(s: string): UpstreamAddr | string {
  let host = s.trim();
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (/^[^:]+:\d+$/.test(host)) {
    const i = host.lastIndexOf(":");
    port = Number(host.slice(i + 1));
    host = host.slice(0, i);
  }
  const family = isIPv4(host) ? 4 : isIPv6(host) ? 6 : 0;
  if (family === 0) return `"${s}" is not an IP address with an optional :port`;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `"${s}" has a port outside 1-65535`;
  const key = family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return { address: host, port, family, key };
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  /** Lines we could not use, with why: surfaced in upstream health instead of failing. */
  ignored: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], ignored: [] };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const [keyword, ...args] = line.split(/\s+/);
    if (keyword === "nameserver") {
      // Like glibc, only the first word counts; anything after it is ignored.
      const addr = args[0] ?? "";
      // A scoped IPv6 address (fe80::1%eth0) needs an interface we do not track.
      if (addr.includes("%") || !(isIPv4(addr) || isIPv6(addr))) out.ignored.push(`nameserver "${addr}"`);
      else if (!out.nameservers.includes(addr)) out.nameservers.push(addr);
    } else if (keyword === "search" || keyword === "domain") {
      out.search = args.filter((a) => !a.startsWith("#") && !a.startsWith(";"));
    }
  }
  return out;
}

/**
 * The host's resolver as seen from the root namespace: when /etc/resolv.conf points at
 * systemd-resolved's stub and the stub is really there, ask the stub (it knows per-link and VPN
 * routing); otherwise use the listed nameservers, minus a stub that is not running.
 */
export function chooseAutoUpstreams(etc: ResolvConf, stubFileExists: boolean): string[] {
  if (etc.nameservers.includes(SYSTEMD_STUB) && stubFileExists) return [SYSTEMD_STUB];
  return etc.nameservers.filter((n) => n !== SYSTEMD_STUB);
}
