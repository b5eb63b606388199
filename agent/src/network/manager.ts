// The life of a network on the host: check, apply (create or converge), read, delete, re-assert.
// Pure decisions live in spec.ts, render.ts and relations.ts; this file only sequences them with host I/O.
import * as fs from "node:fs/promises";
import { names, type StatePaths } from "../constants";
import { QvmdError, notFound, stateCorrupt, violationsError } from "../errors";
import type { NetworkRecord, StateStore } from "../state";
import { Mutex } from "../util/lock";
import { allSettledOrThrow } from "../util/settled";
import { type FirewallGuard, type FirewallState, firewallState } from "../firewall";
import type { NetworkHost } from "./host";
import { formatCidr, type Violation } from "@pulumi-qemu/api/validate";
import { networkDrift } from "./drift";
import { InFlight, firewallMissing } from "./in-flight";
import { fenceNics, instanceReservations, knownNetworks, networkUsers } from "./relations";
import { type GatewayServices, renderNftTable, renderNsBatch, renderRootBatch } from "./render";
import { type NetworkSpec, type ResolvedNetwork, findConflicts, resolveNetwork } from "./spec";

export interface NetworkStatus {
  network: ResolvedNetwork;
  drift: string[];
  firewall: FirewallState;
}

export class Networks {
  // One network's calls run one at a time (its lock, held across its host work); creates of others
  // overlap. `shared` guards ip_forward only: the overlap check and the reservation in `recording`
  // after it are one synchronous step, so concurrent creates' records share state writes (state.ts).
  private readonly locks = new Map<string, Mutex>();
  private readonly shared = new Mutex("networks.shared");
  private readonly recording = new Map<string, NetworkRecord>();
  private readonly inFlight = new InFlight();
  private lock(id: string): Mutex {
    let m = this.locks.get(id);
    if (!m) this.locks.set(id, (m = new Mutex("network")));
    return m;
  }
  /** A create, converge or delete: under the network's lock, and in flight for the guard's check. */
  private changing<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.lock(id).run(() => this.inFlight.during(id, fn));
  }
  /** Watches for other tools flushing our rules; our own changes run under its `suppress`. */
  guard?: FirewallGuard;
  private fw<T>(f: () => Promise<T>): Promise<T> {
    return this.guard ? this.guard.suppress(f) : f();
  }

  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    private readonly host: NetworkHost,
    /** What the gateway serves the guests besides ICMP (DNS while a forwarder runs there). */
    private readonly services: (netId: string) => GatewayServices = () => ({}),
  ) {}

  /** `uid`: the caller; only its own networks with the same owner are taken for this one. */
  async check(spec: NetworkSpec, uid: number): Promise<Violation[]> {
    const { network, violations } = resolveNetwork(spec);
    if (!network) return violations;
    return findConflicts(network, knownNetworks(this.state.networks), await this.host.hostRoutes(), uid);
  }

  /** `uid`: the caller, recorded as the owner of a new network. */
  apply(spec: NetworkSpec, uid: number): Promise<NetworkStatus> {
    const { network: n, violations } = resolveNetwork(spec);
    if (!n) return Promise.reject(violationsError(violations));
    return this.changing(n.id, async () => {
      const existing = this.state.networks[n.id];
      if (existing) {
        const old = resolveNetwork(existing.spec).network;
        if (old && (formatCidr(old.cidr) !== formatCidr(n.cidr) || old.gateway !== n.gateway))
          throw new QvmdError(
            "precondition",
            "NET_IMMUTABLE",
            `network ${n.id}: cidr and gateway cannot change in place`,
            {
              property: "cidr",
              hint: "replace the network instead",
            },
          );
      }
      // Our own networks being made meanwhile are in the records and reservations the check reads,
      // whether or not their routes are in this listing yet.
      const routes = await this.host.hostRoutes();
      const known = knownNetworks({ ...this.state.networks, ...Object.fromEntries(this.recording) });
      const conflicts = findConflicts(n, known, routes, uid);
      if (conflicts.length > 0) throw violationsError(conflicts);
      const rec: NetworkRecord = {
        spec,
        uid: existing ? existing.uid : uid,
        createdAt: existing?.createdAt ?? new Date().toISOString(),
      };
      this.recording.set(n.id, rec);
      // Record first (durable when this returns): if we crash half-way, the next start (or a
      // Delete) knows what to clean up.
      await this.state
        .update((d) => {
          d.networks[n.id] = rec;
        })
        .finally(() => this.recording.delete(n.id));
      await this.converge(n);
      return { network: n, drift: [], firewall: firewallState([], this.guard?.status()) };
    });
  }

  private async converge(n: ResolvedNetwork): Promise<void> {
    await this.host.ensureNetworkDir(n.id);
    let seen = await this.host.observe(n.id);
    // A host veth without its namespace: that of a delete just before, which the kernel is still
    // tearing down (our delete does not wait for it), or a leftover; the veth is made anew.
    if (!seen.netns && seen.hostVeth) {
      await this.host.removeStaleVeth(n.id);
      seen = { ...seen, hostVeth: false };
    }
    await this.host.ipBatch(renderRootBatch(n, seen));
    // The fence exists before the bridge does anything: a TAP of ours never passes unchecked, so
    // the namespace's batch follows it. Our firewall is the root namespace's, made beside them. A
    // namespace made now has no fence, its network most likely no table: both made the cheaper way.
    const fresh = !seen.netns;
    await allSettledOrThrow([
      this.applyGuestFence(n, fresh).then(() => this.host.ipBatch(renderNsBatch(n, seen), names.netns(n.id))),
      this.applyFirewall(n, fresh),
    ]);
    await this.enableForwarding();
    await this.host.ensureDhcp(n, instanceReservations(this.state.instances, n.id));
  }

  /** The network's guest fence (in its namespace), from the instances and template builds on it. */
  private async applyGuestFence(n: ResolvedNetwork, absent = false): Promise<void> {
    const nics = async () => fenceNics(n, this.state, await this.host.leases(n.id));
    await this.host.applyFence(names.netns(n.id), nics, absent);
  }

  /** Re-renders the DHCP hosts of a network after an instance changed its reservations. */
  refreshDhcp(netId: string): Promise<void> {
    return this.lock(netId).run(async () => {
      const rec = this.state.networks[netId];
      const n = rec && resolveNetwork(rec.spec).network;
      if (!n) return;
      // Reserved before the fence lets the guest's DHCP through (its guest may already run: instance/plan.ts).
      await this.host.ensureDhcp(n, instanceReservations(this.state.instances, netId));
      await this.applyGuestFence(n);
    });
  }

  /** Re-renders the guest fence only: addresses were discovered or a lease changed. */
  refreshFence(netId: string): Promise<void> {
    return this.lock(netId).run(async () => {
      const rec = this.state.networks[netId];
      const n = rec ? resolveNetwork(rec.spec).network : undefined;
      if (n && (await this.host.observe(n.id)).netns) await this.applyGuestFence(n);
    });
  }

  /** Re-renders the network's firewall: what its gateway serves changed (a DNS forwarder came or went). */
  refreshFirewall(netId: string): Promise<void> {
    return this.lock(netId).run(async () => {
      const rec = this.state.networks[netId];
      const n = rec ? resolveNetwork(rec.spec).network : undefined;
      if (n) await this.applyFirewall(n);
    });
  }

  /**
   * Our table, plus accept rules in an iptables FORWARD chain when one exists: a drop policy there
   * (Docker sets one) would otherwise drop what our own table accepts.
   */
  private async applyFirewall(n: ResolvedNetwork, absent = false): Promise<void> {
    await this.fw(async () => {
      await this.host.nftApply(renderNftTable(n, this.services(n.id)), absent);
      await this.host.ensureForwardAccept(n.id, formatCidr(n.cidr));
    });
  }

  /**
   * What of our firewall is missing, for every network not being created or deleted (in-flight.ts):
   * the guard's check, after each of our own changes and periodically. One listing of the tables,
   * whatever the number of networks.
   */
  firewallCheck(): Promise<string[]> {
    return this.inFlight.watch(async (touched) => {
      const nets = Object.entries(this.state.networks)
        .filter(([id]) => !touched.has(id))
        .map(([id, r]) => ({ id, cidr: r.spec.cidr }));
      if (nets.length === 0) return [];
      const tables = await this.host.nftTables();
      const drift = await this.host.forwardAcceptDrift(nets);
      const ids = nets.map((x) => x.id);
      return firewallMissing(ids, tables, drift, touched, (id) => this.state.networks[id] !== undefined);
    });
  }

  /** The guard's repair: re-applies every network's firewall (only that; DHCP and links stay). */
  async reassertFirewall(reason: string): Promise<void> {
    const failures: string[] = [];
    for (const id of Object.keys(this.state.networks))
      await this.lock(id).run(async () => {
        const rec = this.state.networks[id];
        const n = rec && resolveNetwork(rec.spec).network;
        if (n)
          await this.applyFirewall(n).catch((e: unknown) => failures.push(`${id}: ${(e as Error).message}`));
      });
    if (failures.length > 0)
      throw new Error(`firewall repair after "${reason}" failed: ${failures.join("; ")}`);
  }

  private async enableForwarding(): Promise<void> {
    // Read first outside the lock: after the first network it is "1", and creates need not queue.
    if ((await this.host.readIpForward()) === "1") return;
    return this.shared.run(async () => {
      const now = await this.host.readIpForward();
      if (now === "1") return;
      if (this.state.host.ipForwardBefore === undefined)
        await this.state.update((d) => {
          d.host.ipForwardBefore = now;
        });
      await this.host.writeIpForward("1");
    });
  }

  /** The network as recorded, without looking at the host: what an instance needs to refer to it. */
  resolved(id: string): ResolvedNetwork | undefined {
    const rec = this.state.networks[id];
    return rec && resolveNetwork(rec.spec).network;
  }

  async get(id: string): Promise<NetworkStatus> {
    const rec = this.state.networks[id];
    if (!rec) throw notFound("NET_NOT_FOUND", `network ${id} does not exist`);
    const { network: n } = resolveNetwork(rec.spec);
    if (!n) throw stateCorrupt("network", id);
    const drift = await networkDrift(this.host, n);
    return {
      network: n,
      drift,
      firewall: firewallState(
        drift.filter((d) => /nft table|FORWARD/.test(d)),
        this.guard?.status(),
      ),
    };
  }

  list(): Promise<NetworkStatus[]> {
    return Promise.all(Object.keys(this.state.networks).map((id) => this.get(id)));
  }

  delete(id: string): Promise<boolean> {
    return this.changing(id, async () => {
      const existed = this.state.networks[id] !== undefined;
      const users = networkUsers(this.state.instances, id);
      if (users.length > 0)
        throw new QvmdError(
          "precondition",
          "NET_IN_USE",
          `network ${id} is used by instance(s) ${users.join(", ")}`,
          {
            hint: "delete the instances first",
          },
        );
      // Tear down regardless of the record: a crash between creating and recording leaves objects.
      await this.host.stopDhcp(id);
      // No instance uses it (above), so these two may go in either order; each waits for an RCU
      // grace period (util/nft.ts), so they wait at once.
      await this.fw(() =>
        allSettledOrThrow([this.host.nftDeleteTable(id), this.host.removeForwardAccept(id)]),
      );
      await this.host.deleteLinks(id);
      await fs.rm(this.p.networkDir(id), { recursive: true, force: true });
      if (existed)
        await this.state.update((d) => {
          delete d.networks[id];
        });
      // A create recorded meanwhile re-enables forwarding itself, after its record.
      await this.shared.run(() => this.restoreForwardingIfLast());
      return existed;
    });
  }

  private async restoreForwardingIfLast(): Promise<void> {
    const before = this.state.host.ipForwardBefore;
    if (Object.keys(this.state.networks).length > 0 || before === undefined) return;
    await this.host.writeIpForward(before);
    await this.state.update((d) => {
      delete d.host.ipForwardBefore;
    });
  }

  /** On start: bring every recorded network back to its spec without disturbing what matches. */
  async reassertAll(log: (m: string) => void): Promise<void> {
    for (const [id, rec] of Object.entries(this.state.networks)) {
      const { network: n } = resolveNetwork(rec.spec);
      if (!n) {
        log(`network ${id}: recorded spec no longer validates; leaving it alone`);
        continue;
      }
      await this.changing(id, () => this.converge(n)).catch((e: unknown) =>
        log(`network ${id}: re-assert failed: ${String(e)}`),
      );
    }
  }
}
