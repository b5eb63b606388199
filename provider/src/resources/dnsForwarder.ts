// qemu:index:DnsForwarder — a DNS forwarder on a network's gateway that answers the network's zone
// (every instance by name, plus records) and forwards the rest. Everything but the network changes
// in place, without dropping queries.
import { z } from "zod";
import { type DnsForwarder } from "@pulumi-qemu/api";
import { UNKNOWN, type Props } from "../props";
import { lifecycle, shapeCheck } from "./common";
import type { Ctx, ResourceHandler } from "./types";

const inputsShape = z
  .object({
    networkId: z.string(),
    zone: z.string().optional(),
    upstreams: z.array(z.string()).max(16).optional(),
    resolvConf: z.string().startsWith("/", "must be an absolute path").optional(),
    hostsFile: z.string().startsWith("/", "must be an absolute path").optional(),
    records: z.array(z.object({ name: z.string(), addresses: z.array(z.string()) }).strict()).optional(),
  })
  .strict()
  .refine((i) => !(i.upstreams?.length && i.resolvConf), {
    path: ["resolvConf"],
    message: "give upstreams or resolvConf, not both",
  });

function outputs(inputs: Props, d: DnsForwarder): Props {
  return {
    ...inputs,
    address: d.address,
    port: d.port,
    upstreamSource: d.upstream_source,
    upstreamsInEffect: d.upstreams_in_effect,
    names: d.names,
  };
}

async function apply(ctx: Ctx, id: string, inputs: Props): Promise<Props> {
  const i = inputsShape.parse(inputs);
  const d = await (
    await ctx.agent()
  ).applyDnsForwarder({
    id,
    network_id: i.networkId,
    zone: i.zone ?? "",
    upstreams: i.upstreams ?? [],
    resolv_conf: i.resolvConf ?? "",
    hosts_file: i.hostsFile ?? "",
    records: i.records ?? [],
    owner: ctx.urn,
  });
  return outputs(inputs, d);
}

export const dnsForwarder: ResourceHandler = {
  replaceOn: ["networkId"],

  check: shapeCheck(inputsShape),

  preview: (inputs) => ({
    ...inputs,
    address: UNKNOWN,
    port: UNKNOWN,
    upstreamSource: UNKNOWN,
    upstreamsInEffect: UNKNOWN,
    names: UNKNOWN,
  }),

  ...lifecycle({
    notFound: "DNS_FORWARDER_NOT_FOUND",
    apply,
    get: (agent, id) => agent.getDnsForwarder(id),
    outputs,
    importInputs: (d) => ({ networkId: d.spec!.network_id, zone: d.spec!.zone }),
    remove: (agent, id) => agent.deleteDnsForwarder(id),
  }),
};
