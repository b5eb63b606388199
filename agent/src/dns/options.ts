// Forwarder options: shape (zod, loaded on first use), defaults, and per-property violations with
// stable codes. Pure; the caller may be remote and hostile, so every list and string is bounded.
import { isIPv4 } from "node:net";
import * as path from "node:path";
import type { z as Zod } from "zod";
import { type Cidr, parseCidr } from "@pulumi-qemu/api/validate";
import type { DnsErrorCode, Violation } from "./errors";
import type { HostEntry } from "./hosts";
import { isDomainName, normalizeName, qualify } from "./names";
import { parseUpstream, type UpstreamAddr } from "./resolvconf";

/**
 * The shapes, built on first use with zod loaded then: the DNS forwarder process is given options
 * qvmd has checked (resolveForwarderOptions' `checked`) and so never loads zod (~10 MB of its RSS).
 */
function shapes(z: typeof Zod) {
  const address = z.string().max(64);
  const upstreams = z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("static"), servers: z.array(address).max(16) }),
    z.object({ kind: z.literal("resolvConf"), path: z.string().max(4096) }),
    z.object({ kind: z.literal("auto") }),
  ]);

  const options = z.object({
    listen: z.object({ address, port: z.number().int().min(0).max(65535) }),
    upstreams,
    allowedSources: z.array(address).max(256),
    hostsFile: z.string().max(4096).optional(),
    zone: z.string().max(253).optional(),
    records: z.record(z.string().max(253), z.array(address).max(64)).optional(),
    rateLimit: z
      .union([
        z.literal(false),
        z.object({ qps: z.number().positive().max(1e9), burst: z.number().min(1).max(1e9) }),
      ])
      .optional(),
    upstreamTimeoutMs: z.number().int().min(50).max(30000).optional(),
    tcpIdleTimeoutMs: z.number().int().min(100).max(600000).optional(),
    ttl: z.number().int().min(0).max(86400).optional(),
    maxInflight: z.number().int().min(1).max(100000).optional(),
  });
  return { upstreams, options };
}
type Shapes = ReturnType<typeof shapes>;
let built: Shapes | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- on first use: see shapes()
const shape = (): Shapes => (built ??= shapes((require("zod") as typeof import("zod")).z));

export type ForwarderOptions = Zod.input<Shapes["options"]>;
export type UpstreamSpec = Zod.infer<Shapes["upstreams"]>;

export const DEFAULT_RATE_LIMIT = { qps: 200, burst: 400 };
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 10000;
export const DEFAULT_TTL = 10;
export const DEFAULT_MAX_INFLIGHT = 1024;

/** Options with defaults applied and every string parsed: what the I/O shell runs on. */
export interface ResolvedOptions {
  listen: { address: string; port: number };
  upstreams:
    { kind: "static"; servers: UpstreamAddr[] } | { kind: "resolvConf"; path: string } | { kind: "auto" };
  allowedSources: Cidr[];
  hostsFile: string | undefined;
  zone: string | undefined;
  /** Static records, qualified into the zone. */
  records: HostEntry[];
  rateLimit: { qps: number; burst: number } | false;
  upstreamTimeoutMs: number;
  tcpIdleTimeoutMs: number;
  ttl: number;
  maxInflight: number;
}

const codeForPath: Record<string, DnsErrorCode> = {
  listen: "DNS_BAD_LISTEN",
  upstreams: "DNS_BAD_UPSTREAM",
  allowedSources: "DNS_BAD_SOURCE",
  hostsFile: "DNS_BAD_PATH",
  zone: "DNS_BAD_ZONE",
  records: "DNS_BAD_RECORD",
  rateLimit: "DNS_BAD_RATE_LIMIT",
  upstreamTimeoutMs: "DNS_BAD_TIMEOUT",
  tcpIdleTimeoutMs: "DNS_BAD_TIMEOUT",
  ttl: "DNS_BAD_RECORD",
};

const propertyOf = (p: PropertyKey[]) =>
  p.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");

/**
 * `checked`: `raw` is options this function already accepted (qvmd's, sent to its forwarder
 * process): their shape is not checked again; what follows the shape check still runs.
 */
