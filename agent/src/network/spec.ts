// Pure validation of a network spec: defaults, per-property violations, conflicts with other
// networks and host routes. The manager (manager.ts) gathers the facts and calls in here.
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { resources } from "@pulumi-qemu/api";
import { parseRequest, parseShape } from "../errors";
import { HOST_VETH_PATTERN, ID_PATTERN, IFNAME_MAX, names } from "../constants";
import {
  type Cidr,
  type Violation,
  firstHost,
  formatCidr,
  formatIp,
  isHost,
  isHostName,
  isPrivate,
  isUnicastMac,
  lastHost,
  normalizeMac,
  overlaps,
  parseCidr,
  parseIp,
} from "@pulumi-qemu/api/validate";

/** Shape of a spec on the wire. Bounds are generous but finite: the caller may be hostile. */
export const networkSpecShape = z.object({
  id: z.string().max(64),
  cidr: z.string().max(64),
  gateway: z.string().max(64).default(""),
  dhcp: z
    .object({
      enabled: z.boolean().default(false),
      range_start: z.string().max(64).default(""),
      range_end: z.string().max(64).default(""),
      lease_time_seconds: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .default(0),
      reservations: z
        .array(
          z.object({
            mac: z.string().max(64),
            ip: z.string().max(64),
            hostname: z.string().max(253).default(""),
          }),
        )
        .max(4096)
        .default([]),
    })
    .nullable()
    .default(null),
  nat: z.boolean().default(false),
  isolated: z.boolean().default(false),
  mtu: z.number().int().min(0).max(65535).default(0),
  owner: z.string().max(1024).default(""),
}) satisfies z.ZodType<wire.NetworkSpec__Output>;
export type NetworkSpecInput = z.input<typeof networkSpecShape>;
/** A spec as parsed (defaults filled in): what the state records. */
export type NetworkSpec = z.output<typeof networkSpecShape>;

const specRequest = z.object({ spec: networkSpecShape });

/** CheckNetwork, ApplyNetwork: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): NetworkSpec => parseRequest(specRequest, req, NETWORK_RENAMES).spec;

/** Wire fields a program names otherwise (see `propertyOf`). */
export const NETWORK_RENAMES = {
  lease_time_seconds: "leaseTime",
  range_start: "range.start",
  range_end: "range.end",
} as const;

export interface Reservation {
  mac: string;
  ip: number;
  hostname: string;
}

/** A DHCP host entry of an instance: a reservation, or (no ip) only the name its lease carries. */
export type DhcpHost = Omit<Reservation, "ip"> & { ip?: number };

/** A spec with every default filled in and every address parsed. */
export interface ResolvedNetwork {
  id: string;
  cidr: Cidr;
  gateway: number;
  /** The DHCP server's own address on the bridge inside the namespace: the last host. */
  dhcpServer: number;
  dhcp: { enabled: boolean; start: number; end: number; leaseSeconds: number; reservations: Reservation[] };
  nat: boolean;
  isolated: boolean;
  mtu: number;
  owner: string;
}

// Defaults and ranges are the resource's, declared once in api/src/resources/network.ts.
const { LEASE, LEASE_DEFAULT_SECONDS, MTU } = resources;

