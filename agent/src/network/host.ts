// The host operations of a network, as an interface the manager is given (so its logic runs in unit
// tests against a fake host), and the real thing: iproute2, nft, /proc, dnsmasq and the firewall
// library. Each operation is idempotent and does one thing; the order is the manager's.
import * as fs from "node:fs/promises";
import { existsSync } from "node:fs";
import * as path from "node:path";
import {
  DYING_VETH_WAIT_MS,
  IP_FORWARD_FILE,
  NETNS_DIR,
  SYS_CLASS_NET,
  names,
  type StatePaths,
} from "../constants";
import { hostFailure } from "../errors";
import { applyFence, type FenceNic, fenceExists } from "../fence/apply";
import { ensureForwardAccept, forwardAcceptDrift, removeForwardAccept } from "../firewall";
import { type Sandboxes, ensureDir, networkDirSpec } from "../layout";
import { run } from "../util/exec";
import { nftReplace } from "../util/nft";
import { parseIp } from "@pulumi-qemu/api/validate";
import { type DhcpContext, dhcpRunning, ensureDhcp, stopDhcp } from "./dhcp";
import { parseLeases } from "./leases";
import type { Observed } from "./render";
import type { DhcpHost, HostRoute, ResolvedNetwork } from "./spec";

export interface NetworkHost {
  /** The network's directory, owned so its dnsmasq (the DHCP sandbox user) reads it (layout.ts). */
  ensureNetworkDir(id: string): Promise<void>;
  /**
   * Replaces the guest fence in `netns` (fence/) with one for `nics()`, evaluated under its lock.
   * `absent`: the namespace is new, so is its fence (made the cheaper way, util/nft.ts).
   */
  applyFence(netns: string, nics: () => Promise<FenceNic[]>, absent?: boolean): Promise<void>;
  fenceExists(netns: string): Promise<boolean>;
  /** The network's unexpired DHCP leases, by MAC. */
  leases(id: string): Promise<Map<string, number>>;
  /**
   * Which of the network's namespace, host veth and bridge exist. The first two are files (no
   * command); the bridge is looked for only in a namespace that already existed.
   */
  observe(id: string): Promise<Observed>;
  /** `ip -batch` in the root namespace, or in `netns`. */
  ipBatch(lines: string[], netns?: string): Promise<void>;
  /**
   * Removes the namespace (its end of the veth, and so the host end, go with it: the kernel tears
   * them down after this returns) and a host veth left without one.
   */
  deleteLinks(id: string): Promise<void>;
  /**
   * A host veth whose namespace is gone: waits for the kernel to finish tearing it down (a delete
   * just before), or deletes it when it is not going (its peer lives on elsewhere) or takes too long.
   */
  removeStaleVeth(id: string): Promise<void>;
  /**
   * One `nft -f` transaction replacing a table. `absent`: the table should not exist yet, so it is
   * made first by a script that only adds (util/nft.ts), then replaced if it did exist.
   */
  nftApply(script: string, absent?: boolean): Promise<void>;
  nftTableExists(id: string): Promise<boolean>;
  /** Names of every nft table of family `inet` (one `nft list chains`, however many networks). */
  nftTables(): Promise<Set<string>>;
  /** One `nft -f` that deletes the table whether or not it exists. */
  nftDeleteTable(id: string): Promise<void>;
  /** The host's IPv4 routes in every table, for overlap checks. */
  hostRoutes(): Promise<HostRoute[]>;
  readIpForward(): Promise<string>;
  writeIpForward(value: string): Promise<void>;
  /** Converges the network's dnsmasq to the spec (see dhcp.ts); stops it when DHCP is off. */
  ensureDhcp(n: ResolvedNetwork, extra: DhcpHost[]): Promise<void>;
  stopDhcp(id: string): Promise<void>;
  dhcpRunning(id: string): Promise<boolean>;
  /** Accept rules in the iptables filter FORWARD chain(s) that exist (../firewall). */
  /** From the network's own `cidr` only, appended after the admin's rules (finding 6). */
  ensureForwardAccept(id: string, cidr: string): Promise<void>;
  removeForwardAccept(id: string): Promise<void>;
  forwardAcceptDrift(nets: ReadonlyArray<{ id: string; cidr: string }>): Promise<string[]>;
}

export function linuxNetworkHost(p: StatePaths, sandboxes: Sandboxes): NetworkHost {
  const dhcp: DhcpContext = { p, sandbox: sandboxes.dhcp };
  return {
    ensureNetworkDir: (id) => ensureDir(networkDirSpec(p, id, sandboxes)),
    applyFence,
    fenceExists,
    leases: async (id) => {
      const text = await fs.readFile(p.leases(id), "utf8").catch(() => "");
      const now = Date.now() / 1000;
      const out = new Map<string, number>();
      // dnsmasq leases by chaddr, which the fence pins to the guest's MAC.
      for (const l of parseLeases(text)) {
        const ip = parseIp(l.ip);
        if (ip !== undefined && (l.expiry === 0 || l.expiry > now)) out.set(l.mac, ip);
      }
      return out;
    },
    observe,
    ipBatch,
    deleteLinks,
    removeStaleVeth,
    nftApply,
    nftTableExists,
    nftTables,
    nftDeleteTable,
    hostRoutes,
    readIpForward,
    writeIpForward,
    ensureDhcp: (n, extra) => ensureDhcp(dhcp, n, extra),
    stopDhcp: (id) => stopDhcp(dhcp, id),
    dhcpRunning: (id) => dhcpRunning(dhcp, id),
    ensureForwardAccept: async (id, cidr) => {
      await ensureForwardAccept(id, cidr, { cached: true });
    },
    removeForwardAccept: (id) => removeForwardAccept(id, { cached: true }),
    forwardAcceptDrift,
  };
}

