// qemu:index:Network: inputs -> NetworkSpec -> outputs. Declared in api/src/resources/network.ts.
import { type Network, type NetworkSpec, resources } from "@pulumi-qemu/api";
import { formatIp, parseCidr } from "@pulumi-qemu/api/validate";
import { defineResource } from "./define";
import type { Ctx } from "./types";

type Inputs = resources.InputsOf<typeof resources.Network.props>;

function toSpec(ctx: Ctx, id: string, i: Inputs): NetworkSpec {
  return {
    id,
    cidr: i.cidr,
    gateway: i.gateway ?? "",
    dhcp: {
      enabled: i.dhcp.enabled,
      range_start: i.dhcp.range?.start ?? "",
      range_end: i.dhcp.range?.end ?? "",
      lease_time_seconds: i.dhcp.leaseTime ?? 0,
      reservations: i.dhcp.reservations.map((r) => ({ mac: r.mac, ip: r.ip, hostname: r.hostname ?? "" })),
    },
    nat: i.nat,
    isolated: i.isolated,
    mtu: i.mtu,
    owner: ctx.urn,
  };
}

export const network = defineResource<Inputs, Network>({
  decl: resources.Network,
  newId: (i) => i.name,
  apply: async (ctx, id, i) => (await ctx.agent()).applyNetwork(toSpec(ctx, id, i)),
  get: (agent, id) => agent.getNetwork(id),
  remove: (agent, id) => agent.deleteNetwork(id),

  async verify(ctx, i) {
    const { violations } = await (await ctx.agent()).checkNetwork(toSpec(ctx, i.name ?? "check", i));
    // The agent names the network by its spec's `id`; the user knows it as `name`.
    return violations.map((v) => ({ property: v.property === "id" ? "name" : v.property, reason: v.reason }));
  },

  outputs: (n) => ({
    name: n.spec!.id,
    namespace: n.namespace,
    bridge: n.bridge,
    hostInterface: n.host_interface,
    gateway: n.spec!.gateway,
    dhcpServerAddress: n.dhcp_server_address,
    dhcpRange: { start: n.dhcp_range_start, end: n.dhcp_range_end },
    leaseTime: n.spec!.dhcp?.lease_time_seconds ?? 0,
    drift: n.drift,
    firewall: {
      state: n.firewall_state,
      ...(n.firewall_last_error ? { lastError: n.firewall_last_error } : {}),
      ...(n.firewall_last_repaired_at ? { lastRepairedAt: n.firewall_last_repaired_at } : {}),
    },
  }),

  // A program declaring the same network then imports it without a diff.
  importInputs(n) {
    const s = n.spec!;
    const cidr = parseCidr(s.cidr);
    const defaultGateway = typeof cidr !== "string" && formatIp(cidr.network + 1) === s.gateway;
    return {
      name: s.id,
      cidr: s.cidr,
      ...(defaultGateway ? {} : { gateway: s.gateway }),
      dhcp: {
        enabled: s.dhcp?.enabled ?? false,
        reservations: (s.dhcp?.reservations ?? []).map((r) => ({
          mac: r.mac,
          ip: r.ip,
          ...(r.hostname ? { hostname: r.hostname } : {}),
        })),
      },
      nat: s.nat,
      isolated: s.isolated,
      mtu: s.mtu,
    };
  },
});