export function resolveNetwork(raw: NetworkSpecInput): {
  network?: ResolvedNetwork;
  violations: Violation[];
} {
  const v: Violation[] = [];
  // Returns false so a check can read `ok = bad(...)`.
  const bad = (property: string, code: Violation["code"], reason: string): false => {
    v.push({ property, code, reason });
    return false;
  };
  const { data: s, violations: shapeViolations } = parseShape(networkSpecShape, raw, NETWORK_RENAMES);
  if (!s) return { violations: shapeViolations };

  if (!ID_PATTERN.test(s.id)) bad("id", "BAD_ID", `id "${s.id}" must match ${ID_PATTERN}`);
  for (const n of [names.hostVeth(s.id), names.nsVeth(s.id), names.bridge(s.id)]) {
    if (n.length > IFNAME_MAX) {
      bad("id", "NAME_TOO_LONG", `interface name "${n}" is longer than Linux's ${IFNAME_MAX} characters`);
      break;
    }
  }

  const cidr = parseCidr(s.cidr);
  if (typeof cidr === "string") {
    bad("cidr", "BAD_CIDR", `invalid CIDR: ${cidr}`);
    return { violations: v };
  }
  if (!isPrivate(cidr)) {
    bad("cidr", "NOT_PRIVATE", `${s.cidr} is not inside a private range (10/8, 172.16/12, 192.168/16)`);
  }
  if (cidr.prefix < 16 || cidr.prefix > 29) {
    bad("cidr", "BAD_PREFIX", `prefix /${cidr.prefix} is outside /16../29`);
    return { violations: v };
  }

  const dhcpServer = lastHost(cidr);
  let gateway = firstHost(cidr);
  if (s.gateway !== "") {
    const g = parseIp(s.gateway);
    if (g === undefined) bad("gateway", "BAD_IP", `"${s.gateway}" is not an IPv4 address`);
    else if (!isHost(cidr, g))
      bad("gateway", "OUTSIDE_CIDR", `${s.gateway} is not a host address of ${s.cidr}`);
    else if (g === dhcpServer)
      bad("gateway", "RESERVED", `${s.gateway} is the last host of ${s.cidr}, kept for the DHCP server`);
    else gateway = g;
  }

  const dhcp = s.dhcp ?? {
    enabled: false,
    range_start: "",
    range_end: "",
    lease_time_seconds: 0,
    reservations: [],
  };
  const reserved = new Set([gateway, dhcpServer]);
  let start = firstHost(cidr) === gateway ? gateway + 1 : firstHost(cidr);
  let end = dhcpServer - 1;
  if ((dhcp.range_start === "") !== (dhcp.range_end === "")) {
    bad("dhcp.range", "BAD_RANGE", "give both ends of the DHCP range, or neither");
  } else if (dhcp.range_start !== "") {
    const a = parseIp(dhcp.range_start);
    const b = parseIp(dhcp.range_end);
    if (a === undefined || !isHost(cidr, a))
      bad("dhcp.range", "OUTSIDE_CIDR", `start ${dhcp.range_start} is not a host of ${s.cidr}`);
    else if (b === undefined || !isHost(cidr, b))
      bad("dhcp.range", "OUTSIDE_CIDR", `end ${dhcp.range_end} is not a host of ${s.cidr}`);
    else if (a > b)
      bad("dhcp.range", "BAD_RANGE", `start ${dhcp.range_start} is after end ${dhcp.range_end}`);
    else if ((a <= gateway && gateway <= b) || (a <= dhcpServer && dhcpServer <= b))
      bad(
        "dhcp.range",
        "RESERVED",
        `the range must not include the gateway ${formatIp(gateway)} or the DHCP server ${formatIp(dhcpServer)}`,
      );
    else [start, end] = [a, b];
  }
  const leaseSeconds = dhcp.lease_time_seconds || LEASE_DEFAULT_SECONDS;
  if (leaseSeconds < LEASE.min || leaseSeconds > LEASE.max)
    bad(
      "dhcp.leaseTime",
      "BAD_LEASE",
      `lease time ${leaseSeconds}s is outside ${LEASE.min}..${LEASE.max} seconds`,
    );

  const reservations: Reservation[] = [];
  const macs = new Map<string, number>();
  const ips = new Map<number, number>();
  dhcp.reservations.forEach((r, i) => {
    const at = `dhcp.reservations[${i}]`;
    const mac = normalizeMac(r.mac);
    const ip = parseIp(r.ip);
    let ok = true;
    if (!mac) ok = bad(`${at}.mac`, "BAD_MAC", `"${r.mac}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
    else if (!isUnicastMac(mac))
      ok = bad(`${at}.mac`, "BAD_MAC", `${mac} is a multicast address; a NIC needs a unicast MAC`);
    else if (macs.has(mac))
      ok = bad(`${at}.mac`, "DUPLICATE_MAC", `${mac} is already reserved by reservations[${macs.get(mac)}]`);
    if (ip === undefined) ok = bad(`${at}.ip`, "BAD_IP", `"${r.ip}" is not an IPv4 address`);
    else if (!isHost(cidr, ip))
      ok = bad(`${at}.ip`, "OUTSIDE_CIDR", `${r.ip} is not a host address of ${s.cidr}`);
    else if (reserved.has(ip))
      ok = bad(
        `${at}.ip`,
        "RESERVED",
        `${r.ip} is the ${ip === gateway ? "gateway" : "DHCP server"}'s address`,
      );
    else if (ips.has(ip))
      ok = bad(`${at}.ip`, "DUPLICATE_IP", `${r.ip} is already reserved by reservations[${ips.get(ip)}]`);
    if (r.hostname !== "" && !isHostName(r.hostname))
      ok = bad(
        `${at}.hostname`,
        "BAD_HOSTNAME",
        `"${r.hostname}" is not a valid host name (letters, digits, '-', at most 63)`,
      );
    if (ok && mac && ip !== undefined) {
      macs.set(mac, i);
      ips.set(ip, i);
      reservations.push({ mac, ip, hostname: r.hostname });
    }
  });

  const mtu = s.mtu || MTU.default;
  if (mtu < MTU.min || mtu > MTU.max) bad("mtu", "BAD_MTU", `mtu ${mtu} is outside ${MTU.min}..${MTU.max}`);

  if (v.length > 0) return { violations: v };
  return {
    violations: v,
    network: {
      id: s.id,
      cidr,
      gateway,
      dhcpServer,
      dhcp: { enabled: dhcp.enabled, start, end, leaseSeconds, reservations },
      nat: s.nat,
      isolated: s.isolated,
      mtu,
      owner: s.owner,
    },
  };
}