const netnsExists = (id: string) => existsSync(path.join(NETNS_DIR, names.netns(id)));
/** qvmd runs in the root namespace: its /sys/class/net lists the root namespace's links. */
const rootLinkExists = (name: string) => existsSync(path.join(SYS_CLASS_NET, name));

async function linkExists(name: string, netns: string): Promise<boolean> {
  const r = await run("ip", ["-n", netns, "link", "show", "dev", name], { reject: false });
  return r.exitCode === 0;
}

async function observe(id: string): Promise<Observed> {
  const netns = netnsExists(id);
  return {
    netns,
    hostVeth: rootLinkExists(names.hostVeth(id)),
    bridge: netns && (await linkExists(names.bridge(id), names.netns(id))),
  };
}

async function nftTableExists(id: string): Promise<boolean> {
  const r = await run("nft", ["list", "table", names.nftFamily, names.nftTable(id)], { reject: false });
  return r.exitCode === 0;
}

async function nftTables(): Promise<Set<string>> {
  // `list chains`, not `list tables`: nft 1.0.6 reads every table's rules for the latter (18 ms
  // with 100 of our tables here, against 3.4 ms); both name every table, chains or not.
  const r = await run("nft", ["list", "chains", names.nftFamily]);
  const out = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^table \S+ (\S+) \{$/.exec(line.trim());
    if (m) out.add(m[1]!);
  }
  return out;
}

async function ipBatch(lines: string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const ns = netns ? ["-n", netns] : [];
  await run("ip", [...ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
}

const nftApply = (script: string, absent = false): Promise<void> => nftReplace(["nft"], script, absent);

async function nftDeleteTable(id: string): Promise<void> {
  const t = `${names.nftFamily} ${names.nftTable(id)}`;
  // Declaring the table first makes the delete valid whether or not it exists: one transaction.
  await run("nft", ["-f", "-"], { input: `table ${t}\ndelete table ${t}\n` });
}

async function deleteLinks(id: string): Promise<void> {
  // `ip netns delete` alone, as the floor does: the kernel destroys the namespace's devices (our
  // veth pair with them) on a workqueue afterwards, without us waiting. A re-create of the same id
  // meanwhile waits for the host end (removeStaleVeth), and so do the tests' leak checks.
  if (netnsExists(id)) {
    const r = await run("ip", ["netns", "delete", names.netns(id)], { reject: false });
    if (netnsExists(id))
      throw hostFailure(`\`ip netns delete ${names.netns(id)}\` failed: ${r.stderr.trim()}`);
    return;
  }
  // One whose namespace is being destroyed goes by itself; one that is not (its peer lives on
  // elsewhere) is ours to delete.
  const h = names.hostVeth(id);
  if (rootLinkExists(h) && !(await vethDying(h))) await deleteVeth(h);
}

/**
 * The host veth's peer is in a namespace without a name under NETNS_DIR: one being destroyed (or,
 * rarely, held alive by a process after its name was removed). iproute2 shows `link-netnsid N`
 * for it, `link-netnsid unknown` once the kernel's cleanup of it has begun; a peer in a named
 * namespace shows `link-netns <name>`, one in the root namespace no link-netns at all.
 */
async function vethDying(name: string): Promise<boolean> {
  const r = await run("ip", ["-o", "link", "show", "dev", name], { reject: false });
  return r.exitCode === 0 && /\slink-netnsid (\d+|unknown)\b/.test(r.stdout);
}

async function removeStaleVeth(id: string): Promise<void> {
  const h = names.hostVeth(id);
  const until = Date.now() + DYING_VETH_WAIT_MS;
  const dying = rootLinkExists(h) && (await vethDying(h));
  while (dying && rootLinkExists(h) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  if (rootLinkExists(h)) await deleteVeth(h);
}

async function deleteVeth(h: string): Promise<void> {
  const r = await run("ip", ["link", "delete", "dev", h], { reject: false });
  if (rootLinkExists(h)) throw hostFailure(`\`ip link delete ${h}\` failed: ${r.stderr.trim()}`);
}

export async function hostRoutes(): Promise<HostRoute[]> {
  const r = await run("ip", ["-j", "-4", "route", "show", "table", "all"]);
  const routes = JSON.parse(r.stdout || "[]") as Array<{
    dst?: string;
    dev?: string;
    table?: string;
    type?: string;
  }>;
  return routes
    .filter((x) => x.dst && x.dst !== "default" && (x.type === undefined || x.type === "unicast"))
    .map((x) => ({ dst: x.dst!, dev: x.dev ?? "?", table: x.table ?? "main" }));
}

const readIpForward = async () => (await fs.readFile(IP_FORWARD_FILE, "utf8")).trim();
const writeIpForward = (v: string) => fs.writeFile(IP_FORWARD_FILE, `${v}\n`);
