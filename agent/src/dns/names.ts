// Domain-name helpers for names we are configured with (not names from packets). Pure.
import type { DnsErrorCode } from "./errors";
import { parseIp } from "@pulumi-qemu/api/validate";

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lowercase, without the trailing dot: the form every lookup key takes. */
export const normalizeName = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");

/** A host-style name: LDH (plus `_`) labels of 1-63 characters, 253 characters at most. */
export function isDomainName(name: string): boolean {
  const n = normalizeName(name);
  return n.length > 0 && n.length <= 253 && n.split(".").every((l) => LABEL.test(l));
}

export const inZone = (fqdn: string, zone: string) => fqdn === zone || fqdn.endsWith("." + zone);

/**
 * Places a configured name in the zone: `web` and `@` are relative, `web.dev.internal` (with or
 * without the trailing dot) is absolute and must lie inside the zone. Multi-label names that do not
 * end in the zone are refused rather than guessed at.
 */
export function qualify(name: string, zone: string): string | { code: DnsErrorCode; reason: string } {
  const n = normalizeName(name);
  if (n === "@") return zone;
  if (!isDomainName(n)) return { code: "DNS_BAD_RECORD", reason: `"${name}" is not a domain name` };
  if (inZone(n, zone)) return n;
  if (!n.includes(".")) {
    const fqdn = `${n}.${zone}`;
    return fqdn.length <= 253 ? fqdn : { code: "DNS_BAD_RECORD", reason: `"${fqdn}" is longer than 253` };
  }
  return { code: "DNS_RECORD_OUTSIDE_ZONE", reason: `"${name}" is not inside the zone "${zone}"` };
}

/** 192.168.71.10 → 10.71.168.192.in-addr.arpa */
export const reverseName = (ip: string) => `${ip.split(".").reverse().join(".")}.in-addr.arpa`;

/** The IPv4 address a full in-addr.arpa key names, or undefined (partial names, IPv6, garbage). */
export function parseReverse(key: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(key);
  if (!m) return undefined;
  const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
  return parseIp(ip) === undefined ? undefined : ip;
}