export interface KnownNetwork {
  id: string;
  cidr: string;
  owner: string;
  /** Who created it. */
  uid: number;
}

export interface HostRoute {
  dst: string;
  dev: string;
  table: string;
}

/**
 * Conflicts with the other networks we own and with the host's own routes. `callerUid`: another
 * network with the same owner text (the Pulumi URN: a Check does not know the id yet; a replacement
 * is created before the old one goes) is the same resource only when it is the caller's own: an
 * owner text is anyone's to copy.
 */
export function findConflicts(
  n: ResolvedNetwork,
  others: KnownNetwork[],
  routes: HostRoute[],
  callerUid: number,
): Violation[] {
  const v: Violation[] = [];
  for (const o of others) {
    const sameResource = n.owner !== "" && o.owner === n.owner && o.uid === callerUid;
    if (o.id === n.id || sameResource) continue;
    const c = parseCidr(o.cidr);
    if (typeof c !== "string" && overlaps(c, n.cidr))
      v.push({
        property: "cidr",
        code: "NET_OVERLAP",
        reason: `${formatCidr(n.cidr)} overlaps network ${o.id} (${o.cidr}${o.owner ? `, ${o.owner}` : ""})`,
      });
  }
  for (const r of routes) {
    if (HOST_VETH_PATTERN.test(r.dev)) continue; // our own networks, checked above
    const c = parseCidr(r.dst.includes("/") ? r.dst : `${r.dst}/32`);
    if (typeof c === "string" || c.prefix === 0) continue;
    if (overlaps(c, n.cidr))
      v.push({
        property: "cidr",
        code: "ROUTE_OVERLAP",
        reason: `${formatCidr(n.cidr)} overlaps the host route "${r.dst} dev ${r.dev}${r.table !== "main" ? ` table ${r.table}` : ""}"`,
      });
  }
  return v;
}
