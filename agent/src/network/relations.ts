// Pure: a network among the other records of the state: the other networks it must not overlap, the
// DHCP hosts its instances ask for, the NICs its guest fence lets through (instances and template
// builds on it), and the instances that use it.
import { parseIp } from "@pulumi-qemu/api/validate";
import { names } from "../constants";
import { buildNics, guestNics } from "../fence/guests";
import type { FenceNic } from "../fence/render";
import type { StateDoc } from "../state";
import { templateMac } from "../template/launch";
import type { DhcpHost, KnownNetwork, ResolvedNetwork } from "./spec";

/** Every recorded network, as the overlap check (spec.ts findConflicts) sees it. */
export function knownNetworks(networks: StateDoc["networks"]): KnownNetwork[] {
  return Object.entries(networks).map(([id, r]) => ({
    id,
    cidr: r.spec.cidr,
    uid: r.uid ?? 0,
    owner: r.spec.owner ?? "",
  }));
}

/**
 * Addresses instances asked for on this network (`nics[].ip`), served like reservations; a clone
 * of an InstanceTemplate without one still gets its own host name with its lease.
 */
export function instanceReservations(instances: StateDoc["instances"], netId: string): DhcpHost[] {
  const out: DhcpHost[] = [];
  for (const [id, rec] of Object.entries(instances))
    for (const nic of rec.spec.nics ?? []) {
      const ip = parseIp(nic.ip ?? "");
      const host = { mac: nic.mac.toLowerCase(), hostname: rec.spec.hostname || id };
      if (nic.network_id !== netId) continue;
      if (ip !== undefined) out.push({ ...host, ip });
      else if (rec.spec.template_id) out.push(host);
    }
  return out;
}

/** The network's guest fence: the NICs of the instances and template builds on it. */
export function fenceNics(
  n: ResolvedNetwork,
  state: Pick<StateDoc, "instances" | "templates">,
  leases: ReadonlyMap<string, number>,
): FenceNic[] {
  const seg = {
    bridge: names.bridge(n.id),
    has: (nic: { network_id?: string }) => nic.network_id === n.id,
    cidr: n.cidr,
    reserved: [n.gateway, n.dhcpServer],
    reservations: new Map(n.dhcp.reservations.map((r) => [r.mac, r.ip])),
    leases,
  };
  const builds = Object.entries(state.templates)
    .filter(([, r]) => r.status === "building" && r.spec.network_id === n.id)
    .map(([id]) => ({ tap: names.templateTap(id), mac: templateMac(id) }));
  return [...guestNics(state.instances, seg), ...buildNics(builds, seg)];
}

/** The instances with a NIC on the network: while there are any, it cannot be deleted. */
export function networkUsers(instances: StateDoc["instances"], netId: string): string[] {
  return Object.entries(instances)
    .filter(([, r]) => (r.spec.nics ?? []).some((x) => x.network_id === netId))
    .map(([id]) => id);
}
