// qemu:index:DnsForwarder: inputs -> DnsForwarderSpec -> outputs. Declared in
// api/src/resources/dnsForwarder.ts.
import { type DnsForwarder, resources } from "@pulumi-qemu/api";
import { defineResource } from "./define";

type Inputs = resources.InputsOf<typeof resources.DnsForwarder.props>;

export const dnsForwarder = defineResource<Inputs, DnsForwarder>({
  decl: resources.DnsForwarder,
  apply: async (ctx, id, i) =>
    (await ctx.agent()).applyDnsForwarder({
      id,
      network_id: i.networkId,
      zone: i.zone ?? "",
      upstreams: i.upstreams ?? [],
      resolv_conf: i.resolvConf ?? "",
      hosts_file: i.hostsFile ?? "",
      records: i.records ?? [],
      owner: ctx.urn,
    }),
  get: (agent, id) => agent.getDnsForwarder(id),
  remove: (agent, id) => agent.deleteDnsForwarder(id),
  outputs: (d) => ({
    address: d.address,
    port: d.port,
    upstreamSource: d.upstream_source,
    upstreamsInEffect: d.upstreams_in_effect,
    names: d.names,
  }),
  importInputs: (d) => ({ networkId: d.spec!.network_id, zone: d.spec!.zone }),
});
