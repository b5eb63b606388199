// The host operations of a network, as an interface the manager is given (so its logic runs in unit
// tests against a fake host), and the real thing: iproute2, nft, /proc, dnsmasq and the firewall
// library. Each operation is idempotent and does one thing; the order is the manager's.
import * as fs from "node:fs/promises";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { IP_FORWARD_FILE, NETNS_DIR, names, type StatePaths } from "../constants";
import { hostFailure } from "../errors";
import { ensureForwardAccept, forwardAcceptDrift, removeForwardAccept } from "../firewall";
import { run } from "../util/exec";
import { dhcpRunning, ensureDhcp, stopDhcp } from "./dhcp";
import type { Observed } from "./render";
import type { HostRoute, Reservation, ResolvedNetwork } from "./spec";

export interface NetworkHost {
  /** Which of the network's namespace, host veth and bridge exist. */
  observe(id: string): Promise<Observed>;
  addNetns(id: string): Promise<void>;
  deleteNetns(id: string): Promise<void>;
  /** `ip -batch` in the root namespace, or in `netns`. */
  ipBatch(lines: string[], netns?: string): Promise<void>;
  /** Tolerates the link vanishing meanwhile (a namespace's veth goes with it). */
  deleteLink(name: string): Promise<void>;
  /** One `nft -f` transaction. */
  nftApply(script: string): Promise<void>;
  nftTableExists(id: string): Promise<boolean>;
  nftDeleteTable(id: string): Promise<void>;
  /** The host's IPv4 routes in every table, for overlap checks. */
  hostRoutes(): Promise<HostRoute[]>;
  readIpForward(): Promise<string>;
  writeIpForward(value: string): Promise<void>;
  /** Converges the network's dnsmasq to the spec (see dhcp.ts); stops it when DHCP is off. */
  ensureDhcp(n: ResolvedNetwork, extra: Reservation[]): Promise<void>;
  stopDhcp(id: string): Promise<void>;
  dhcpRunning(id: string): Promise<boolean>;
  /** Accept rules in the iptables filter FORWARD chain(s) that exist (../firewall). */
  ensureForwardAccept(id: string): Promise<void>;
  removeForwardAccept(id: string): Promise<void>;
  forwardAcceptDrift(ids: readonly string[]): Promise<string[]>;
}

export function linuxNetworkHost(p: StatePaths): NetworkHost {
  return {
    observe,
    addNetns,
    deleteNetns,
    ipBatch,
    deleteLink,
    nftApply,
    nftTableExists,
    nftDeleteTable,
    hostRoutes,
    readIpForward,
    writeIpForward,
    ensureDhcp: (n, extra) => ensureDhcp(p, n, extra),
    stopDhcp: (id) => stopDhcp(p, id),
    dhcpRunning: (id) => dhcpRunning(p, id),
    ensureForwardAccept: async (id) => {
      await ensureForwardAccept(id);
    },
    removeForwardAccept,
    forwardAcceptDrift,
  };
}

const netnsExists = (id: string) => existsSync(path.join(NETNS_DIR, names.netns(id)));

async function linkExists(name: string, netns?: string): Promise<boolean> {
  const ns = netns ? ["-n", netns] : [];
  const r = await run("ip", [...ns, "link", "show", "dev", name], { reject: false });
  return r.exitCode === 0;
}

async function observe(id: string): Promise<Observed> {
  const netns = netnsExists(id);
  return {
    netns,
    hostVeth: await linkExists(names.hostVeth(id)),
    bridge: netns && (await linkExists(names.bridge(id), names.netns(id))),
  };
}

async function nftTableExists(id: string): Promise<boolean> {
  const r = await run("nft", ["list", "table", names.nftFamily, names.nftTable(id)], { reject: false });
  return r.exitCode === 0;
}

async function addNetns(id: string): Promise<void> {
  if (!netnsExists(id)) await run("ip", ["netns", "add", names.netns(id)]);
}

async function deleteNetns(id: string): Promise<void> {
  if (netnsExists(id)) await run("ip", ["netns", "delete", names.netns(id)]);
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
  if (await nftTableExists(id)) await run("nft", ["delete", "table", names.nftFamily, names.nftTable(id)]);
}

async function deleteLink(name: string): Promise<void> {
  // Deleting a namespace destroys its veth pairs asynchronously: the host end may vanish between
  // our check and our delete. Only a link that is still there after a failed delete is an error.
  const r = await run("ip", ["link", "delete", "dev", name], { reject: false });
  if (r.exitCode !== 0 && (await linkExists(name)))
    throw hostFailure(`\`ip link delete dev ${name}\` failed: ${r.stderr.trim()}`);
}

async function hostRoutes(): Promise<HostRoute[]> {
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
