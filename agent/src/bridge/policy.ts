// What a Bridge may touch on the host beyond its own objects (finding 4): only the uplinks and
// adoptable bridges the admin listed (config.bridges), never an interface of ours, and an address
// only inside the admin's ranges that overlaps no other network or route. Pure.
import {
  type Cidr,
  contains,
  formatCidr,
  maskOf,
  overlaps,
  parseCidr,
  parseIp,
  type Violation,
} from "@pulumi-qemu/api/validate";
import type { Config } from "../config";
import type { BridgeSpec } from "./spec";

/** Interfaces of ours (veths, TAPs, namespace bridges) are never an uplink or adopted. */
const OURS = /^qv[mt]/;

export interface HostFacts {
  /** Our networks' CIDRs. */
  networks: Array<{ id: string; cidr: string }>;
  /** The host's routes (dst a.b.c.d/p, dev). */
  routes: Array<{ dst: string; dev: string }>;
}

export function bridgePolicyViolations(
  s: BridgeSpec,
  policy: Config["bridges"],
  facts: HostFacts,
  adopting: boolean,
): Violation[] {
  const v: Violation[] = [];
  const hint = "the admin lists what qvmd may use in its config (bridges.uplinks, bridges.adoptable)";
  if (s.uplink !== "") {
    if (OURS.test(s.uplink))
      v.push({
        property: "uplink",
        code: "BAD_UPLINK",
        reason: `${s.uplink} is qvmd's own interface (another network or instance)`,
      });
    else if (!policy.uplinks.includes(s.uplink))
      v.push({
        property: "uplink",
        code: "UPLINK_NOT_ALLOWED",
        reason: `${s.uplink} is not an uplink this qvmd may enslave; ${hint}`,
      });
  }
  if (adopting && (OURS.test(s.name) || !policy.adoptable.includes(s.name)))
    v.push({
      property: "name",
      code: "BRIDGE_NOT_ALLOWED",
      reason: `${s.name} is not a bridge this qvmd may adopt; ${hint}`,
    });
  if (s.address !== "") {
    const [ipText, prefix] = s.address.split("/");
    const ip = parseIp(ipText!)!;
    const net: Cidr = { network: (ip & maskOf(Number(prefix))) >>> 0, prefix: Number(prefix) };
    const inRange = policy.addressRanges.some((r) => {
      const c = parseCidr(r) as Cidr;
      return c.prefix <= net.prefix && contains(c, net.network);
    });
    if (!inRange)
      v.push({
        property: "address",
        code: "ADDRESS_NOT_ALLOWED",
        reason: `${formatCidr(net)} is outside the ranges a bridge may use (${policy.addressRanges.join(", ")}; bridges.addressRanges in qvmd's config)`,
      });
    for (const n of facts.networks) {
      const c = parseCidr(n.cidr);
      if (typeof c !== "string" && overlaps(c, net))
        v.push({
          property: "address",
          code: "NET_OVERLAP",
          reason: `${formatCidr(net)} overlaps network ${n.id} (${n.cidr})`,
        });
    }
    for (const r of facts.routes) {
      // Routes through this bridge or its uplink are the ones that move with it.
      if (r.dev === s.name || r.dev === s.uplink || OURS.test(r.dev)) continue;
      const c = parseCidr(r.dst.includes("/") ? r.dst : `${r.dst}/32`);
      if (typeof c !== "string" && c.prefix > 0 && overlaps(c, net))
        v.push({
          property: "address",
          code: "ROUTE_OVERLAP",
          reason: `${formatCidr(net)} overlaps the host route "${r.dst} dev ${r.dev}"`,
        });
    }
  }
  return v;
}
