// A network as the API reports it: the resolved spec and what it is on the host, as the proto message.
import type { wire } from "@pulumi-qemu/api";
import { formatCidr, formatIp } from "@pulumi-qemu/api/validate";
import { names } from "../constants";
import type { NetworkStatus } from "./manager";
import type { ResolvedNetwork } from "./spec";

/** What a network is on the host, by name: the objects the API reports. */
export const describe = (n: ResolvedNetwork) => ({
  namespace: names.netns(n.id),
  bridge: names.bridge(n.id),
  hostInterface: names.hostVeth(n.id),
  gateway: formatIp(n.gateway),
  dhcpServer: formatIp(n.dhcpServer),
  rangeStart: formatIp(n.dhcp.start),
  rangeEnd: formatIp(n.dhcp.end),
});

export function networkToWire(s: NetworkStatus): wire.Network {
  const n = s.network;
  const d = describe(n);
  return {
    spec: {
      id: n.id,
      cidr: formatCidr(n.cidr),
      gateway: d.gateway,
      dhcp: {
        enabled: n.dhcp.enabled,
        range_start: d.rangeStart,
        range_end: d.rangeEnd,
        lease_time_seconds: n.dhcp.leaseSeconds,
        reservations: n.dhcp.reservations.map((r) => ({
          mac: r.mac,
          ip: formatIp(r.ip),
          hostname: r.hostname,
        })),
      },
      nat: n.nat,
      isolated: n.isolated,
      mtu: n.mtu,
      owner: n.owner,
    },
    namespace: d.namespace,
    bridge: d.bridge,
    host_interface: d.hostInterface,
    dhcp_server_address: d.dhcpServer,
    dhcp_range_start: d.rangeStart,
    dhcp_range_end: d.rangeEnd,
    drift: s.drift,
    firewall_state: s.firewall.state,
    firewall_last_error: s.firewall.lastError ?? "",
    firewall_last_repaired_at: s.firewall.lastRepairedAt ?? "",
  };
}
