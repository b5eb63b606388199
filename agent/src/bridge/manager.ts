// Host bridges: created (or adopted) in the root namespace, optionally enslaving an uplink whose
// addresses and routes move to the bridge and back. What was there before is recorded first, so a
// crash at any point can still restore it.
import { QvmdError, notFound, violationsError } from "../errors";
import type { StateStore, BridgeRecord } from "../state";
import { run } from "../util/exec";
import { Mutex } from "../util/lock";
import { type BridgeSpec, bridgeSpecShape, checkBridge } from "./spec";

interface IpAddrJson {
  ifname: string;
  master?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string }>;
}

async function link(name: string): Promise<IpAddrJson | undefined> {
  const r = await run("ip", ["-j", "-d", "addr", "show", "dev", name], { reject: false });
  if (r.exitCode !== 0) return undefined;
  return (JSON.parse(r.stdout || "[]") as IpAddrJson[])[0];
}

const ipv4 = (l?: IpAddrJson) =>
  (l?.addr_info ?? [])
    .filter((a) => a.family === "inet" && a.scope !== "host")
    .map((a) => `${a.local}/${a.prefixlen}`);

async function routesVia(dev: string): Promise<BridgeRecord["uplinkRoutes"]> {
  const r = await run("ip", ["-j", "-4", "route", "show", "dev", dev], { reject: false });
  const routes = JSON.parse(r.stdout || "[]") as Array<{
    dst: string;
    gateway?: string;
    metric?: number;
    protocol?: string;
  }>;
  // Kernel routes follow their address; only the others need moving.
  return routes
    .filter((x) => x.protocol !== "kernel")
    .map((x) => ({ dst: x.dst, gateway: x.gateway, metric: x.metric }));
}

const routeArgs = (r: BridgeRecord["uplinkRoutes"][number], dev: string) => [
  r.dst,
  ...(r.gateway ? ["via", r.gateway] : []),
  "dev",
  dev,
  ...(r.metric !== undefined ? ["metric", String(r.metric)] : []),
];

export interface BridgeStatus {
  spec: BridgeSpec;
  addresses: string[];
  moved: string[];
  drift: string[];
}

export class Bridges {
  private readonly lock = new Mutex();

  constructor(private readonly state: StateStore) {}

  apply(input: BridgeSpec): Promise<BridgeStatus> {
    return this.lock.run(async () => {
      const { spec: s, violations } = checkBridge(input);
      if (!s) throw violationsError(violations);
      const existing = this.state.bridges[s.id];
      if (existing && bridgeSpecShape.parse(existing.spec).name !== s.name)
        throw new QvmdError("precondition", "BRIDGE_IMMUTABLE", "a bridge's name cannot change in place", {
          property: "name",
        });
      const current = await link(s.name);
      if (current && current.linkinfo?.info_kind !== "bridge")
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
      let uplink: IpAddrJson | undefined;
      if (s.uplink !== "") {
        uplink = await link(s.uplink);
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
      // Record before changing anything: a crash after the move must still know what to restore.
      const firstUplink =
        s.uplink !== "" &&
        (!existing || existing.uplinkAddresses.length + existing.uplinkRoutes.length === 0) &&
        !uplink?.master;
      await this.state.update((d) => {
        d.bridges[s.id] = {
          spec: input,
          uplinkAddresses: firstUplink ? ipv4(uplink) : (existing?.uplinkAddresses ?? []),
          uplinkRoutes: existing?.uplinkRoutes ?? [],
          created: existing?.created ?? !current,
          createdAt: existing?.createdAt ?? new Date().toISOString(),
        };
      });
      if (firstUplink) {
        const routes = await routesVia(s.uplink);
        await this.state.update((d) => {
          d.bridges[s.id]!.uplinkRoutes = routes;
        });
      }
      if (!current) await run("ip", ["link", "add", "name", s.name, "type", "bridge"]);
      await run("ip", ["link", "set", "dev", s.name, "type", "bridge", "stp_state", s.stp ? "1" : "0"]);
      if (s.mtu) await run("ip", ["link", "set", "dev", s.name, "mtu", String(s.mtu)]);
      await run("ip", ["link", "set", "dev", s.name, "up"]);
      if (s.address !== "") await run("ip", ["addr", "replace", s.address, "dev", s.name]);
      const rec = this.state.bridges[s.id]!;
      if (s.uplink !== "") {
        await run("ip", ["link", "set", "dev", s.uplink, "master", s.name, "up"]);
        for (const a of rec.uplinkAddresses) {
          await run("ip", ["addr", "del", a, "dev", s.uplink], { reject: false });
          await run("ip", ["addr", "replace", a, "dev", s.name]);
        }
        for (const r of rec.uplinkRoutes)
          await run("ip", ["route", "replace", ...routeArgs(r, s.name)], { reject: false });
      }
      return this.status(s.id);
    });
  }

  async status(id: string): Promise<BridgeStatus> {
    const rec = this.state.bridges[id];
    if (!rec) throw notFound("BRIDGE_NOT_FOUND", `bridge ${id} does not exist`);
    const spec = bridgeSpecShape.parse(rec.spec);
    const l = await link(spec.name);
    const drift: string[] = [];
    if (!l) drift.push(`bridge ${spec.name} missing`);
    if (spec.uplink !== "" && (await link(spec.uplink))?.master !== spec.name)
      drift.push(`uplink ${spec.uplink} not enslaved`);
    return { spec, addresses: ipv4(l), moved: rec.uplinkAddresses, drift };
  }

  /** The bridge's name and first address, for instances attached to it. */
  async describe(id: string): Promise<{ name: string; address?: string } | undefined> {
    const rec = this.state.bridges[id];
    if (!rec) return undefined;
    const name = bridgeSpecShape.parse(rec.spec).name;
    return { name, address: ipv4(await link(name))[0] };
  }

  delete(id: string, inUseBy: string[]): Promise<boolean> {
    return this.lock.run(async () => {
      const rec = this.state.bridges[id];
      if (!rec) return false;
      if (inUseBy.length > 0)
        throw new QvmdError(
          "precondition",
          "BRIDGE_IN_USE",
          `bridge ${id} is used by instance(s) ${inUseBy.join(", ")}`,
          { hint: "delete the instances first" },
        );
      const s = bridgeSpecShape.parse(rec.spec);
      if (s.uplink !== "") {
        await run("ip", ["link", "set", "dev", s.uplink, "nomaster"], { reject: false });
        for (const a of rec.uplinkAddresses) {
          await run("ip", ["addr", "del", a, "dev", s.name], { reject: false });
          await run("ip", ["addr", "replace", a, "dev", s.uplink], { reject: false });
        }
        for (const r of rec.uplinkRoutes)
          await run("ip", ["route", "replace", ...routeArgs(r, s.uplink)], { reject: false });
      }
      if (rec.created) await run("ip", ["link", "delete", "dev", s.name], { reject: false });
      else if (s.address !== "")
        await run("ip", ["addr", "del", s.address, "dev", s.name], { reject: false });
      await this.state.update((d) => {
        delete d.bridges[id];
      });
      return true;
    });
  }
}
