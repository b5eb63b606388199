// Pure: the fence's NICs on one segment, from the recorded instances. What a NIC may use as its
// source is what is known of it: its reservation (nics[].ip, or the network's for its MAC), the
// address discovered for it, its current lease. A NIC whose recorded MAC does not parse is left
// out, so its TAP passes nothing.
import { type Cidr, contains, normalizeMac, parseIp } from "@pulumi-qemu/api/validate";
import { names } from "../constants";
import type { InstanceRecord } from "../state";
import type { FenceNic } from "./render";

export interface SegmentFacts {
  /** The segment's bridge (FenceNic.segment). */
  bridge: string;
  /** Is this NIC (as recorded) on the segment? */
  has: (nic: { network_id?: string; bridge_id?: string }) => boolean;
  cidr?: Cidr;
  /** Addresses no guest may claim (gateway, DHCP server). */
  reserved: number[];
  /** Reservations by MAC that are the segment's own (a network's dhcp.reservations). */
  reservations: ReadonlyMap<string, number>;
  /** Current leases by MAC (DHCP served on the segment by us). */
  leases: ReadonlyMap<string, number>;
}

export function guestNics(
  instances: Readonly<Record<string, InstanceRecord>>,
  seg: SegmentFacts,
): FenceNic[] {
  const out: FenceNic[] = [];
  for (const [id, rec] of Object.entries(instances))
    (rec.spec.nics ?? []).forEach((nic, i) => {
      const mac = normalizeMac(nic.mac);
      if (!seg.has(nic) || mac === undefined) return;
      const known = [
        parseIp(nic.ip ?? ""),
        seg.reservations.get(mac),
        parseIp(rec.addresses[mac]?.ip ?? ""),
        seg.leases.get(mac),
      ].filter((ip): ip is number => ip !== undefined && (seg.cidr === undefined || contains(seg.cidr, ip)));
      const others = [...seg.reservations].filter(([m]) => m !== mac).map(([, ip]) => ip);
      out.push({
        tap: names.tap(id, i),
        mac,
        segment: seg.bridge,
        ips: [...new Set(known)],
        cidr: seg.cidr,
        reserved: [...seg.reserved, ...others],
      });
    });
  return out;
}

/**
 * Pure: the fence's NICs of template build VMs on the segment (one NIC each, no reservation): what
 * they may use is their lease once they have one, like an instance's NIC.
 */
export function buildNics(
  builds: ReadonlyArray<{ tap: string; mac: string }>,
  seg: SegmentFacts,
): FenceNic[] {
  return builds.map((b) => {
    const lease = seg.leases.get(b.mac);
    return {
      tap: b.tap,
      mac: b.mac,
      segment: seg.bridge,
      ips: lease !== undefined && (seg.cidr === undefined || contains(seg.cidr, lease)) ? [lease] : [],
      cidr: seg.cidr,
      reserved: [...seg.reserved, ...seg.reservations.values()],
    };
  });
}
