// Host bridges: created (or adopted) in the root namespace, optionally enslaving an uplink whose
// addresses and routes move to the bridge and back. What was there before is recorded first, so a
// crash at any point can still restore it.
import { QvmdError, notFound, violationsError } from "../errors";
import type { StateStore } from "../state";
import { Mutex } from "../util/lock";
import type { Config } from "../config";
import type { BridgeHost, LinkInfo } from "./host";
import { bridgePolicyViolations } from "./policy";
import { type BridgeSpec, bridgeSpecShape, checkBridge } from "./spec";

const ignore = () => undefined;

export interface BridgeStatus {
  spec: BridgeSpec;
  addresses: string[];
  moved: string[];
  drift: string[];
}

export class Bridges {
  private readonly lock = new Mutex("bridges");

  constructor(
    private readonly state: StateStore,
    private readonly host: BridgeHost,
    /** What the admin lets bridges use (config.bridges). */
    private readonly policy: Config["bridges"],
  ) {}

  /** `uid`: the caller, recorded as the owner of a new bridge. */
  apply(input: BridgeSpec, uid: number): Promise<BridgeStatus> {
    return this.lock.run(async () => {
      const { spec: s, violations } = checkBridge(input);
      if (!s) throw violationsError(violations);
      const existing = this.state.bridges[s.id];
      if (existing && bridgeSpecShape.parse(existing.spec).name !== s.name)
        throw new QvmdError("precondition", "BRIDGE_IMMUTABLE", "a bridge's name cannot change in place", {
          property: "name",
        });
      const current = await this.host.link(s.name);
      if (current && current.kind !== "bridge")
        throw new QvmdError("invalid", "NOT_A_BRIDGE", `${s.name} exists and is not a bridge`, {
          property: "name",
        });
      if (!existing && s.adopt && !current)
        throw new QvmdError("invalid", "BRIDGE_MISSING", `there is no bridge ${s.name} to adopt`, {
          property: "name",
        });
      if (!existing && !s.adopt && current)
        throw new QvmdError("invalid", "BRIDGE_EXISTS", `bridge ${s.name} already exists and is not qvmd's`, {
          property: "name",
          hint: "set adopt: true to use it (it will never be deleted)",
        });
      let uplink: LinkInfo | undefined;
      if (s.uplink !== "") {
        uplink = await this.host.link(s.uplink);
        if (!uplink)
          throw new QvmdError("invalid", "UPLINK_MISSING", `there is no interface ${s.uplink}`, {
            property: "uplink",
          });
        if (uplink.master && uplink.master !== s.name)
          throw new QvmdError(
            "invalid",
            "UPLINK_TAKEN",
            `${s.uplink} is already a port of ${uplink.master}`,
            { property: "uplink" },
          );
      }
      const refused = bridgePolicyViolations(
        s,
        this.policy,
        {
          networks: Object.entries(this.state.networks).map(([id, r]) => ({ id, cidr: r.spec.cidr })),
          routes: await this.host.hostRoutes(),
        },
        !(existing?.created ?? !current),
      );
      if (refused.length > 0) throw violationsError(refused);
      // Record before changing anything: a crash after the move must still know what to restore.
      const firstUplink =
        s.uplink !== "" &&
        (!existing || existing.uplinkAddresses.length + existing.uplinkRoutes.length === 0) &&
        !uplink?.master;
      await this.state.update((d) => {
        d.bridges[s.id] = {
          spec: input,
          uid: existing ? existing.uid : uid,
          uplinkAddresses: firstUplink ? (uplink?.addresses ?? []) : (existing?.uplinkAddresses ?? []),
          uplinkRoutes: existing?.uplinkRoutes ?? [],
          created: existing?.created ?? !current,
          // An address the bridge already had is the host's: never removed on delete.
          addressExisted:
            existing?.addressExisted ?? (s.address !== "" && (current?.addresses ?? []).includes(s.address)),
          createdAt: existing?.createdAt ?? new Date().toISOString(),
        };
      });
      if (firstUplink) {
        const routes = await this.host.routesVia(s.uplink);
        await this.state.update((d) => {
          d.bridges[s.id]!.uplinkRoutes = routes;
        });
      }
      const h = this.host;
      if (!current) await h.createBridge(s.name);
      // An adopted bridge is the host's: its STP and MTU stay as the admin set them.
      await h.configureBridge(
        s.name,
        this.state.bridges[s.id]!.created ? { stp: s.stp, mtu: s.mtu } : undefined,
      );
      if (s.address !== "") await h.replaceAddress(s.address, s.name);
      const rec = this.state.bridges[s.id]!;
      if (s.uplink !== "") {
        await h.enslave(s.uplink, s.name);
        for (const a of rec.uplinkAddresses) {
          await h.deleteAddress(a, s.uplink).catch(ignore);
          await h.replaceAddress(a, s.name);
        }
        for (const r of rec.uplinkRoutes) await h.replaceRoute(r, s.name).catch(ignore);
      }
      return this.status(s.id);
    });
  }

