// qemu:index:DnsForwarder — a DNS forwarder on a network's gateway that answers the network's zone
// (every instance by name, plus records) and forwards the rest. Everything but the network changes
// in place, without dropping queries.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type DnsForwarder } from "@pulumi-qemu/agent/dist/api/client";
import { containsUnknown, UNKNOWN, type Props } from "../props";
import { zodFailures, readOrGone } from "./common";
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

  async check(_ctx, news) {
    if (containsUnknown(news)) return { inputs: news, failures: [] };
    const parsed = inputsShape.safeParse(news);
    if (!parsed.success)
      return {
        inputs: news,
        failures: zodFailures(parsed.error),
      };
    return { inputs: parsed.data as Props, failures: [] };
  },

  preview: (inputs) => ({
    ...inputs,
    address: UNKNOWN,
    port: UNKNOWN,
    upstreamSource: UNKNOWN,
    upstreamsInEffect: UNKNOWN,
    names: UNKNOWN,
  }),

  async create(ctx, inputs) {
    const id = randomBytes(4).toString("hex");
    return { id, outputs: await apply(ctx, id, inputs) };
  },

  read: (ctx, id, oldInputs) =>
    readOrGone("DNS_FORWARDER_NOT_FOUND", async () => {
      const d = await (await ctx.agent()).getDnsForwarder(id);
      const inputs =
        oldInputs && Object.keys(oldInputs).length > 0
          ? oldInputs
          : { networkId: d.spec!.network_id, zone: d.spec!.zone };
      return { inputs, outputs: outputs(inputs, d) };
    }),

  update: (ctx, id, _olds, news) => apply(ctx, id, news),

  async delete(ctx, id) {
    await (await ctx.agent()).deleteDnsForwarder(id);
  },
};
