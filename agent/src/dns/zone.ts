// Our own data: the local zone (static records + the agent's host table) and the hosts file.
// `lookup` decides, without I/O, whether we answer a question ourselves or forward it. Names inside
// the zone are never forwarded: an unknown one is NXDOMAIN from us, so VM names cannot leak out
// and an upstream cannot shadow them.
import type { LocalRecord } from "./answer";
import { RCODE_NOERROR, RCODE_NXDOMAIN } from "./answer";
import type { HostEntry } from "./hosts";
import { inZone, parseReverse } from "./names";
import { CLASS_IN, TYPE_A, TYPE_AAAA, TYPE_PTR, TYPE_SOA } from "./query";

const TYPE_ANY = 255;
const RCODE_REFUSED = 5;

export interface LocalTable {
  zone: string | undefined;
  /** Fully qualified zone names → IPv4 addresses (records and hosts merged, deduplicated). */
  zoneNames: Map<string, string[]>;
  /** Ancestors of zone names that own nothing themselves: NODATA, not NXDOMAIN (RFC 8020). */
  emptyNonTerminals: Set<string>;
  hostsFile: Map<string, string[]>;
  reverse: Map<string, string[]>;
  ttl: number;
  serial: number;
}

export interface TableInput {
  zone?: string;
  /** Already qualified into the zone. */
  zoneEntries: HostEntry[];
  hostsFileEntries: HostEntry[];
  ttl: number;
  serial: number;
}

function addTo(map: Map<string, string[]>, key: string, value: string) {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

export function buildTable(input: TableInput): LocalTable {
  const zoneNames = new Map<string, string[]>();
  const hostsFile = new Map<string, string[]>();
  const reverse = new Map<string, string[]>();
  const emptyNonTerminals = new Set<string>();
  const zone = input.zone;
  for (const e of input.zoneEntries) {
    if (!zone) break;
    addTo(zoneNames, e.name, e.ip);
    addTo(reverse, e.ip, e.name);
    for (let n = e.name; n !== zone && n.includes(".");) {
      n = n.slice(n.indexOf(".") + 1);
      if (n !== zone) emptyNonTerminals.add(n);
    }
  }
  for (const e of input.hostsFileEntries) {
    addTo(hostsFile, e.name, e.ip);
    addTo(reverse, e.ip, e.name);
  }
  for (const n of zoneNames.keys()) emptyNonTerminals.delete(n);
  return { zone, zoneNames, emptyNonTerminals, hostsFile, reverse, ttl: input.ttl, serial: input.serial };
}

export interface LocalAnswer {
  rcode: number;
  answers: LocalRecord[];
  authority: LocalRecord[];
}

export interface Question {
  key: string;
  qtype: number;
  qclass: number;
}

function soa(t: LocalTable, zone: string): LocalRecord {
  return {
    type: "SOA",
    name: zone,
    ttl: t.ttl,
    mname: `ns.${zone}`,
    rname: `hostmaster.${zone}`,
    serial: t.serial,
    minimum: t.ttl,
  };
}

const aRecords = (t: LocalTable, ips: string[]): LocalRecord[] =>
  ips.map((address) => ({ type: "A", ttl: t.ttl, address }));

function zoneAnswer(t: LocalTable, zone: string, q: Question): LocalAnswer {
  const negative = (rcode: number): LocalAnswer => ({ rcode, answers: [], authority: [soa(t, zone)] });
  if (q.qclass !== CLASS_IN) return { rcode: RCODE_REFUSED, answers: [], authority: [] };
  const ips = t.zoneNames.get(q.key);
  if (ips && (q.qtype === TYPE_A || q.qtype === TYPE_ANY))
    return { rcode: RCODE_NOERROR, answers: aRecords(t, ips), authority: [] };
  if (q.key === zone && q.qtype === TYPE_SOA)
    return { rcode: RCODE_NOERROR, answers: [soa(t, zone)], authority: [] };
  if (ips || q.key === zone || t.emptyNonTerminals.has(q.key)) return negative(RCODE_NOERROR);
  return negative(RCODE_NXDOMAIN);
}

/** Our answer, or undefined when the question is for the upstreams. */
export function lookup(t: LocalTable, q: Question): LocalAnswer | undefined {
  if (t.zone && inZone(q.key, t.zone)) return zoneAnswer(t, t.zone, q);
  if (q.qclass !== CLASS_IN) return undefined;
  const hosted = t.hostsFile.get(q.key);
  if (hosted) {
    if (q.qtype === TYPE_A || q.qtype === TYPE_ANY)
      return { rcode: RCODE_NOERROR, answers: aRecords(t, hosted), authority: [] };
    // Like dnsmasq: a hosts-file name has no IPv6 address rather than someone else's.
    if (q.qtype === TYPE_AAAA) return { rcode: RCODE_NOERROR, answers: [], authority: [] };
    return undefined;
  }
  if (q.qtype === TYPE_PTR) {
    const ip = parseReverse(q.key);
    const names = ip === undefined ? undefined : t.reverse.get(ip);
    if (names) {
      return {
        rcode: RCODE_NOERROR,
        answers: names.map((target) => ({ type: "PTR", ttl: t.ttl, target })),
        authority: [],
      };
    }
  }
  return undefined;
}
