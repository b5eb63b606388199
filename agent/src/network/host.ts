// The host operations of a network, as an interface the manager is given (so its logic runs in unit
// tests against a fake host), and the real thing: iproute2, nft, /proc, dnsmasq and the firewall
// library. Each operation is idempotent and does one thing; the order is the manager's.
import * as fs from "node:fs/promises";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { IP_FORWARD_FILE, NETNS_DIR, SYS_CLASS_NET, names, type StatePaths } from "../constants";
import { hostFailure } from "../errors";
import { applyFence, type FenceNic, fenceExists } from "../fence/apply";
import { ensureForwardAccept, forwardAcceptDrift, removeForwardAccept } from "../firewall";
import { type Sandboxes, ensureDir, networkDirSpec } from "../layout";
import { run } from "../util/exec";
import { parseIp } from "@pulumi-qemu/api/validate";
import { type DhcpContext, dhcpRunning, ensureDhcp, stopDhcp } from "./dhcp";
import { parseLeases } from "./leases";
import { type Observed, renderTeardownBatch } from "./render";
import type { DhcpHost, HostRoute, ResolvedNetwork } from "./spec";

export interface NetworkHost {
  /** The network's directory, owned so its dnsmasq (the DHCP sandbox user) reads it (layout.ts). */
  ensureNetworkDir(id: string): Promise<void>;
  /** Replaces the guest fence in `netns` (fence/) with one for `nics()`, evaluated under its lock. */
  applyFence(netns: string, nics: () => Promise<FenceNic[]>): Promise<void>;
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
  /** Removes the host veth (both ends) and the namespace, whichever exist, in one `ip -batch`. */
  deleteLinks(id: string): Promise<void>;
  /** One `nft -f` transaction. */
  nftApply(script: string): Promise<void>;
  nftTableExists(id: string): Promise<boolean>;
  /** Names of every nft table of family `inet` (one `nft list tables`, however many networks). */
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
  const r = await run("nft", ["list", "tables", names.nftFamily]);
  const out = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^table \S+ (\S+)$/.exec(line.trim());
    if (m) out.add(m[1]!);
  }
  return out;
}

async function ipBatch(lines: string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const ns = netns ? ["-n", netns] : [];
  await run("ip", [...ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
}

async function nftApply(script: string): Promise<void> {
  await run("nft", ["-f", "-"], { input: script });
}

async function nftDeleteTable(id: string): Promise<void> {
  const t = `${names.nftFamily} ${names.nftTable(id)}`;
  // Declaring the table first makes the delete valid whether or not it exists: one transaction.
  await run("nft", ["-f", "-"], { input: `table ${t}\ndelete table ${t}\n` });
}

async function deleteLinks(id: string): Promise<void> {
  const seen = { netns: netnsExists(id), hostVeth: rootLinkExists(names.hostVeth(id)) };
  const lines = renderTeardownBatch(id, seen);
  if (lines.length === 0) return;
  // -force: go on after an error (the veth can vanish meanwhile with its namespace); what is still
  // there afterwards is the failure.
  const r = await run("ip", ["-force", "-batch", "-"], { input: lines.join("\n") + "\n", reject: false });
  const left = renderTeardownBatch(id, {
    netns: netnsExists(id),
    hostVeth: rootLinkExists(names.hostVeth(id)),
  });
  if (left.length > 0)
    throw hostFailure(`\`ip -batch\` could not run "${left.join("; ")}": ${r.stderr.trim()}`);
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