  async status(id: string): Promise<BridgeStatus> {
    const rec = this.state.bridges[id];
    if (!rec) throw notFound("BRIDGE_NOT_FOUND", `bridge ${id} does not exist`);
    const spec = bridgeSpecShape.parse(rec.spec);
    const l = await this.host.link(spec.name);
    const drift: string[] = [];
    if (!l) drift.push(`bridge ${spec.name} missing`);
    if (spec.uplink !== "" && (await this.host.link(spec.uplink))?.master !== spec.name)
      drift.push(`uplink ${spec.uplink} not enslaved`);
    return { spec, addresses: l?.addresses ?? [], moved: rec.uplinkAddresses, drift };
  }

  /** The bridge's name and first address, for instances attached to it. */
  async describe(id: string): Promise<{ name: string; address?: string } | undefined> {
    const rec = this.state.bridges[id];
    if (!rec) return undefined;
    const name = bridgeSpecShape.parse(rec.spec).name;
    return { name, address: (await this.host.link(name))?.addresses[0] };
  }

  /** The bridges among `only`, as GetBridge reports them, by id. */
  list(only: ReadonlySet<string>): Promise<BridgeStatus[]> {
    return Promise.all(
      Object.keys(this.state.bridges)
        .filter((id) => only.has(id))
        .sort()
        .map((id) => this.status(id)),
    );
  }

  /** `usersOf`: the instances with a NIC on it, asked under the bridge's lock (not before it). */
  delete(id: string, usersOf: () => string[]): Promise<boolean> {
    return this.lock.run(async () => {
      const rec = this.state.bridges[id];
      if (!rec) return false;
      const inUseBy = usersOf();
      if (inUseBy.length > 0)
        throw new QvmdError(
          "precondition",
          "BRIDGE_IN_USE",
          `bridge ${id} is used by instance(s) ${inUseBy.join(", ")}`,
          { hint: "delete the instances first" },
        );
      const s = bridgeSpecShape.parse(rec.spec);
      // Best effort, every step: the uplink must get back what it had even if the bridge is gone.
      const h = this.host;
      if (s.uplink !== "") {
        await h.release(s.uplink).catch(ignore);
        for (const a of rec.uplinkAddresses) {
          await h.deleteAddress(a, s.name).catch(ignore);
          await h.replaceAddress(a, s.uplink).catch(ignore);
        }
        for (const r of rec.uplinkRoutes) await h.replaceRoute(r, s.uplink).catch(ignore);
      }
      if (rec.created) await h.deleteLink(s.name).catch(ignore);
      else if (s.address !== "" && !rec.addressExisted)
        await h.deleteAddress(s.address, s.name).catch(ignore);
      await this.state.update((d) => {
        delete d.bridges[id];
      });
      return true;
    });
  }
}