export function resolveForwarderOptions(
  raw: unknown,
  checked = false,
): {
  options?: ResolvedOptions;
  violations: Violation[];
} {
  const v: Violation[] = [];
  const bad = (property: string, code: DnsErrorCode, reason: string) => v.push({ property, code, reason });
  const parsed = checked
    ? { success: true as const, data: raw as Zod.output<Shapes["options"]> }
    : shape().options.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = String(issue.path[0] ?? "");
      bad(propertyOf(issue.path) || "(options)", codeForPath[top] ?? "DNS_INVALID_OPTIONS", issue.message);
    }
    return { violations: v };
  }
  const s = parsed.data;

  if (!isIPv4(s.listen.address))
    bad("listen.address", "DNS_BAD_LISTEN", `"${s.listen.address}" is not an IPv4 address`);

  let upstreams: ResolvedOptions["upstreams"] = { kind: "auto" };
  if (s.upstreams.kind === "static") {
    const servers: UpstreamAddr[] = [];
    s.upstreams.servers.forEach((srv, i) => {
      const u = parseUpstream(srv);
      if (typeof u === "string") bad(`upstreams.servers[${i}]`, "DNS_BAD_UPSTREAM", u);
      else if (u.address === s.listen.address && u.port === s.listen.port)
        bad(`upstreams.servers[${i}]`, "DNS_BAD_UPSTREAM", `"${srv}" is the forwarder itself (a loop)`);
      else if (!servers.some((x) => x.key === u.key)) servers.push(u);
    });
    if (s.upstreams.servers.length === 0)
      bad("upstreams.servers", "DNS_BAD_UPSTREAM", "give at least one server");
    upstreams = { kind: "static", servers };
  } else if (s.upstreams.kind === "resolvConf") {
    if (!path.isAbsolute(s.upstreams.path) || path.basename(s.upstreams.path) === "")
      bad("upstreams.path", "DNS_BAD_PATH", `"${s.upstreams.path}" is not an absolute file path`);
    upstreams = { kind: "resolvConf", path: path.normalize(s.upstreams.path) };
  }

  const allowedSources: Cidr[] = [];
  s.allowedSources.forEach((src, i) => {
    const c = parseCidr(src.includes("/") ? src : `${src}/32`);
    if (typeof c === "string") bad(`allowedSources[${i}]`, "DNS_BAD_SOURCE", c);
    else allowedSources.push(c);
  });
  // An empty list would refuse everyone; a forgotten list must never mean "everyone" either.
  if (s.allowedSources.length === 0)
    bad("allowedSources", "DNS_NO_ALLOWED_SOURCES", "give the CIDRs allowed to query (e.g. the VM network)");

  if (s.hostsFile !== undefined && !path.isAbsolute(s.hostsFile))
    bad("hostsFile", "DNS_BAD_PATH", `"${s.hostsFile}" is not an absolute file path`);

  let zone: string | undefined;
  if (s.zone !== undefined) {
    if (isDomainName(s.zone)) zone = normalizeName(s.zone);
    else bad("zone", "DNS_BAD_ZONE", `"${s.zone}" is not a domain name (LDH labels of 1-63 characters)`);
  }

  const records: HostEntry[] = [];
  for (const [name, ips] of Object.entries(s.records ?? {})) {
    const property = `records.${name}`;
    if (zone === undefined) {
      if (s.zone === undefined) bad(property, "DNS_RECORD_OUTSIDE_ZONE", "records need a zone to live in");
      continue;
    }
    const fqdn = qualify(name, zone);
    if (typeof fqdn !== "string") {
      bad(property, fqdn.code, fqdn.reason);
      continue;
    }
    ips.forEach((ip, i) => {
      if (isIPv4(ip)) records.push({ name: fqdn, ip });
      else bad(`${property}[${i}]`, "DNS_BAD_RECORD", `"${ip}" is not an IPv4 address`);
    });
  }

  if (s.rateLimit && s.rateLimit.burst < 1)
    bad("rateLimit.burst", "DNS_BAD_RATE_LIMIT", "burst must be at least 1");

  if (v.length > 0) return { violations: v };
  return {
    violations: v,
    options: {
      listen: { ...s.listen },
      upstreams,
      allowedSources,
      hostsFile: s.hostsFile === undefined ? undefined : path.normalize(s.hostsFile),
      zone,
      records,
      rateLimit: s.rateLimit === undefined ? DEFAULT_RATE_LIMIT : s.rateLimit,
      upstreamTimeoutMs: s.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
      tcpIdleTimeoutMs: s.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS,
      ttl: s.ttl ?? DEFAULT_TTL,
      maxInflight: s.maxInflight ?? DEFAULT_MAX_INFLIGHT,
    },
  };
}

/** Per-property violations of a set of options; empty when they are usable. */
export const validateForwarderOptions = (raw: unknown): Violation[] =>
  resolveForwarderOptions(raw).violations;

/** The agent's host table entries, qualified into the zone; violations use `hosts[i]` properties. */
export function resolveHosts(
  hosts: { name: string; ip: string }[],
  zone: string | undefined,
): { entries: HostEntry[]; violations: Violation[] } {
  const entries: HostEntry[] = [];
  const violations: Violation[] = [];
  hosts.forEach((h, i) => {
    const property = `hosts[${i}]`;
    if (zone === undefined) {
      violations.push({ property, code: "DNS_RECORD_OUTSIDE_ZONE", reason: "the forwarder has no zone" });
      return;
    }
    const fqdn = qualify(h.name, zone);
    if (typeof fqdn !== "string") violations.push({ property, code: fqdn.code, reason: fqdn.reason });
    else if (!isIPv4(h.ip))
      violations.push({ property, code: "DNS_BAD_HOST", reason: `"${h.ip}" is not an IPv4 address` });
    else entries.push({ name: fqdn, ip: h.ip });
  });
  return { entries, violations };
}
