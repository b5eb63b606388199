// The wire shape of a DNS forwarder and its translation into the forwarder library's options.
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { parseRequest } from "../errors";
import type { ForwarderOptions } from "../dns";
import { formatCidr, formatIp } from "@pulumi-qemu/api/validate";
import type { ResolvedNetwork } from "../network/spec";

export const dnsForwarderSpecShape = z.object({
  id: z.string().max(64),
  network_id: z.string().max(64),
  zone: z.string().max(253).default(""),
  upstreams: z.array(z.string().max(64)).max(16).default([]),
  resolv_conf: z.string().max(4096).default(""),
  hosts_file: z.string().max(4096).default(""),
  records: z
    .array(
      z.object({ name: z.string().max(253), addresses: z.array(z.string().max(64)).max(64).default([]) }),
    )
    .max(4096)
    .default([]),
  owner: z.string().max(1024).default(""),
}) satisfies z.ZodType<wire.DnsForwarderSpec__Output>;
export type DnsForwarderSpecInput = z.input<typeof dnsForwarderSpecShape>;
export type DnsForwarderSpec = z.output<typeof dnsForwarderSpecShape>;

const specRequest = z.object({ spec: dnsForwarderSpecShape });

/** ApplyDnsForwarder: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): DnsForwarderSpec => parseRequest(specRequest, req).spec;

export const DNS_PORT = 53;

/** Listens on the gateway, answers only the network itself; upstreams static > resolv.conf > auto. */
export function forwarderOptions(s: DnsForwarderSpec, n: ResolvedNetwork, port = DNS_PORT): ForwarderOptions {
  return {
    listen: { address: formatIp(n.gateway), port },
    upstreams:
      s.upstreams.length > 0
        ? { kind: "static", servers: s.upstreams }
        : s.resolv_conf !== ""
          ? { kind: "resolvConf", path: s.resolv_conf }
          : { kind: "auto" },
    allowedSources: [formatCidr(n.cidr)],
    ...(s.hosts_file !== "" ? { hostsFile: s.hosts_file } : {}),
    ...(s.zone !== "" ? { zone: s.zone } : {}),
    ...(s.records.length > 0
      ? { records: Object.fromEntries(s.records.map((r) => [r.name, r.addresses])) }
      : {}),
  };
}

/** Library option paths -> the resource's property names. */
export function propertyName(p: string): string {
  if (p.startsWith("upstreams"))
    return p
      .replace(/^upstreams\.servers\.?(\d+)?/, (_m, i) => (i ? `upstreams[${i}]` : "upstreams"))
      .replace(/^upstreams\.path/, "resolvConf");
  if (p.startsWith("records")) return "records";
  if (p === "hostsFile" || p === "zone") return p;
  return p;
}
