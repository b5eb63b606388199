// The host operations of a bridge, as an interface the manager is given (so its logic runs in unit
// tests against a fake host), and the real thing over iproute2. Everything is in the root namespace.
import type { BridgeRecord } from "../state";
import { hostRoutes } from "../network/host";
import { run } from "../util/exec";

export type Route = BridgeRecord["uplinkRoutes"][number];

/** What the manager needs to know of an interface. */
export interface LinkInfo {
  /** The bridge it is a port of. */
  master?: string;
  /** `bridge`, `veth`, ...; undefined for a plain device. */
  kind?: string;
  /** Its IPv4 addresses (a.b.c.d/p), host-scoped ones excluded. */
  addresses: string[];
}

export interface BridgeHost {
  link(name: string): Promise<LinkInfo | undefined>;
  /** Routes through `dev` that do not follow an address by themselves (not proto kernel). */
  routesVia(dev: string): Promise<Route[]>;
  createBridge(name: string): Promise<void>;
  /** STP and MTU (0 = leave it), then up; without `opts` (an adopted bridge) only up. */
  configureBridge(name: string, opts?: { stp: boolean; mtu: number }): Promise<void>;
  /** Makes `port` a port of `master`, and up. */
  enslave(port: string, master: string): Promise<void>;
  release(port: string): Promise<void>;
  replaceAddress(address: string, dev: string): Promise<void>;
  deleteAddress(address: string, dev: string): Promise<void>;
  replaceRoute(route: Route, dev: string): Promise<void>;
  deleteLink(name: string): Promise<void>;
  /** The host's IPv4 routes in every table, for the address policy (policy.ts). */
  hostRoutes(): Promise<Array<{ dst: string; dev: string }>>;
}

interface IpAddrJson {
  ifname: string;
  master?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string }>;
}

const routeArgs = (r: Route, dev: string) => [
  r.dst,
  ...(r.gateway ? ["via", r.gateway] : []),
  "dev",
  dev,
  ...(r.metric !== undefined ? ["metric", String(r.metric)] : []),
];

export const linuxBridgeHost: BridgeHost = {
  async link(name) {
    const r = await run("ip", ["-j", "-d", "addr", "show", "dev", name], { reject: false });
    if (r.exitCode !== 0) return undefined;
    const l = (JSON.parse(r.stdout || "[]") as IpAddrJson[])[0];
    if (!l) return undefined;
    return {
      master: l.master,
      kind: l.linkinfo?.info_kind,
      addresses: (l.addr_info ?? [])
        .filter((a) => a.family === "inet" && a.scope !== "host")
        .map((a) => `${a.local}/${a.prefixlen}`),
    };
  },
  async routesVia(dev) {
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
  },
  async createBridge(name) {
    await run("ip", ["link", "add", "name", name, "type", "bridge"]);
  },
  async configureBridge(name, opts) {
    if (opts) {
      await run("ip", ["link", "set", "dev", name, "type", "bridge", "stp_state", opts.stp ? "1" : "0"]);
      if (opts.mtu) await run("ip", ["link", "set", "dev", name, "mtu", String(opts.mtu)]);
    }
    await run("ip", ["link", "set", "dev", name, "up"]);
  },
  async enslave(port, master) {
    await run("ip", ["link", "set", "dev", port, "master", master, "up"]);
  },
  async release(port) {
    await run("ip", ["link", "set", "dev", port, "nomaster"]);
  },
  async replaceAddress(address, dev) {
    await run("ip", ["addr", "replace", address, "dev", dev]);
  },
  async deleteAddress(address, dev) {
    await run("ip", ["addr", "del", address, "dev", dev]);
  },
  async replaceRoute(route, dev) {
    await run("ip", ["route", "replace", ...routeArgs(route, dev)]);
  },
  async deleteLink(name) {
    await run("ip", ["link", "delete", "dev", name]);
  },
  hostRoutes,
};
