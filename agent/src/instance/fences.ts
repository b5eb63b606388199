// Which guest fences (fence/) an instance's NICs are behind, kept current: a network's fence lives
// in its namespace and is the network's to render (Networks.refreshFence); the host bridges' one
// lives in the root namespace and is rendered here from every NIC on a host bridge, with the
// bridge's own subnet when it has an address. Both follow the record (MACs, reservations) before a
// TAP joins its bridge, and the addresses found or leased afterwards.
import { parseCidr, parseIp } from "@pulumi-qemu/api/validate";
import { names } from "../constants";
import type { Bridges } from "../bridge/manager";
import { guestNics } from "../fence/guests";
import type { Networks } from "../network/manager";
import type { StateStore } from "../state";
import { Coalescer } from "../util/lock";
import { bridgeSegment } from "./discovery";
import type { InstanceHost } from "./host";

type Nic = { network_id?: string; bridge_id?: string };

export class GuestFences {
  /** Clones leasing together share a render of their network's fence (one nft run covers them all). */
  private readonly renders = new Coalescer();
  private readonly dhcpRenders = new Coalescer();

  constructor(
    private readonly state: StateStore,
    private readonly networks: Networks,
    private readonly bridges: Bridges,
    private readonly host: InstanceHost,
    private readonly log: (m: string) => void,
  ) {}

  /** The root namespace's fence: every NIC on a host bridge; removed when there is none. */
  async refreshHost(): Promise<void> {
    const ids = new Set<string>();
    for (const rec of Object.values(this.state.instances))
      for (const nic of rec.spec.nics ?? []) if (nic.bridge_id) ids.add(nic.bridge_id);
    if (ids.size === 0) return this.host.deleteHostFence();
    await this.host.applyHostFence(async () => {
      const out = [];
      for (const id of ids) {
        const b = await this.bridges.describe(id);
        if (!b) continue;
        // The bridge's own subnet, as discovery sweeps it; none when the bridge has no address.
        const seg = bridgeSegment(b);
        const cidr = seg.cidr ? parseCidr(seg.cidr) : undefined;
        out.push(
          ...guestNics(this.state.instances, {
            bridge: b.name,
            has: (nic) => nic.bridge_id === id,
            cidr: typeof cidr === "object" ? cidr : undefined,
            reserved: seg.source ? [parseIp(seg.source)!] : [],
            reservations: new Map(),
            leases: new Map(),
          }),
        );
      }
      return out;
    });
  }

  /**
   * A network's DHCP hosts and fence, rendered from every instance's record when the render starts:
   * instances applied together (ten clones) share a render rather than queue one each.
   */
  refreshDhcp(netId: string): Promise<void> {
    return this.dhcpRenders.run(netId, () => this.networks.refreshDhcp(netId));
  }

  /** A network's fence, after a lease changed (dnsmasq leases by chaddr, which the fence pins). */
  refreshNetwork(netId: string): Promise<void> {
    return this.renders
      .run(netId, () => this.networks.refreshFence(netId))
      .catch((e: unknown) => this.log(`network ${netId}: guest fence: ${(e as Error).message}`));
  }

  /** Every fence these NICs are behind, after their addresses or the NICs themselves changed. */
  async refresh(nics: readonly Nic[]): Promise<void> {
    for (const netId of new Set(nics.flatMap((n) => (n.network_id ? [n.network_id] : []))))
      await this.refreshNetwork(netId);
    if (nics.some((n) => n.bridge_id)) await this.refreshHost();
  }

  /** The host fence, when a NIC is on a host bridge and the table is gone (flushed). */
  async missing(): Promise<string[]> {
    const onBridges = Object.values(this.state.instances).some((r) =>
      (r.spec.nics ?? []).some((n) => n.bridge_id),
    );
    return onBridges && !(await this.host.hostFenceExists())
      ? [`nft table bridge ${names.fenceTable} missing`]
      : [];
  }
}
